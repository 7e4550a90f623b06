#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import KubeModels

/// Node groups described in a file, so `mend-autoscaler plan` can run with no AWS access:
///
/// ```yaml
/// nodeGroups:
///   - name: workers-a          # the group (ASG) name
///     min: 1                   # default 0
///     max: 10
///     desired: 2               # default: the number of member instances found
///     instances: [i-0a1b2c3d]  # members by instance id (as in a node's spec.providerID) ...
///     nodes: [ip-10-0-1-7.ec2.internal]  # ... by node name in the snapshot ...
///     nodeLabels: {eks.amazonaws.com/nodegroup: workers-a}  # ... or by the labels their nodes carry
///     zones: [us-east-1a]
///     instanceTypes:           # what a new node looks like when the group has no node to copy
///       - {name: m5.large, cpu: 2, memory: 8Gi, maxPods: 29, gpus: 0, architecture: amd64}
///     labels: {team: web}      # node-template labels, taints and resources, as the
///     taints: [{key: dedicated, value: web, effect: NoSchedule}]   # node-template tags give them
///     resources: {ephemeral-storage: 100Gi}
/// ```
///
/// Every field is checked; an error names the file and the field.
public struct NodeGroupsFile: Sendable {
    public let file: String
    public let groups: [NodeGroup]

    static let topKeys: Set<String> = ["nodeGroups"]
    static let groupKeys: Set<String> = [
        "name", "min", "max", "desired", "instances", "nodes", "nodeLabels", "zones", "instanceTypes", "labels", "taints",
        "resources",
    ]
    static let typeKeys: Set<String> = ["name", "cpu", "memory", "gpus", "maxPods", "architecture"]

    /// Reads the file at `path`; `nodes` (the snapshot's) resolve `nodes` and `nodeLabels` members.
    public init(path: String, nodes: [Node]) throws(SnapshotFileError) {
        try self.init(documents: SnapshotYAML.load(path: path), file: path, nodes: nodes)
    }

    /// Reads groups-file text; `file` names it in errors.
    public init(text: String, file: String, nodes: [Node]) throws(SnapshotFileError) {
        try self.init(documents: SnapshotYAML.parse(text, file: file), file: file, nodes: nodes)
    }

    init(documents: [JSONValue], file: String, nodes: [Node]) throws(SnapshotFileError) {
        guard documents.count == 1, let top = documents[0].objectValue else {
            throw .invalidField(file: file, field: "(top level)", problem: "expected one YAML document with a nodeGroups list")
        }
        try Self.checkKeys(top, allowed: Self.topKeys, file: file, field: "")
        guard let list = top["nodeGroups"] else {
            throw .missingField(file: file, field: "nodeGroups", expected: "a list of node groups")
        }
        guard let entries = list.arrayValue, !entries.isEmpty else {
            throw .invalidField(file: file, field: "nodeGroups", problem: "expected a non-empty list of node groups")
        }
        let byName = Dictionary(nodes.compactMap { n in n.metadata.name.map { ($0, n) } }, uniquingKeysWith: { a, _ in a })
        var groups: [NodeGroup] = []
        var owner: [String: String] = [:]  // instance id → group
        for (index, entry) in entries.enumerated() {
            let field = "nodeGroups[\(index)]"
            guard let object = entry.objectValue else {
                throw .invalidField(file: file, field: field, problem: "expected a node group (a mapping with name, min, max, ...)")
            }
            try Self.checkKeys(object, allowed: Self.groupKeys, file: file, field: field)
            let spec = try SnapshotYAML.decode(GroupSpec.self, entry, file: file, field: field)
            guard !spec.name.isEmpty else {
                throw .invalidField(file: file, field: "\(field).name", problem: "must not be empty")
            }
            if groups.contains(where: { $0.id == spec.name }) {
                throw .invalidField(file: file, field: "\(field).name", problem: "group \"\(spec.name)\" is listed twice")
            }
            let min = spec.min ?? 0
            guard min >= 0 else { throw .invalidField(file: file, field: "\(field).min", problem: "must be 0 or more, got \(min)") }
            guard spec.max >= min else {
                throw .invalidField(file: file, field: "\(field).max", problem: "\(spec.max) is below min \(min)")
            }

            // Members: instance ids, named nodes, labelled nodes.
            var instances: [GroupInstance] = []
            func add(_ instance: GroupInstance, at memberField: String) throws(SnapshotFileError) {
                if let other = owner[instance.id], other != spec.name {
                    throw .invalidField(
                        file: file, field: memberField, problem: "instance \(instance.id) already belongs to group \"\(other)\"")
                }
                guard !instances.contains(where: { $0.id == instance.id }) else { return }
                owner[instance.id] = spec.name
                instances.append(instance)
            }
            for (i, id) in (spec.instances ?? []).enumerated() {
                guard id.hasPrefix("i-"), id.count > 2 else {
                    throw .invalidField(file: file, field: "\(field).instances[\(i)]", problem: "\"\(id)\" is not an EC2 instance id (i-...)")
                }
                let zone = nodes.lazy.compactMap { $0.spec.providerID.flatMap(ProviderID.init(parsing:)) }
                    .first { $0.instanceID == id }?.zone
                try add(GroupInstance(id: id, zone: zone.flatMap { $0.isEmpty ? nil : $0 }), at: "\(field).instances[\(i)]")
            }
            for (i, name) in (spec.nodes ?? []).enumerated() {
                let memberField = "\(field).nodes[\(i)]"
                guard let node = byName[name] else {
                    throw .invalidField(file: file, field: memberField, problem: "node \"\(name)\" is not in the snapshot")
                }
                guard let id = node.spec.providerID.flatMap(ProviderID.init(parsing:)) else {
                    throw .invalidField(
                        file: file, field: memberField,
                        problem: "node \"\(name)\" has no AWS spec.providerID (aws:///<zone>/<instance-id>) to map it by")
                }
                try add(GroupInstance(id: id.instanceID, zone: id.zone.isEmpty ? nil : id.zone), at: memberField)
            }
            if let selector = spec.nodeLabels {
                guard !selector.isEmpty else {
                    throw .invalidField(file: file, field: "\(field).nodeLabels", problem: "must name at least one label")
                }
                for node in nodes.sorted(by: { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }) {
                    let labels = node.metadata.labels ?? [:]
                    guard selector.allSatisfy({ labels[$0.key] == $0.value }),
                        let id = node.spec.providerID.flatMap(ProviderID.init(parsing:))
                    else { continue }
                    try add(GroupInstance(id: id.instanceID, zone: id.zone.isEmpty ? nil : id.zone), at: "\(field).nodeLabels")
                }
            }
            let desired = spec.desired ?? instances.count
            guard desired >= min && desired <= spec.max else {
                throw .invalidField(
                    file: file, field: "\(field).desired", problem: "\(desired) is outside min \(min) and max \(spec.max)")
            }

            // The template source.
            var shapes: [InstanceShape] = []
            for (i, type) in (spec.instanceTypes ?? []).enumerated() {
                let typeField = "\(field).instanceTypes[\(i)]"
                if let object = entries[index]["instanceTypes"]?.arrayValue?[i].objectValue {
                    try Self.checkKeys(object, allowed: Self.typeKeys, file: file, field: typeField)
                }
                guard type.cpu.milliValue > 0 else {
                    throw .invalidField(file: file, field: "\(typeField).cpu", problem: "must be more than 0")
                }
                let mebibytes = type.memory.value / (1024 * 1024)
                guard mebibytes > 0 else {
                    throw .invalidField(file: file, field: "\(typeField).memory", problem: "must be at least 1Mi, e.g. 8Gi")
                }
                if let maxPods = type.maxPods, maxPods <= 0 {
                    throw .invalidField(file: file, field: "\(typeField).maxPods", problem: "must be more than 0")
                }
                shapes.append(
                    InstanceShape(
                        name: type.name, vCPUs: max(1, type.cpu.value), memoryMiB: mebibytes, gpus: type.gpus ?? 0,
                        maxPods: type.maxPods, architecture: type.architecture))
            }
            let known: [TaintEffect] = [.noSchedule, .preferNoSchedule, .noExecute]
            for (i, taint) in (spec.taints ?? []).enumerated() where !known.contains(taint.effect) {
                throw .invalidField(
                    file: file, field: "\(field).taints[\(i)].effect",
                    problem: "\"\(taint.effect.rawValue)\" is not NoSchedule, PreferNoSchedule or NoExecute")
            }
            let zones = spec.zones ?? Array(Set(instances.compactMap(\.zone))).sorted()
            groups.append(
                NodeGroup(
                    id: spec.name, minSize: min, maxSize: spec.max, desiredCapacity: desired, instances: instances,
                    templateSource: TemplateSource(
                        instanceTypes: shapes,
                        tags: NodeTemplateTags(labels: spec.labels ?? [:], taints: spec.taints ?? [], resources: spec.resources ?? [:]),
                        zones: zones.sorted())))
        }
        self.file = file
        self.groups = groups
    }

    private static func checkKeys(
        _ object: [String: JSONValue], allowed: Set<String>, file: String, field: String
    ) throws(SnapshotFileError) {
        for key in object.keys.sorted() where !allowed.contains(key) {
            throw .invalidField(
                file: file, field: field.isEmpty ? key : "\(field).\(key)",
                problem: "unknown field; expected one of \(allowed.sorted().joined(separator: ", "))")
        }
    }

    struct GroupSpec: Decodable {
        var name: String
        var min: Int?
        var max: Int
        var desired: Int?
        var instances: [String]?
        var nodes: [String]?
        var nodeLabels: [String: String]?
        var zones: [String]?
        var instanceTypes: [TypeSpec]?
        var labels: [String: String]?
        var taints: [Taint]?
        var resources: [String: Quantity]?
    }

    struct TypeSpec: Decodable {
        var name: String
        var cpu: Quantity
        var memory: Quantity
        var gpus: Int64?
        var maxPods: Int64?
        var architecture: String?
    }
}

/// Node groups that stay as read (from a ``NodeGroupsFile``): for plans, which never write.
/// Every write is refused.
public struct StaticNodeGroupProvider: NodeGroupProvider {
    public let groups: [NodeGroup]

    public init(groups: [NodeGroup]) { self.groups = groups }

    /// A write this provider refused.
    public struct ReadOnly: Error, CustomStringConvertible {
        public var description: String
    }

    public func nodeGroups() async throws -> [NodeGroup] { groups }

    public func setDesiredCapacity(group: String, to capacity: Int) async throws {
        throw ReadOnly(description: "node groups from a file are read-only (setDesiredCapacity \(group) to \(capacity) refused)")
    }

    public func terminateInstance(_ instanceID: String, group: String, decrementDesiredCapacity: Bool) async throws {
        throw ReadOnly(description: "node groups from a file are read-only (terminating \(instanceID) in \(group) refused)")
    }

    public func launchFailures(group: String, since: Date) async throws -> [LaunchFailure] { [] }
}
