/// A string-valued API enum that keeps values it does not know.
///
/// Kubernetes adds enum values over time (phases, condition types, reasons); decoding one must
/// not fail a whole list. Conforming types are structs with a `rawValue` and static constants.
public protocol OpenEnum: RawRepresentable, Codable, Hashable, Sendable, ExpressibleByStringLiteral,
    CustomStringConvertible
where RawValue == String {
    init(rawValue: String)
}

extension OpenEnum {
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}

/// A type whose absence in JSON means "empty" (e.g. a Pod's `status` when a client sends none).
///
/// Synthesized decoders of models decode a missing member of such a type as `init()`.
public protocol DefaultDecodable: Decodable {
    init()
}

extension KeyedDecodingContainer {
    /// Decodes a missing or null member of a ``DefaultDecodable`` type as its empty value.
    public func decode<T: DefaultDecodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decodeIfPresent(type, forKey: key) ?? T()
    }
}

/// `True`, `False` or `Unknown`.
public struct ConditionStatus: OpenEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let `true`: ConditionStatus = "True"
    public static let `false`: ConditionStatus = "False"
    public static let unknown: ConditionStatus = "Unknown"
}

/// `metav1.Condition`: the standard condition of newer APIs (PDB status, for one).
public struct Condition: Codable, Sendable, Hashable {
    public var type: String
    public var status: ConditionStatus
    public var observedGeneration: Int64?
    public var lastTransitionTime: KubeTime?
    public var reason: String?
    public var message: String?

    public init(
        type: String, status: ConditionStatus, observedGeneration: Int64? = nil, lastTransitionTime: KubeTime? = nil,
        reason: String? = nil, message: String? = nil
    ) {
        self.type = type
        self.status = status
        self.observedGeneration = observedGeneration
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}

/// `core/v1.ObjectReference`: points at any object (an Event's subject, for one).
public struct ObjectReference: Codable, Sendable, Hashable {
    public var kind: String?
    public var namespace: String?
    public var name: String?
    public var uid: String?
    public var apiVersion: String?
    public var resourceVersion: String?
    public var fieldPath: String?

    public init(
        kind: String? = nil, namespace: String? = nil, name: String? = nil, uid: String? = nil,
        apiVersion: String? = nil, resourceVersion: String? = nil, fieldPath: String? = nil
    ) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.apiVersion = apiVersion
        self.resourceVersion = resourceVersion
        self.fieldPath = fieldPath
    }

    /// A reference to `object` (kind, apiVersion, namespace, name, uid, resourceVersion).
    public init<Object: KubernetesObject>(to object: Object) {
        self.init(
            kind: Object.resourceType.kind, namespace: object.metadata.namespace, name: object.metadata.name,
            uid: object.metadata.uid, apiVersion: Object.resourceType.apiVersion,
            resourceVersion: object.metadata.resourceVersion)
    }
}
