/// A policy/v1 PodDisruptionBudget.
public struct PodDisruptionBudget: KubernetesObject, Hashable {
    public static let resourceType = ResourceType.podDisruptionBudgets

    public var apiVersion = APIVersionField<PodDisruptionBudget>()
    public var kind = KindField<PodDisruptionBudget>()
    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status

    public init(metadata: ObjectMeta, spec: Spec = Spec(), status: Status = Status()) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// Whether this budget covers `pod`: same namespace and a selector that matches its labels.
    ///
    /// A **nil** selector selects **no** pods (policy/v1 semantics); an **empty** selector
    /// (`{}`) selects every pod in the namespace.
    public func selects(_ pod: Pod) -> Bool {
        selects(namespace: pod.metadata.namespace, labels: pod.metadata.labels)
    }

    /// ``selects(_:)`` for a pod given by namespace and labels.
    public func selects(namespace: String?, labels: [String: String]?) -> Bool {
        guard let selector = spec.selector, (namespace ?? "") == (metadata.namespace ?? "") else { return false }
        return selector.matches(labels)
    }

    /// `policy/v1.PodDisruptionBudgetSpec`.
    public struct Spec: Codable, Sendable, Hashable, DefaultDecodable {
        public var minAvailable: IntOrString?
        public var maxUnavailable: IntOrString?
        public var selector: LabelSelector?
        /// `IfHealthyBudget` (the default) or `AlwaysAllow`.
        public var unhealthyPodEvictionPolicy: String?

        public init(
            minAvailable: IntOrString? = nil, maxUnavailable: IntOrString? = nil, selector: LabelSelector? = nil,
            unhealthyPodEvictionPolicy: String? = nil
        ) {
            self.minAvailable = minAvailable
            self.maxUnavailable = maxUnavailable
            self.selector = selector
            self.unhealthyPodEvictionPolicy = unhealthyPodEvictionPolicy
        }

        public init() { self.init(minAvailable: nil) }
    }

    /// `policy/v1.PodDisruptionBudgetStatus`. The counters are optional here because a
    /// freshly created budget has no status yet.
    public struct Status: Codable, Sendable, Hashable, DefaultDecodable {
        public var observedGeneration: Int64?
        /// Pods whose eviction was admitted but that have not gone yet, with the admission time.
        public var disruptedPods: [String: KubeTime]?
        public var disruptionsAllowed: Int32?
        public var currentHealthy: Int32?
        public var desiredHealthy: Int32?
        public var expectedPods: Int32?
        public var conditions: [Condition]?

        public init(
            observedGeneration: Int64? = nil, disruptedPods: [String: KubeTime]? = nil,
            disruptionsAllowed: Int32? = nil, currentHealthy: Int32? = nil, desiredHealthy: Int32? = nil,
            expectedPods: Int32? = nil, conditions: [Condition]? = nil
        ) {
            self.observedGeneration = observedGeneration
            self.disruptedPods = disruptedPods
            self.disruptionsAllowed = disruptionsAllowed
            self.currentHealthy = currentHealthy
            self.desiredHealthy = desiredHealthy
            self.expectedPods = expectedPods
            self.conditions = conditions
        }

        public init() { self.init(observedGeneration: nil) }
    }
}

/// A policy/v1 Eviction: POSTed to `pods/<name>/eviction` to evict a pod while respecting
/// PodDisruptionBudgets.
public struct Eviction: KubernetesObject, Hashable {
    public static let resourceType = ResourceType.evictions

    public var apiVersion = APIVersionField<Eviction>()
    public var kind = KindField<Eviction>()
    /// The pod's name and namespace.
    public var metadata: ObjectMeta
    public var deleteOptions: DeleteOptions?

    public init(metadata: ObjectMeta, deleteOptions: DeleteOptions? = nil) {
        self.metadata = metadata
        self.deleteOptions = deleteOptions
    }

    /// An eviction of the pod `namespace/name`.
    public init(podName: String, namespace: String, deleteOptions: DeleteOptions? = nil) {
        self.init(metadata: ObjectMeta(name: podName, namespace: namespace), deleteOptions: deleteOptions)
    }
}
