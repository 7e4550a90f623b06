import KubeModels
import Synchronization

/// Where a watch's events go. Implementations must never block: they buffer (bounded) and
/// return `false` when the consumer has fallen too far behind, which closes the watch.
protocol WatchSink: Sendable {
    /// Queues one event; `false` means "overflowed: drop this watcher".
    func send(_ event: StoreEvent, as type: WatchEventType) -> Bool
    /// Ends the stream (with an error event when `error` is set).
    func finish(error: APIError?)
    /// `false` once the consumer has gone away; the store drops the watcher at its next event.
    var isOpen: Bool { get }
}

extension WatchSink {
    var isOpen: Bool { true }
}

/// One registered watch.
final class Watcher: Sendable {
    let resourceKey: String
    let filter: ObjectFilter
    let sink: any WatchSink

    init(resourceKey: String, filter: ObjectFilter, sink: any WatchSink) {
        self.resourceKey = resourceKey
        self.filter = filter
        self.sink = sink
    }

    /// Delivers `event` as this watcher sees it: an object that stops matching the selectors is
    /// `DELETED` for it, one that starts matching is `ADDED`.
    func offer(_ event: StoreEvent) -> Bool {
        let now = filter.matches(event.object)
        switch event.type {
        case .added:
            return now ? sink.send(event, as: .added) : true
        case .deleted:
            let before = event.previous.map(filter.matches) ?? now
            return before ? sink.send(event, as: .deleted) : true
        default:
            let before = event.previous.map(filter.matches) ?? false
            switch (before, now) {
            case (true, true): return sink.send(event, as: .modified)
            case (false, true): return sink.send(event, as: .added)
            case (true, false): return sink.send(event, as: .deleted)
            case (false, false): return true
            }
        }
    }
}

/// A change as an in-process watcher sees it.
public struct WatchNotification: Sendable {
    public var type: WatchEventType
    /// The object as stored (shared by every watcher; nothing is parsed until ``object`` is read).
    public var stored: StoredObject
    public var resourceVersion: UInt64

    /// The object (parsed from the stored encoding on each access: read it once).
    public var object: JSONValue { stored.value }
}

/// Why an in-process watch ended.
public enum WatchEndError: Error, Sendable, CustomStringConvertible {
    /// The consumer did not keep up; the watch was closed to protect the store.
    case consumerTooSlow(bufferLimit: Int)

    public var description: String {
        switch self {
        case .consumerTooSlow(let limit): return "watch closed: the consumer fell more than \(limit) events behind"
        }
    }
}

/// Feeds an `AsyncThrowingStream` (in-process watches).
final class StreamSink: WatchSink {
    let continuation: AsyncThrowingStream<WatchNotification, any Error>.Continuation
    let limit: Int
    /// Set when the store ends the stream (possibly while holding its lock), so the stream's
    /// termination handler must not call back into the store.
    let endedByStore = Atomic<Bool>(false)
    /// Set when the consumer's side ended (its task was cancelled or it stopped iterating).
    let consumerGone = Atomic<Bool>(false)

    var isOpen: Bool { !consumerGone.load(ordering: .sequentiallyConsistent) }

    init(continuation: AsyncThrowingStream<WatchNotification, any Error>.Continuation, limit: Int) {
        self.continuation = continuation
        self.limit = limit
    }

    func send(_ event: StoreEvent, as type: WatchEventType) -> Bool {
        guard isOpen else { return false }
        let result = continuation.yield(WatchNotification(type: type, stored: event.object,
                                                          resourceVersion: event.resourceVersion))
        if case .dropped = result {
            endedByStore.store(true, ordering: .sequentiallyConsistent)
            continuation.finish(throwing: WatchEndError.consumerTooSlow(bufferLimit: limit))
            return false
        }
        return true
    }

    func finish(error: APIError?) {
        endedByStore.store(true, ordering: .sequentiallyConsistent)
        if let error { continuation.finish(throwing: error) } else { continuation.finish() }
    }
}

/// Identifies a registered watch so it can be cancelled.
public struct WatchID: Sendable, Hashable {
    let raw: UInt64
}

extension ClusterStore {
    /// Registers a sink; initial events (current state or history replay) are queued before any
    /// later change, with nothing missed in between.
    func register(_ resource: ResourceDescriptor, filter: ObjectFilter, start: WatchStart,
                  sink: any WatchSink) throws(APIError) -> WatchID {
        let now = clock.now
        return try state.withLock { (s) throws(APIError) -> WatchID in
            s.reconcileDisruptionBudgetsIfNeeded(for: resource, now: now)
            let key = StoreState.tableKey(resource)
            let watcher = Watcher(resourceKey: key, filter: filter, sink: sink)
            switch start {
            case .after(let revision):
                if revision < s.compactedThrough {
                    throw APIError.expired("too old resource version: \(revision) (\(s.compactedThrough + 1))")
                }
                for event in s.history.events(after: revision) where event.resourceKey == key {
                    if !watcher.offer(event) { throw APIError.internalError("watch buffer overflowed during replay") }
                }
            case .currentState:
                let keys = s.sortedKeys(key)
                let objects = s.tables[key]?.objects ?? [:]
                for k in keys {
                    guard let object = objects[k], filter.matches(object) else { continue }
                    let event = StoreEvent(type: .added, object: object, previous: nil, resourceKey: key)
                    if !sink.send(event, as: .added) { throw APIError.internalError("watch buffer overflowed during the initial state") }
                }
            }
            s.nextWatcherID += 1
            s.watchers[s.nextWatcherID] = watcher
            return WatchID(raw: s.nextWatcherID)
        }
    }

    /// Stops a watch (its sink is finished without an error).
    func cancel(_ id: WatchID) {
        let watcher = state.withLock { $0.watchers.removeValue(forKey: id.raw) }
        watcher?.sink.finish(error: nil)
    }

    /// Ends every open watch (fault injection: "the API server dropped the connections").
    public func closeAllWatches() {
        let all = state.withLock { s -> [Watcher] in
            let all = Array(s.watchers.values)
            s.watchers.removeAll()
            return all
        }
        for watcher in all { watcher.sink.finish(error: nil) }
    }

    /// How many watches are open.
    public var openWatchCount: Int { state.withLock { $0.watchers.values.count(where: \.sink.isOpen) } }

    /// Watches `resource` in process. The stream ends when the task iterating it is cancelled,
    /// on ``closeAllWatches()``, or with ``WatchEndError/consumerTooSlow(bufferLimit:)`` when more
    /// than `bufferLimit` events wait unread.
    ///
    /// - Throws: 410 Expired when `start` is older than the retained history.
    public func watch(_ resource: ResourceDescriptor, filter: ObjectFilter = ObjectFilter(),
                      start: WatchStart = .currentState,
                      bufferLimit: Int = 100_000) throws(APIError) -> AsyncThrowingStream<WatchNotification, any Error> {
        let (stream, continuation) = AsyncThrowingStream<WatchNotification, any Error>.makeStream(
            bufferingPolicy: .bufferingOldest(bufferLimit))
        let sink = StreamSink(continuation: continuation, limit: bufferLimit)
        let id = try register(resource, filter: filter, start: start, sink: sink)
        continuation.onTermination = { [weak self] _ in
            // The consumer went away: unregister. (When the store ended the stream it already has.)
            guard !sink.endedByStore.load(ordering: .sequentiallyConsistent) else { return }
            sink.consumerGone.store(true, ordering: .sequentiallyConsistent)
            // Never wait for the store's lock here. This handler can run while the runtime holds
            // the consumer task's status lock (a task group cancelling it), and the lock's holder
            // may be yielding an event to that very task, which needs the status lock: waiting
            // would deadlock both. When the lock is taken, the watcher is already closed and the
            // store drops it at its next event.
            _ = self?.state.withLockIfAvailable { _ = $0.watchers.removeValue(forKey: id.raw) }
        }
        return stream
    }
}
