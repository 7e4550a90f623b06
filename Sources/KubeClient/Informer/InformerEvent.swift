import KubeModels

/// A change an ``Informer`` saw, in the order the cache applied it.
public enum InformerEvent<Object: KubernetesObject>: Sendable {
    /// A new object (from the initial list, a relist, or a watch ADDED).
    case added(Object)
    /// A changed object, with the state the cache held before.
    case updated(old: Object, new: Object)
    /// An object that is gone. After a relist this is the last state the cache knew.
    case deleted(Object)
    /// The cache holds a complete list for the first time (sent once).
    case synced

    /// The object this event is about (the new state for updates); `nil` for ``synced``.
    public var object: Object? {
        switch self {
        case .added(let o), .deleted(let o): return o
        case .updated(_, let new): return new
        case .synced: return nil
        }
    }
}
