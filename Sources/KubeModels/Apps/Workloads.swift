/// `core/v1.PodTemplateSpec`: the pods a workload controller creates.
public struct PodTemplateSpec: Codable, Sendable, Hashable, DefaultDecodable {
    public var metadata: ObjectMeta?
    public var spec: PodSpec

    public init(metadata: ObjectMeta? = nil, spec: PodSpec = PodSpec()) {
        self.metadata = metadata
        self.spec = spec
    }

    public init() { self.init(metadata: nil) }
}

/// An apps/v1 ReplicaSet.
public struct ReplicaSet: KubernetesObject, Hashable {
    public static let resourceType = ResourceType.replicaSets

    public var apiVersion = APIVersionField<ReplicaSet>()
    public var kind = KindField<ReplicaSet>()
    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status

    public init(metadata: ObjectMeta, spec: Spec = Spec(), status: Status = Status()) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// `apps/v1.ReplicaSetSpec`.
    public struct Spec: Codable, Sendable, Hashable, DefaultDecodable {
        /// Desired pods; the API defaults it to 1.
        public var replicas: Int32?
        public var minReadySeconds: Int32?
        /// Required by the API; kept optional so a missing selector is never read as "everything".
        public var selector: LabelSelector?
        public var template: PodTemplateSpec?

        public init(
            replicas: Int32? = nil, minReadySeconds: Int32? = nil, selector: LabelSelector? = nil,
            template: PodTemplateSpec? = nil
        ) {
            self.replicas = replicas
            self.minReadySeconds = minReadySeconds
            self.selector = selector
            self.template = template
        }

        public init() { self.init(replicas: nil) }
    }

    /// `apps/v1.ReplicaSetStatus`.
    public struct Status: Codable, Sendable, Hashable, DefaultDecodable {
        public var replicas: Int32?
        public var fullyLabeledReplicas: Int32?
        public var readyReplicas: Int32?
        public var availableReplicas: Int32?
        public var observedGeneration: Int64?
        public var conditions: [JSONValue]?

        public init(
            replicas: Int32? = nil, fullyLabeledReplicas: Int32? = nil, readyReplicas: Int32? = nil,
            availableReplicas: Int32? = nil, observedGeneration: Int64? = nil
        ) {
            self.replicas = replicas
            self.fullyLabeledReplicas = fullyLabeledReplicas
            self.readyReplicas = readyReplicas
            self.availableReplicas = availableReplicas
            self.observedGeneration = observedGeneration
        }

        public init() { self.init(replicas: nil) }
    }
}

/// An apps/v1 DaemonSet.
public struct DaemonSet: KubernetesObject, Hashable {
    public static let resourceType = ResourceType.daemonSets

    public var apiVersion = APIVersionField<DaemonSet>()
    public var kind = KindField<DaemonSet>()
    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status

    public init(metadata: ObjectMeta, spec: Spec = Spec(), status: Status = Status()) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// `apps/v1.DaemonSetSpec`.
    public struct Spec: Codable, Sendable, Hashable, DefaultDecodable {
        public var selector: LabelSelector?
        public var template: PodTemplateSpec
        public var updateStrategy: JSONValue?
        public var minReadySeconds: Int32?
        public var revisionHistoryLimit: Int32?

        public init(
            selector: LabelSelector? = nil, template: PodTemplateSpec = PodTemplateSpec(),
            updateStrategy: JSONValue? = nil
        ) {
            self.selector = selector
            self.template = template
            self.updateStrategy = updateStrategy
        }

        public init() { self.init(selector: nil) }
    }

    /// `apps/v1.DaemonSetStatus`.
    public struct Status: Codable, Sendable, Hashable, DefaultDecodable {
        public var currentNumberScheduled: Int32?
        public var numberMisscheduled: Int32?
        public var desiredNumberScheduled: Int32?
        public var numberReady: Int32?
        public var observedGeneration: Int64?
        public var updatedNumberScheduled: Int32?
        public var numberAvailable: Int32?
        public var numberUnavailable: Int32?
        public var collisionCount: Int32?
        public var conditions: [JSONValue]?

        public init(
            currentNumberScheduled: Int32? = nil, numberMisscheduled: Int32? = nil,
            desiredNumberScheduled: Int32? = nil, numberReady: Int32? = nil
        ) {
            self.currentNumberScheduled = currentNumberScheduled
            self.numberMisscheduled = numberMisscheduled
            self.desiredNumberScheduled = desiredNumberScheduled
            self.numberReady = numberReady
        }

        public init() { self.init(currentNumberScheduled: nil) }
    }
}
