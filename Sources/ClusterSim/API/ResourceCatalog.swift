/// What ClusterSim knows about one served resource type.
public struct ResourceDescriptor: Sendable, Hashable, CustomStringConvertible {
    /// API group (`""` for core).
    public var group: String
    /// The preferred (storage) version.
    public var version: String
    /// Other versions served with the same objects.
    public var alsoServedVersions: [String]
    /// Lower-case plural name used in URLs (`pods`).
    public var plural: String
    public var singular: String
    public var kind: String
    public var namespaced: Bool
    public var shortNames: [String]
    public var categories: [String]
    /// Subresources served (`status`, `eviction`, `binding`).
    public var subresources: [String]
    /// Whether `metadata.generation` is tracked and bumped on spec changes.
    public var tracksGeneration: Bool
    /// Field selector labels the API server supports for this resource besides
    /// `metadata.name` and `metadata.namespace`.
    public var fieldLabels: [String]

    public init(
        group: String, version: String, alsoServedVersions: [String] = [], plural: String, singular: String,
        kind: String, namespaced: Bool, shortNames: [String] = [], categories: [String] = [],
        subresources: [String] = [], tracksGeneration: Bool = false, fieldLabels: [String] = []
    ) {
        self.group = group
        self.version = version
        self.alsoServedVersions = alsoServedVersions
        self.plural = plural
        self.singular = singular
        self.kind = kind
        self.namespaced = namespaced
        self.shortNames = shortNames
        self.categories = categories
        self.subresources = subresources
        self.tracksGeneration = tracksGeneration
        self.fieldLabels = fieldLabels
    }

    /// `v1` or `policy/v1`.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// Whether `/status` is served.
    public var hasStatus: Bool { subresources.contains("status") }

    public var description: String { group.isEmpty ? plural : "\(plural).\(group)" }

    /// Whether `version` is served for this resource.
    public func serves(version v: String) -> Bool { v == version || alsoServedVersions.contains(v) }
}

/// The resource types ClusterSim serves.
public struct ResourceCatalog: Sendable {
    public let resources: [ResourceDescriptor]
    private let byGroupPlural: [String: ResourceDescriptor]

    public init(_ resources: [ResourceDescriptor]) {
        self.resources = resources
        var index: [String: ResourceDescriptor] = [:]
        for r in resources { index["\(r.group)/\(r.plural)"] = r }
        byGroupPlural = index
    }

    /// The resource named `plural` in `group` (any served version).
    public func resource(group: String, plural: String) -> ResourceDescriptor? {
        byGroupPlural["\(group)/\(plural)"]
    }

    /// The resource with this kind and apiVersion (`v1` / `apps/v1`).
    public func resource(apiVersion: String, kind: String) -> ResourceDescriptor? {
        let parts = apiVersion.split(separator: "/", maxSplits: 1).map(String.init)
        let group = parts.count == 2 ? parts[0] : ""
        let version = parts.count == 2 ? parts[1] : parts.first ?? ""
        return resources.first { $0.group == group && $0.kind == kind && $0.serves(version: version) }
    }

    /// Groups in serving order, each with its versions.
    public var groups: [(name: String, versions: [String])] {
        var seen: [String] = []
        var versions: [String: [String]] = [:]
        for r in resources {
            if versions[r.group] == nil { seen.append(r.group) }
            for v in [r.version] + r.alsoServedVersions where !(versions[r.group] ?? []).contains(v) {
                versions[r.group, default: []].append(v)
            }
        }
        return seen.map { ($0, versions[$0] ?? []) }
    }

    /// The resources Mend and kubectl need.
    public static let standard = ResourceCatalog([
        ResourceDescriptor(group: "", version: "v1", plural: "namespaces", singular: "namespace", kind: "Namespace",
                           namespaced: false, shortNames: ["ns"], subresources: ["status"],
                           fieldLabels: ["status.phase"]),
        ResourceDescriptor(group: "", version: "v1", plural: "nodes", singular: "node", kind: "Node",
                           namespaced: false, shortNames: ["no"], subresources: ["status"],
                           fieldLabels: ["spec.unschedulable"]),
        ResourceDescriptor(group: "", version: "v1", plural: "pods", singular: "pod", kind: "Pod",
                           namespaced: true, shortNames: ["po"], categories: ["all"],
                           subresources: ["status", "eviction", "binding"],
                           fieldLabels: ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
                                         "spec.serviceAccountName", "spec.hostNetwork", "status.phase",
                                         "status.podIP", "status.nominatedNodeName"]),
        ResourceDescriptor(group: "", version: "v1", plural: "events", singular: "event", kind: "Event",
                           namespaced: true, shortNames: ["ev"],
                           fieldLabels: ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
                                         "involvedObject.uid", "involvedObject.apiVersion",
                                         "involvedObject.resourceVersion", "involvedObject.fieldPath",
                                         "reason", "reportingComponent", "source", "type"]),
        ResourceDescriptor(group: "", version: "v1", plural: "configmaps", singular: "configmap", kind: "ConfigMap",
                           namespaced: true, shortNames: ["cm"]),
        ResourceDescriptor(group: "apps", version: "v1", plural: "replicasets", singular: "replicaset",
                           kind: "ReplicaSet", namespaced: true, shortNames: ["rs"], categories: ["all"],
                           subresources: ["status"], tracksGeneration: true),
        ResourceDescriptor(group: "apps", version: "v1", plural: "daemonsets", singular: "daemonset",
                           kind: "DaemonSet", namespaced: true, shortNames: ["ds"], categories: ["all"],
                           subresources: ["status"], tracksGeneration: true),
        ResourceDescriptor(group: "apps", version: "v1", plural: "deployments", singular: "deployment",
                           kind: "Deployment", namespaced: true, shortNames: ["deploy"], categories: ["all"],
                           subresources: ["status"], tracksGeneration: true),
        ResourceDescriptor(group: "coordination.k8s.io", version: "v1", plural: "leases", singular: "lease",
                           kind: "Lease", namespaced: true),
        ResourceDescriptor(group: "events.k8s.io", version: "v1", plural: "events", singular: "event", kind: "Event",
                           namespaced: true, shortNames: ["ev"],
                           fieldLabels: ["regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid",
                                         "regarding.apiVersion", "regarding.resourceVersion", "regarding.fieldPath",
                                         "reason", "reportingController", "type"]),
        ResourceDescriptor(group: "policy", version: "v1",
                           plural: "poddisruptionbudgets", singular: "poddisruptionbudget",
                           kind: "PodDisruptionBudget", namespaced: true, shortNames: ["pdb"],
                           subresources: ["status"], tracksGeneration: true),
    ])
}
