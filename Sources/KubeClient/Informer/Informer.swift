import Foundation
import KubeModels
import Logging
import MendTime
import Synchronization

/// A list + watch cache of one resource, like client-go's shared informer.
///
/// ```swift
/// let nodes = Informer<Node>(client: client)
/// try await withThrowingTaskGroup(of: Void.self) { group in
///     group.addTask { try await nodes.run() }          // runs until cancelled
///     try await nodes.waitForSync()
///     for await event in nodes.events() { ... }
/// }
/// ```
///
/// Behaviour:
/// - Lists (all pages), replaces the cache, then watches from the list's resourceVersion with
///   bookmarks on. Each event updates the cache, then subscribers hear about it.
/// - A watch the server ends cleanly is resumed from the last resourceVersion seen (events or
///   bookmarks), without a relist.
/// - 410 Gone (at watch start or as an ERROR event) means that resourceVersion is compacted away:
///   the informer relists at once and reports the difference as added/updated/deleted.
/// - Any other failure (connection, 5xx, other ERROR events, a failed list) is logged and retried
///   with exponential backoff and jitter on the injected clock. The loop never stops by itself;
///   it ends only when its task is cancelled.
/// - `Object` may be a slim projection of the resource (any `KubernetesObject` whose
///   `resourceType` names it), so a big cluster's pods need not be held in full.
public final class Informer<Object: KubernetesObject>: Sendable {
    private struct State {
        var cache: [String: Object] = [:]
        var synced = false
        var syncWaiters: [UInt64: CheckedContinuation<Void, any Error>] = [:]
        var subscribers: [UInt64: AsyncStream<InformerEvent<Object>>.Continuation] = [:]
        var nextID: UInt64 = 0
        var resourceVersion: String?
        var lists = 0
        var watches = 0
    }

    /// How relists and re-watches back off after failures.
    public struct Backoff: Sendable {
        public var initial: Duration
        public var maximum: Duration

        public init(initial: Duration = .milliseconds(800), maximum: Duration = .seconds(30)) {
            self.initial = initial
            self.maximum = maximum
        }
    }

    private let client: KubernetesClient
    private let resource: ResourceType
    private let namespace: String?
    private let labelSelector: String?
    private let fieldSelector: String?
    private let pageSize: Int
    private let watchTimeout: ClosedRange<Int>
    private let backoff: Backoff
    private let clock: any MendClock
    private let logger: Logger
    private let state = Mutex(State())

    /// - Parameters:
    ///   - resource: the resource to list and watch (defaults to `Object.resourceType`).
    ///   - namespace: one namespace, or `nil` for all.
    ///   - watchTimeoutSeconds: each watch asks the server to end it after a random number of
    ///     seconds in this range (client-go uses 5–10 minutes), spreading reconnects out.
    public init(
        client: KubernetesClient,
        resource: ResourceType = Object.resourceType,
        namespace: String? = nil,
        labelSelector: String? = nil,
        fieldSelector: String? = nil,
        pageSize: Int = 500,
        watchTimeoutSeconds: ClosedRange<Int> = 300...600,
        backoff: Backoff = Backoff(),
        clock: (any MendClock)? = nil,
        logger: Logger? = nil
    ) {
        self.client = client
        self.resource = resource
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.pageSize = pageSize
        self.watchTimeout = watchTimeoutSeconds
        self.backoff = backoff
        self.clock = clock ?? client.transport.options.clock
        var log = logger ?? client.logger
        log[metadataKey: "informer"] = "\(resource)"
        self.logger = log
    }

    // MARK: Reading the cache

    /// True once the first complete list is in the cache.
    public var hasSynced: Bool { state.withLock { $0.synced } }

    /// The cached object `name` (in `namespace` for namespaced resources).
    public func get(name: String, namespace: String? = nil) -> Object? {
        let key = namespace.map { $0.isEmpty ? name : "\($0)/\(name)" } ?? name
        return state.withLock { $0.cache[key] }
    }

    /// Every cached object, in no particular order.
    public func list() -> [Object] { state.withLock { Array($0.cache.values) } }

    /// The number of cached objects.
    public var count: Int { state.withLock { $0.cache.count } }

    /// The last resourceVersion the informer has seen (from a list, an event or a bookmark).
    public var lastResourceVersion: String? { state.withLock { $0.resourceVersion } }

    /// How many LIST cycles and WATCH requests have been made (for tests and metrics).
    public var counters: (lists: Int, watches: Int) { state.withLock { ($0.lists, $0.watches) } }

    /// Waits until the first list is in the cache.
    ///
    /// - Throws: `CancellationError` if the waiting task is cancelled first.
    public func waitForSync() async throws {
        let id = state.withLock { s -> UInt64 in
            s.nextID += 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let ready = state.withLock { s -> Bool in
                    if s.synced { return true }
                    if Task.isCancelled { return false }
                    s.syncWaiters[id] = continuation
                    return false
                }
                if ready {
                    continuation.resume()
                } else if Task.isCancelled, state.withLock({ $0.syncWaiters[id] == nil }) {
                    continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let waiter = state.withLock { $0.syncWaiters.removeValue(forKey: id) }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// A new subscription to changes from now on. If the cache already holds objects, the
    /// subscriber first gets them as `added` (and `synced` if the first list is done), so a late
    /// subscriber misses nothing. The stream ends when the subscriber stops iterating.
    public func events(bufferingPolicy: AsyncStream<InformerEvent<Object>>.Continuation.BufferingPolicy = .unbounded)
        -> AsyncStream<InformerEvent<Object>>
    {
        let (stream, continuation) = AsyncStream<InformerEvent<Object>>.makeStream(bufferingPolicy: bufferingPolicy)
        let id = state.withLock { s -> UInt64 in
            s.nextID += 1
            for object in s.cache.values { continuation.yield(.added(object)) }
            if s.synced { continuation.yield(.synced) }
            s.subscribers[s.nextID] = continuation
            return s.nextID
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    // MARK: Running

    /// Lists and watches until the calling task is cancelled.
    public func run() async throws {
        var needsList = true
        var failures = 0
        defer { finishSubscribers() }
        while !Task.isCancelled {
            if needsList {
                do {
                    try await relist()
                    needsList = false
                    failures = 0
                } catch {
                    if Task.isCancelled || error is CancellationError { break }
                    failures += 1
                    logger.warning("list failed; will retry", metadata: ["error": "\(error)", "failures": "\(failures)"])
                    try await sleepBackoff(failures)
                    continue
                }
            }
            let outcome = await watchOnce()
            switch outcome {
            case .endedCleanly(let short):
                if short {
                    // A server that ends watches at once, with nothing said, would make a hot loop.
                    failures += 1
                    logger.notice("watch ended immediately without events; backing off", metadata: ["failures": "\(failures)"])
                    try await sleepBackoff(failures)
                } else {
                    failures = 0
                }
            case .gone:
                logger.info("watch resourceVersion expired (410); relisting")
                needsList = true
                failures = 0
            case .failed(let error, let sawEvents):
                if Task.isCancelled { break }
                failures = sawEvents ? 1 : failures + 1
                logger.warning("watch failed; will re-watch", metadata: ["error": "\(error)", "failures": "\(failures)"])
                try await sleepBackoff(failures)
            case .cancelled:
                break
            }
        }
        if Task.isCancelled { throw CancellationError() }
    }

    private enum WatchOutcome {
        case endedCleanly(short: Bool)
        case gone
        case failed(any Error, sawEvents: Bool)
        case cancelled
    }

    private func relist() async throws {
        state.withLock { $0.lists += 1 }
        let page = try await client.listAll(
            Object.self, resource: resource, namespace: namespace,
            options: ListOptions(labelSelector: labelSelector, fieldSelector: fieldSelector, limit: pageSize))
        replace(with: page.items, resourceVersion: page.metadata.resourceVersion)
    }

    private func watchOnce() async -> WatchOutcome {
        let resourceVersion = state.withLock { s -> String? in
            s.watches += 1
            return s.resourceVersion
        }
        var sawEvents = false
        let started = ContinuousClock.now
        do {
            let stream = try await client.watch(
                Object.self, resource: resource, namespace: namespace,
                options: WatchOptions(
                    labelSelector: labelSelector, fieldSelector: fieldSelector, resourceVersion: resourceVersion,
                    allowWatchBookmarks: true, timeoutSeconds: Int.random(in: watchTimeout)))
            for try await event in stream {
                sawEvents = true
                switch event {
                case .added(let object), .modified(let object):
                    upsert(object)
                case .deleted(let object):
                    remove(object)
                case .bookmark(let meta):
                    if let rv = meta.resourceVersion, !rv.isEmpty { state.withLock { $0.resourceVersion = rv } }
                case .error(let status):
                    if status.code == 410 || status.reason?.rawValue == "Expired" || status.reason?.rawValue == "Gone" {
                        return .gone
                    }
                    return .failed(KubeClientError.api(Self.apiError(status)), sawEvents: false)
                }
            }
            if Task.isCancelled { return .cancelled }
            return .endedCleanly(short: !sawEvents && ContinuousClock.now - started < .seconds(1))
        } catch let error as KubeClientError where error.isGone {
            return .gone
        } catch is CancellationError {
            return .cancelled
        } catch {
            return Task.isCancelled ? .cancelled : .failed(error, sawEvents: sawEvents)
        }
    }

    private static func apiError(_ status: Status) -> KubeAPIError {
        KubeAPIError(
            code: status.code ?? 500, reason: status.reason?.rawValue ?? "Unknown", message: status.message ?? "",
            request: "watch ERROR event")
    }

    private func sleepBackoff(_ failures: Int) async throws {
        let policy = RetryPolicy(
            maxAttempts: Int.max, initialBackoff: backoff.initial, maxBackoff: backoff.maximum, maxRetryAfter: .zero)
        try await clock.sleep(for: policy.delay(beforeRetry: failures, retryAfter: nil))
    }

    // MARK: Cache changes

    private func key(_ object: Object) -> String { object.key }

    private func upsert(_ object: Object) {
        state.withLock { s in
            let key = key(object)
            let old = s.cache.updateValue(object, forKey: key)
            if let rv = object.metadata.resourceVersion { s.resourceVersion = rv }
            let event: InformerEvent<Object> = old.map { .updated(old: $0, new: object) } ?? .added(object)
            for subscriber in s.subscribers.values { subscriber.yield(event) }
        }
    }

    private func remove(_ object: Object) {
        state.withLock { s in
            let removed = s.cache.removeValue(forKey: key(object))
            if let rv = object.metadata.resourceVersion { s.resourceVersion = rv }
            guard removed != nil else { return }
            for subscriber in s.subscribers.values { subscriber.yield(.deleted(object)) }
        }
    }

    private func replace(with items: [Object], resourceVersion: String?) {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
            var fresh: [String: Object] = [:]
            fresh.reserveCapacity(items.count)
            for item in items { fresh[key(item)] = item }
            var events: [InformerEvent<Object>] = []
            for (key, old) in s.cache where fresh[key] == nil { events.append(.deleted(old)) }
            for (key, new) in fresh {
                if let old = s.cache[key] {
                    if old.metadata.resourceVersion != new.metadata.resourceVersion {
                        events.append(.updated(old: old, new: new))
                    }
                } else {
                    events.append(.added(new))
                }
            }
            s.cache = fresh
            s.resourceVersion = resourceVersion
            let firstSync = !s.synced
            s.synced = true
            if firstSync { events.append(.synced) }
            for subscriber in s.subscribers.values {
                for event in events { subscriber.yield(event) }
            }
            let waiters = Array(s.syncWaiters.values)
            s.syncWaiters.removeAll()
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    private func finishSubscribers() {
        let (subscribers, waiters) = state.withLock { s in
            let result = (Array(s.subscribers.values), Array(s.syncWaiters.values))
            s.subscribers.removeAll()
            s.syncWaiters.removeAll()
            return result
        }
        for subscriber in subscribers { subscriber.finish() }
        for waiter in waiters { waiter.resume(throwing: CancellationError()) }
    }
}
