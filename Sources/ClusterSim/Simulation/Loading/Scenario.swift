import Foundation
import KubeModels

/// A compact description of a cluster to simulate: node groups, ReplicaSet workloads (with an
/// optional PodDisruptionBudget) and DaemonSets. The format is documented in
/// `docs/scenario-format.md`; an example:
///
/// ```yaml
/// nodeGroups:
///   - name: general
///     instanceType: m5.large
///     zone: us-east-1a
///     count: 3            # nodes running at start
///     minSize: 1
///     maxSize: 10
///     bootDelay: 90s
///     capacity: {cpu: "2", memory: 8Gi, pods: 29}
///     labels: {team: platform}
///     taints: [{key: dedicated, value: batch, effect: NoSchedule}]
/// workloads:
///   - name: web
///     namespace: shop
///     replicas: 6
///     requests: {cpu: 250m, memory: 256Mi}
///     pdb: {minAvailable: 5}
/// daemonSets:
///   - name: node-agent
///     namespace: kube-system
///     requests: {cpu: 50m, memory: 64Mi}
/// ```
///
/// Every field is validated before anything is created; errors name the file, the field, the
/// bad value and what was expected (``SimulationLoadError``).
public struct Scenario: Sendable, Equatable {
    /// A ReplicaSet of identical pods, with an optional disruption budget.
    public struct Workload: Sendable, Equatable {
        public var name: String
        public var namespace: String
        public var replicas: Int
        public var requests: [String: Quantity]
        public var image: String
        public var labels: [String: String]
        public var nodeSelector: [String: String]
        /// Tolerations as Kubernetes toleration objects.
        public var tolerations: [JSONValue]
        public var terminationGracePeriodSeconds: Int
        /// `minAvailable` or `maxUnavailable` (an integer or a percentage string).
        public var budget: Budget?
    }

    /// A PodDisruptionBudget bound.
    public enum Budget: Sendable, Equatable {
        case minAvailable(JSONValue)
        case maxUnavailable(JSONValue)
    }

    /// A DaemonSet.
    public struct DaemonSet: Sendable, Equatable {
        public var name: String
        public var namespace: String
        public var requests: [String: Quantity]
        public var image: String
        public var labels: [String: String]
        public var nodeSelector: [String: String]
        public var tolerations: [JSONValue]
    }

    public var nodeGroups: [NodeGroupSpec]
    public var workloads: [Workload]
    public var daemonSets: [DaemonSet]

    /// The image used when a workload names none.
    public static let defaultImage = "registry.k8s.io/pause:3.10"

    /// Reads and validates a scenario file.
    public static func load(path: String) throws(SimulationLoadError) -> Scenario {
        try parse(documents: SimYAML.load(path: path), file: path)
    }

    /// Parses and validates scenario text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(SimulationLoadError) -> Scenario {
        try parse(documents: SimYAML.parseAll(text, file: file), file: file)
    }

    static func parse(documents: [JSONValue], file: String) throws(SimulationLoadError) -> Scenario {
        guard documents.count == 1, let top = documents.first else {
            throw .invalidField(file: file, field: "(top level)", value: "\(documents.count) documents",
                                expected: "exactly one YAML document")
        }
        let root = try FieldReader(top, file: file, path: "", allowed: ["nodeGroups", "workloads", "daemonSets"])
        var scenario = Scenario(nodeGroups: [], workloads: [], daemonSets: [])
        let groups = try root.list("nodeGroups")
        if groups.isEmpty {
            throw .missingField(file: file, field: "nodeGroups", expected: "at least one node group")
        }
        for (i, item) in groups.enumerated() {
            scenario.nodeGroups.append(try nodeGroup(item, file: file, path: "nodeGroups[\(i)]"))
        }
        for (i, item) in try root.list("workloads").enumerated() {
            scenario.workloads.append(try workload(item, file: file, path: "workloads[\(i)]"))
        }
        for (i, item) in try root.list("daemonSets").enumerated() {
            scenario.daemonSets.append(try daemonSet(item, file: file, path: "daemonSets[\(i)]"))
        }
        try checkUnique(scenario.nodeGroups.map(\.name), field: "nodeGroups", what: "node group", file: file)
        try checkUnique(scenario.workloads.map { "\($0.namespace)/\($0.name)" } + scenario.daemonSets.map { "\($0.namespace)/\($0.name)" },
                        field: "workloads/daemonSets", what: "workload", file: file)
        return scenario
    }

    private static func checkUnique(_ names: [String], field: String, what: String, file: String) throws(SimulationLoadError) {
        var seen: Set<String> = []
        for name in names where !seen.insert(name).inserted {
            throw .invalidField(file: file, field: field, value: "\"\(name)\"", expected: "each \(what) name used once")
        }
    }

    private static func nodeGroup(_ value: JSONValue, file: String, path: String) throws(SimulationLoadError) -> NodeGroupSpec {
        let r = try FieldReader(value, file: file, path: path, allowed: [
            "name", "instanceType", "zone", "count", "minSize", "maxSize", "bootDelay", "capacity", "allocatable",
            "labels", "taints",
        ])
        let name = try r.name("name")
        let minSize = try r.int("minSize", default: 0, range: 0...10_000, expected: "an integer from 0 to 10000")
        let count = try r.int("count", default: minSize, range: 0...10_000, expected: "an integer from 0 to 10000")
        let maxSize = try r.int("maxSize", default: max(count, minSize), range: 0...10_000, expected: "an integer from 0 to 10000")
        guard minSize <= count else {
            throw .invalidField(file: file, field: r.field("count"), value: String(count),
                                expected: "at least minSize (\(minSize))")
        }
        guard count <= maxSize else {
            throw .invalidField(file: file, field: r.field("count"), value: String(count),
                                expected: "at most maxSize (\(maxSize))")
        }
        var capacity = try r.quantities("capacity", required: ["cpu", "memory"])
        if capacity["pods"] == nil { capacity["pods"] = Quantity(110) }
        let allocatable = r.has("allocatable") ? try r.quantities("allocatable") : nil
        var taints: [Taint] = []
        for (i, item) in try r.list("taints").enumerated() {
            let t = try FieldReader(item, file: file, path: r.field("taints[\(i)]"), allowed: ["key", "value", "effect"])
            let effect = try t.string("effect", expected: "NoSchedule, PreferNoSchedule or NoExecute")
            guard ["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(effect) else {
                throw .invalidField(file: file, field: t.field("effect"), value: "\"\(effect)\"",
                                    expected: "NoSchedule, PreferNoSchedule or NoExecute")
            }
            let value = t.has("value") ? try t.string("value") : nil
            taints.append(Taint(key: try t.string("key", expected: "the taint's key"), value: value,
                                effect: TaintEffect(rawValue: effect)))
        }
        let zone = try r.string("zone", default: "us-east-1a")
        guard zone.count >= 2, zone.last?.isLetter == true else {
            throw .invalidField(file: file, field: r.field("zone"), value: "\"\(zone)\"",
                                expected: "an availability zone name such as us-east-1a")
        }
        let shape = NodeShape(instanceType: try r.string("instanceType", default: "m5.large"), zone: zone,
                              capacity: capacity, allocatable: allocatable, labels: try r.stringMap("labels"), taints: taints)
        return NodeGroupSpec(name: name, minSize: minSize, maxSize: maxSize, desiredCapacity: count, shape: shape,
                             bootDelay: try r.duration("bootDelay", default: .seconds(60)))
    }

    private static func workload(_ value: JSONValue, file: String, path: String) throws(SimulationLoadError) -> Workload {
        let r = try FieldReader(value, file: file, path: path, allowed: [
            "name", "namespace", "replicas", "requests", "image", "labels", "nodeSelector", "tolerations",
            "terminationGracePeriodSeconds", "pdb",
        ])
        let name = try r.name("name")
        var budget: Budget?
        if r.has("pdb") {
            let p = try FieldReader(r.members["pdb"]!, file: file, path: r.field("pdb"), allowed: ["minAvailable", "maxUnavailable"])
            let expected = "exactly one of minAvailable or maxUnavailable, as an integer or a percentage such as \"50%\""
            switch (p.members["minAvailable"], p.members["maxUnavailable"]) {
            case (let min?, nil): budget = .minAvailable(try intOrPercent(min, field: p.field("minAvailable"), file: file))
            case (nil, let max?): budget = .maxUnavailable(try intOrPercent(max, field: p.field("maxUnavailable"), file: file))
            default: throw .invalidField(file: file, field: r.field("pdb"), value: "\(p.members.count) bounds", expected: expected)
            }
        }
        var labels = try r.stringMap("labels")
        if labels.isEmpty { labels = ["app": name] }
        return Workload(
            name: name, namespace: try r.name("namespace", default: "default"),
            replicas: try r.int("replicas", range: 0...100_000, expected: "an integer from 0 to 100000"),
            requests: try r.quantities("requests"), image: try r.string("image", default: defaultImage), labels: labels,
            nodeSelector: try r.stringMap("nodeSelector"), tolerations: try tolerations(r, file: file),
            terminationGracePeriodSeconds: try r.int("terminationGracePeriodSeconds", default: 30, range: 0...86_400,
                                                     expected: "seconds from 0 to 86400"),
            budget: budget)
    }

    private static func daemonSet(_ value: JSONValue, file: String, path: String) throws(SimulationLoadError) -> DaemonSet {
        let r = try FieldReader(value, file: file, path: path, allowed: [
            "name", "namespace", "requests", "image", "labels", "nodeSelector", "tolerations",
        ])
        let name = try r.name("name")
        var labels = try r.stringMap("labels")
        if labels.isEmpty { labels = ["app": name] }
        return DaemonSet(name: name, namespace: try r.name("namespace", default: "kube-system"),
                         requests: try r.quantities("requests"), image: try r.string("image", default: defaultImage),
                         labels: labels, nodeSelector: try r.stringMap("nodeSelector"),
                         tolerations: try tolerations(r, file: file))
    }

    private static func tolerations(_ r: FieldReader, file: String) throws(SimulationLoadError) -> [JSONValue] {
        var result: [JSONValue] = []
        for (i, item) in try r.list("tolerations").enumerated() {
            let t = try FieldReader(item, file: file, path: r.field("tolerations[\(i)]"),
                                    allowed: ["key", "operator", "value", "effect", "tolerationSeconds"])
            let op = try t.string("operator", default: "Equal", expected: "Equal or Exists")
            guard op == "Equal" || op == "Exists" else {
                throw .invalidField(file: file, field: t.field("operator"), value: "\"\(op)\"", expected: "Equal or Exists")
            }
            if t.has("effect") {
                let effect = try t.string("effect", expected: "NoSchedule, PreferNoSchedule or NoExecute")
                guard ["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(effect) else {
                    throw .invalidField(file: file, field: t.field("effect"), value: "\"\(effect)\"",
                                        expected: "NoSchedule, PreferNoSchedule or NoExecute")
                }
            }
            result.append(item)
        }
        return result
    }

    private static func intOrPercent(_ value: JSONValue, field: String, file: String) throws(SimulationLoadError) -> JSONValue {
        if let i = value.intValue, i >= 0 { return .int(i) }
        if let s = value.stringValue, s.hasSuffix("%"), let n = Int(s.dropLast()), (0...100).contains(n) { return .string(s) }
        throw .invalidField(file: file, field: field, value: SnapshotLoader.describe(value),
                            expected: "a non-negative integer or a percentage such as \"50%\"")
    }
}
