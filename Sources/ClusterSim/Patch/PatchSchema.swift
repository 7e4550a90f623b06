/// How a list field merges in a strategic merge patch (the Go types' `patchStrategy` and
/// `patchMergeKey` tags). Lists not listed here are atomic: a patch replaces them.
struct PatchSchema: Sendable {
    enum ListStrategy: Sendable, Equatable {
        /// Elements are objects merged by this key.
        case mergeByKey(String)
        /// A list of scalars merged as a set union (`finalizers`, `podCIDRs`).
        case mergePrimitives
    }

    /// Keyed by the field path from the object root, list levels not counted
    /// (e.g. `spec.containers.env`).
    let lists: [String: ListStrategy]

    func strategy(for path: String) -> ListStrategy? { lists[path] }

    static let metadataLists: [String: ListStrategy] = [
        "metadata.finalizers": .mergePrimitives,
        "metadata.ownerReferences": .mergeByKey("uid"),
    ]

    /// `PodSpec` lists, relative to the pod spec.
    static let podSpecLists: [String: ListStrategy] = [
        "containers": .mergeByKey("name"),
        "initContainers": .mergeByKey("name"),
        "ephemeralContainers": .mergeByKey("name"),
        "volumes": .mergeByKey("name"),
        "imagePullSecrets": .mergeByKey("name"),
        "hostAliases": .mergeByKey("ip"),
        "schedulingGates": .mergeByKey("name"),
        "resourceClaims": .mergeByKey("name"),
        "topologySpreadConstraints": .mergeByKey("topologyKey"),
        "containers.ports": .mergeByKey("containerPort"),
        "containers.env": .mergeByKey("name"),
        "containers.volumeMounts": .mergeByKey("mountPath"),
        "containers.volumeDevices": .mergeByKey("devicePath"),
        "initContainers.ports": .mergeByKey("containerPort"),
        "initContainers.env": .mergeByKey("name"),
        "initContainers.volumeMounts": .mergeByKey("mountPath"),
        "initContainers.volumeDevices": .mergeByKey("devicePath"),
    ]

    static func withPodSpec(at prefix: String) -> [String: ListStrategy] {
        var lists: [String: ListStrategy] = [:]
        for (path, strategy) in podSpecLists { lists[prefix + "." + path] = strategy }
        return lists
    }

    static let conditionsByType: [String: ListStrategy] = ["status.conditions": .mergeByKey("type")]

    static let byResource: [String: PatchSchema] = {
        var schemas: [String: PatchSchema] = [:]
        func merged(_ parts: [String: ListStrategy]...) -> PatchSchema {
            var all = metadataLists
            for part in parts { all.merge(part) { a, _ in a } }
            return PatchSchema(lists: all)
        }
        schemas["/pods"] = merged(withPodSpec(at: "spec"), conditionsByType, [
            "status.podIPs": .mergeByKey("ip"),
            "status.hostIPs": .mergeByKey("ip"),
        ])
        schemas["/nodes"] = merged(conditionsByType, [
            "spec.podCIDRs": .mergePrimitives,
            "status.addresses": .mergeByKey("type"),
        ])
        schemas["/namespaces"] = merged(conditionsByType)
        for workload in ["replicasets", "daemonsets", "deployments"] {
            schemas["apps/\(workload)"] = merged(withPodSpec(at: "spec.template.spec"), conditionsByType)
        }
        schemas["policy/poddisruptionbudgets"] = merged(conditionsByType)
        return schemas
    }()

    /// The patch metadata for `resource` (metadata lists only, for resources without special lists).
    static func `for`(_ resource: ResourceDescriptor) -> PatchSchema {
        byResource["\(resource.group)/\(resource.plural)"] ?? PatchSchema(lists: metadataLists)
    }
}
