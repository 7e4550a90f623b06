/// A coordination.k8s.io/v1 Lease: the lock behind leader election.
public struct Lease: KubernetesObject, Hashable {
    public static let resourceType = ResourceType.leases

    public var apiVersion = APIVersionField<Lease>()
    public var kind = KindField<Lease>()
    public var metadata: ObjectMeta
    public var spec: Spec

    public init(metadata: ObjectMeta, spec: Spec = Spec()) {
        self.metadata = metadata
        self.spec = spec
    }

    /// `coordination/v1.LeaseSpec`.
    public struct Spec: Codable, Sendable, Hashable, DefaultDecodable {
        /// The current leader's identity.
        public var holderIdentity: String?
        public var leaseDurationSeconds: Int32?
        public var acquireTime: MicroTime?
        public var renewTime: MicroTime?
        public var leaseTransitions: Int32?
        public var strategy: String?
        public var preferredHolder: String?

        public init(
            holderIdentity: String? = nil, leaseDurationSeconds: Int32? = nil, acquireTime: MicroTime? = nil,
            renewTime: MicroTime? = nil, leaseTransitions: Int32? = nil
        ) {
            self.holderIdentity = holderIdentity
            self.leaseDurationSeconds = leaseDurationSeconds
            self.acquireTime = acquireTime
            self.renewTime = renewTime
            self.leaseTransitions = leaseTransitions
        }

        public init() { self.init(holderIdentity: nil) }
    }
}
