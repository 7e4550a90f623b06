/// Where a kind of object lives in the Kubernetes API: its group, version, plural resource
/// name and kind, and whether its objects belong to a namespace.
///
/// ```swift
/// Pod.resourceType.path(namespace: "default", name: "web-0")
/// // "/api/v1/namespaces/default/pods/web-0"
/// ```
public struct ResourceType: Sendable, Hashable, CustomStringConvertible {
    /// The API group; empty for the core group (`v1`).
    public var group: String
    /// The API version inside the group, e.g. `v1`.
    public var version: String
    /// The plural, lower-case resource name used in URLs, e.g. `pods`.
    public var resource: String
    /// The object kind, e.g. `Pod`.
    public var kind: String
    /// Whether objects of this type live in a namespace.
    public var namespaced: Bool

    public init(group: String, version: String, resource: String, kind: String, namespaced: Bool) {
        self.group = group
        self.version = version
        self.resource = resource
        self.kind = kind
        self.namespaced = namespaced
    }

    /// The `apiVersion` field value: `v1` for the core group, `group/version` otherwise.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// The kind of a list of these objects, e.g. `PodList`.
    public var listKind: String { kind + "List" }

    /// The URL path prefix of the group version: `/api/v1` or `/apis/group/version`.
    public var pathPrefix: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }

    /// The URL path of the collection (when `name` is nil) or of one object.
    ///
    /// `namespace` is ignored for cluster-scoped types; for namespaced types a nil namespace
    /// gives the all-namespaces collection path.
    public func path(namespace: String? = nil, name: String? = nil, subresource: String? = nil) -> String {
        var path = pathPrefix
        if namespaced, let namespace { path += "/namespaces/\(namespace)" }
        path += "/\(resource)"
        if let name {
            path += "/\(name)"
            if let subresource { path += "/\(subresource)" }
        }
        return path
    }

    public var description: String { group.isEmpty ? resource : "\(resource).\(group)" }
}

extension ResourceType {
    public static let pods = ResourceType(group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true)
    public static let nodes = ResourceType(group: "", version: "v1", resource: "nodes", kind: "Node", namespaced: false)
    public static let namespaces = ResourceType(
        group: "", version: "v1", resource: "namespaces", kind: "Namespace", namespaced: false)
    public static let configMaps = ResourceType(
        group: "", version: "v1", resource: "configmaps", kind: "ConfigMap", namespaced: true)
    public static let events = ResourceType(
        group: "", version: "v1", resource: "events", kind: "Event", namespaced: true)
    public static let eventsV1 = ResourceType(
        group: "events.k8s.io", version: "v1", resource: "events", kind: "Event", namespaced: true)
    public static let podDisruptionBudgets = ResourceType(
        group: "policy", version: "v1", resource: "poddisruptionbudgets", kind: "PodDisruptionBudget", namespaced: true)
    public static let evictions = ResourceType(
        group: "policy", version: "v1", resource: "evictions", kind: "Eviction", namespaced: true)
    public static let leases = ResourceType(
        group: "coordination.k8s.io", version: "v1", resource: "leases", kind: "Lease", namespaced: true)
    public static let replicaSets = ResourceType(
        group: "apps", version: "v1", resource: "replicasets", kind: "ReplicaSet", namespaced: true)
    public static let daemonSets = ResourceType(
        group: "apps", version: "v1", resource: "daemonsets", kind: "DaemonSet", namespaced: true)
}
