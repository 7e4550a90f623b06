/// `metav1.ObjectMeta`: what every persisted object carries. `managedFields` is not modelled.
public struct ObjectMeta: Codable, Sendable, Hashable {
    /// Unique within the namespace (or the cluster, for cluster-scoped objects).
    public var name: String?
    /// A prefix the server completes with a random suffix when `name` is empty on create.
    public var generateName: String?
    /// Empty or nil for cluster-scoped objects.
    public var namespace: String?
    /// Set by the server; distinguishes objects that reuse a name over time.
    public var uid: String?
    /// Opaque version for optimistic concurrency and watches; compare only for equality.
    public var resourceVersion: String?
    /// Incremented by the server on every change to the desired state (spec).
    public var generation: Int64?
    public var creationTimestamp: KubeTime?
    /// Set when deletion was requested; the object goes once its finalizers are removed.
    public var deletionTimestamp: KubeTime?
    public var deletionGracePeriodSeconds: Int64?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    /// The objects this one depends on (the one with `controller: true` manages it).
    public var ownerReferences: [OwnerReference]?
    /// Keys that must be removed before the server deletes the object.
    public var finalizers: [String]?

    /// The member names (also read by the tape reader behind ``KubeJSONDecoder``).
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, generateName, namespace, uid, resourceVersion, generation, creationTimestamp, deletionTimestamp,
            deletionGracePeriodSeconds, labels, annotations, ownerReferences, finalizers
    }

    public init(
        name: String? = nil, generateName: String? = nil, namespace: String? = nil, uid: String? = nil,
        resourceVersion: String? = nil, generation: Int64? = nil, creationTimestamp: KubeTime? = nil,
        deletionTimestamp: KubeTime? = nil, deletionGracePeriodSeconds: Int64? = nil,
        labels: [String: String]? = nil, annotations: [String: String]? = nil,
        ownerReferences: [OwnerReference]? = nil, finalizers: [String]? = nil
    ) {
        self.name = name
        self.generateName = generateName
        self.namespace = namespace
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.generation = generation
        self.creationTimestamp = creationTimestamp
        self.deletionTimestamp = deletionTimestamp
        self.deletionGracePeriodSeconds = deletionGracePeriodSeconds
        self.labels = labels
        self.annotations = annotations
        self.ownerReferences = ownerReferences
        self.finalizers = finalizers
    }

    /// The owner reference marked `controller: true`, if any.
    public var controllerReference: OwnerReference? {
        ownerReferences?.first { $0.controller == true }
    }

    /// Whether a deletion has been requested (the object may still wait on finalizers).
    public var isBeingDeleted: Bool { deletionTimestamp != nil }
}

/// `metav1.OwnerReference`: points from a dependent object to its owner.
public struct OwnerReference: Codable, Sendable, Hashable {
    /// The owner's `apiVersion`, e.g. `apps/v1`.
    public var apiVersion: String
    /// The owner's kind, e.g. `ReplicaSet`.
    public var kind: String
    public var name: String
    public var uid: String
    /// `true` on the one owner that manages this object.
    public var controller: Bool?
    /// Whether foreground deletion of the owner waits for this object.
    public var blockOwnerDeletion: Bool?

    /// The member names (also read by the tape reader behind ``KubeJSONDecoder``).
    enum CodingKeys: String, CodingKey, CaseIterable {
        case apiVersion, kind, name, uid, controller, blockOwnerDeletion
    }

    public init(
        apiVersion: String, kind: String, name: String, uid: String, controller: Bool? = nil,
        blockOwnerDeletion: Bool? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }
}
