/// A core/v1 ConfigMap.
public struct ConfigMap: KubernetesObject, Hashable {
    public static let resourceType = ResourceType.configMaps

    public var apiVersion = APIVersionField<ConfigMap>()
    public var kind = KindField<ConfigMap>()
    public var metadata: ObjectMeta
    public var data: [String: String]?
    /// Base64-encoded binary values.
    public var binaryData: [String: String]?
    public var immutable: Bool?

    public init(
        metadata: ObjectMeta, data: [String: String]? = nil, binaryData: [String: String]? = nil,
        immutable: Bool? = nil
    ) {
        self.metadata = metadata
        self.data = data
        self.binaryData = binaryData
        self.immutable = immutable
    }
}

/// A core/v1 Namespace.
public struct Namespace: KubernetesObject, Hashable {
    public static let resourceType = ResourceType.namespaces

    public var apiVersion = APIVersionField<Namespace>()
    public var kind = KindField<Namespace>()
    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec? = nil, status: Status? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// `core/v1.NamespaceSpec`.
    public struct Spec: Codable, Sendable, Hashable {
        public var finalizers: [String]?

        public init(finalizers: [String]? = nil) { self.finalizers = finalizers }
    }

    /// `core/v1.NamespaceStatus`.
    public struct Status: Codable, Sendable, Hashable {
        /// `Active` or `Terminating`.
        public var phase: String?
        public var conditions: [JSONValue]?

        public init(phase: String? = nil, conditions: [JSONValue]? = nil) {
            self.phase = phase
            self.conditions = conditions
        }
    }
}
