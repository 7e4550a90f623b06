/// A typed Kubernetes object: it knows where it lives in the API and carries `ObjectMeta`.
///
/// Conforming models store `apiVersion` and `kind` as ``APIVersionField`` / ``KindField``
/// so encoding always writes them (list items arrive without them, and decode fine).
public protocol KubernetesObject: Codable, Sendable {
    /// Where objects of this type live in the API.
    static var resourceType: ResourceType { get }
    /// The object's metadata.
    var metadata: ObjectMeta { get set }
}

extension KubernetesObject {
    /// `metadata.name`, or the empty string when unset.
    public var name: String { metadata.name ?? "" }
    /// `metadata.namespace`, or nil for cluster-scoped objects and unset namespaces.
    public var namespace: String? { metadata.namespace }
    /// `namespace/name` for namespaced objects, `name` for cluster-scoped ones.
    public var key: String {
        if let namespace = metadata.namespace, !namespace.isEmpty { return "\(namespace)/\(name)" }
        return name
    }
}

/// The `apiVersion` of a `KubernetesObject`, always encoded from the type's ``ResourceType``.
///
/// Decoding tolerates a missing field (list items have none) and rejects a different value,
/// so a Node cannot silently decode as a Pod.
public struct APIVersionField<Object: KubernetesObject>: Codable, Sendable, Hashable {
    public init() {}

    /// The value written on encode.
    public var value: String { Object.resourceType.apiVersion }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let found = try container.decode(String.self)
        guard found == Object.resourceType.apiVersion else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "apiVersion '\(found)' does not match \(Object.resourceType.kind) "
                    + "(expected '\(Object.resourceType.apiVersion)')")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

/// The `kind` of a `KubernetesObject`, always encoded from the type's ``ResourceType``.
///
/// Decoding tolerates a missing field and rejects a different kind.
public struct KindField<Object: KubernetesObject>: Codable, Sendable, Hashable {
    public init() {}

    /// The value written on encode.
    public var value: String { Object.resourceType.kind }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let found = try container.decode(String.self)
        guard found == Object.resourceType.kind else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "kind '\(found)' does not match expected '\(Object.resourceType.kind)'")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

extension KeyedDecodingContainer {
    /// Lets synthesized decoders accept objects without `apiVersion` (e.g. list items).
    public func decode<Object>(_ type: APIVersionField<Object>.Type, forKey key: Key) throws -> APIVersionField<Object>
    {
        try decodeIfPresent(type, forKey: key) ?? APIVersionField()
    }

    /// Lets synthesized decoders accept objects without `kind` (e.g. list items).
    public func decode<Object>(_ type: KindField<Object>.Type, forKey key: Key) throws -> KindField<Object> {
        try decodeIfPresent(type, forKey: key) ?? KindField()
    }
}
