/// The `type` of a watch event.
public enum WatchEventType: String, Codable, Sendable, Hashable {
    case added = "ADDED"
    case modified = "MODIFIED"
    case deleted = "DELETED"
    case bookmark = "BOOKMARK"
    case error = "ERROR"
}

/// One line of a watch stream: `{"type": "...", "object": {...}}`.
///
/// `ERROR` events carry a ``Status`` (e.g. `410 Expired`), and `BOOKMARK` events carry only
/// metadata (a resourceVersion, perhaps the `k8s.io/initial-events-end` annotation), so those
/// two are modelled separately from the typed object.
public enum WatchEvent<Object: Sendable>: Sendable {
    case added(Object)
    case modified(Object)
    case deleted(Object)
    case bookmark(ObjectMeta)
    case error(Status)

    /// The event's `type` field.
    public var type: WatchEventType {
        switch self {
        case .added: .added
        case .modified: .modified
        case .deleted: .deleted
        case .bookmark: .bookmark
        case .error: .error
        }
    }

    /// The object of an ADDED, MODIFIED or DELETED event.
    public var object: Object? {
        switch self {
        case .added(let o), .modified(let o), .deleted(let o): o
        case .bookmark, .error: nil
        }
    }
}

private enum WatchEventKeys: String, CodingKey { case type, object }
private enum BookmarkKeys: String, CodingKey { case apiVersion, kind, metadata }

extension WatchEvent: Decodable where Object: Decodable {
    private typealias CodingKeys = WatchEventKeys

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(WatchEventType.self, forKey: .type) {
        case .added: self = .added(try c.decode(Object.self, forKey: .object))
        case .modified: self = .modified(try c.decode(Object.self, forKey: .object))
        case .deleted: self = .deleted(try c.decode(Object.self, forKey: .object))
        case .error: self = .error(try c.decode(Status.self, forKey: .object))
        case .bookmark:
            let object = try c.nestedContainer(keyedBy: BookmarkKeys.self, forKey: .object)
            self = .bookmark(try object.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta())
        }
    }

}

extension WatchEvent: Encodable where Object: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: WatchEventKeys.self)
        try c.encode(type, forKey: .type)
        switch self {
        case .added(let o), .modified(let o), .deleted(let o): try c.encode(o, forKey: .object)
        case .error(let status): try c.encode(status, forKey: .object)
        case .bookmark(let meta):
            var object = c.nestedContainer(keyedBy: BookmarkKeys.self, forKey: .object)
            if let type = (Object.self as? any KubernetesObject.Type)?.resourceType {
                try object.encode(type.apiVersion, forKey: .apiVersion)
                try object.encode(type.kind, forKey: .kind)
            }
            try object.encode(meta, forKey: .metadata)
        }
    }
}

extension WatchEvent: Equatable where Object: Equatable {}
