import Foundation
import KubeModels

/// The store's data, always accessed under the store's lock.
struct StoreState {
    struct Table {
        var objects: [String: StoredObject] = [:]
        /// Keys in order, rebuilt lazily after creates and deletes (updates keep the order).
        var sortedKeys: [String]? = []
        /// Keys per namespace (cluster-scoped objects under "").
        var byNamespace: [String: Set<String>] = [:]

        func objects(inNamespace namespace: String) -> [StoredObject] {
            (byNamespace[namespace] ?? []).compactMap { objects[$0] }
        }
    }

    let catalog: ResourceCatalog
    var tables: [String: Table] = [:]
    var revision: UInt64 = 0
    var history: EventHistory
    /// Changes at or before this revision are no longer in the history.
    var compactedThrough: UInt64 = 0
    /// `continue` tokens issued at or before this revision have expired.
    var listsExpiredThrough: UInt64 = 0
    var watchers: [UInt64: Watcher] = [:]
    var nextWatcherID: UInt64 = 0
    var objectsPerNamespace: [String: Int] = [:]
    var dirtyBudgetNamespaces: Set<String> = []
    /// The value of the latest commit, so a write can answer without re-parsing what it just
    /// encoded (objects are stored only as JSON).
    var lastCommitted: (stored: StoredObject, value: JSONValue)?
    /// How many objects name each owner UID in their ownerReferences (skips GC scans for the rest).
    var ownerReferenceCounts: [String: Int] = [:]
    var budgetsDirtyEverywhere = true

    init(catalog: ResourceCatalog, historyLimit: Int) {
        self.catalog = catalog
        self.history = EventHistory(capacity: historyLimit)
    }

    static func tableKey(_ r: ResourceDescriptor) -> String { "\(r.group)/\(r.plural)" }

    static func objectKey(namespace: String?, name: String) -> String {
        if let namespace, !namespace.isEmpty { return namespace + "/" + name }
        return name
    }

    /// The parsed value of `stored`, without parsing when it is the latest commit.
    func value(of stored: StoredObject) -> JSONValue {
        if let lastCommitted, lastCommitted.stored === stored { return lastCommitted.value }
        return stored.value
    }

    func object(_ resource: ResourceDescriptor, namespace: String?, name: String) -> StoredObject? {
        tables[Self.tableKey(resource)]?.objects[Self.objectKey(namespace: resource.namespaced ? namespace : nil, name: name)]
    }

    // MARK: History and watchers

    mutating func emit(_ resource: ResourceDescriptor, type: WatchEventType, object: StoredObject, previous: StoredObject?) {
        let event = StoreEvent(type: type, object: object, previous: previous, resourceKey: Self.tableKey(resource))
        if let dropped = history.append(event) { compactedThrough = max(compactedThrough, dropped.resourceVersion) }
        guard !watchers.isEmpty else { return }
        var closed: [UInt64] = []
        for (id, watcher) in watchers where watcher.resourceKey == event.resourceKey {
            if !watcher.offer(event) { closed.append(id) }
        }
        for id in closed { watchers[id]?.sink.finish(error: nil); watchers[id] = nil }
    }

    mutating func compactAll() {
        compactedThrough = revision
        listsExpiredThrough = revision
        history.removeAll()
    }
}

/// A bounded ring of recent changes.
struct EventHistory {
    private var buffer: [StoreEvent?]
    private var head = 0
    private(set) var count = 0

    init(capacity: Int) { buffer = Array(repeating: nil, count: capacity) }

    /// Appends; returns the event pushed out, if any.
    mutating func append(_ event: StoreEvent) -> StoreEvent? {
        let index = (head + count) % buffer.count
        if count == buffer.count {
            let dropped = buffer[head]
            buffer[head] = event
            head = (head + 1) % buffer.count
            return dropped
        }
        buffer[index] = event
        count += 1
        return nil
    }

    mutating func removeAll() {
        for i in buffer.indices { buffer[i] = nil }
        head = 0
        count = 0
    }

    /// Events after `revision`, oldest first.
    func events(after revision: UInt64) -> [StoreEvent] {
        var result: [StoreEvent] = []
        // Binary search over the ring for the first event past `revision`.
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if buffer[(head + mid) % buffer.count]!.resourceVersion <= revision { low = mid + 1 } else { high = mid }
        }
        for i in low..<count { result.append(buffer[(head + i) % buffer.count]!) }
        return result
    }
}

/// The opaque `continue` token of a paged list.
struct ContinueToken {
    var revision: UInt64
    var lastKey: String

    var encoded: String {
        let json = JSONCodec.serialize(["v": "meta.k8s.io/v1", "rv": .int(Int64(revision)), "start": .string(lastKey)])
        return Data(json).base64EncodedString()
    }

    static func decode(_ token: String) throws(APIError) -> ContinueToken {
        var padded = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while padded.count % 4 != 0 { padded += "=" }
        guard let data = Data(base64Encoded: padded), let json = try? JSONCodec.parse(data),
              let rv = json["rv"]?.intValue, let start = json["start"]?.stringValue else {
            throw APIError.badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
        }
        return ContinueToken(revision: UInt64(rv), lastKey: start)
    }
}
