import Foundation
import KubeModels
import Logging
import MendTime

/// What happened to one ``EventRecorder/record(_:type:reason:message:)`` call.
public enum EventRecordOutcome: Sendable, Equatable {
    /// A new Event object was created.
    case created(name: String)
    /// An identical recent Event was updated: its `count` is now `count`.
    case updated(name: String, count: Int32)
    /// Dropped by the per-object spam filter.
    case droppedAsSpam
    /// The write failed (logged); events are best effort.
    case failed(String)
}

/// Records core/v1 Events (what `kubectl describe` shows), the way client-go's recorder does:
///
/// - **De-duplication**: an Event with the same involved object, type, reason, message and source
///   as a recent one is not created again; the existing Event's `count` and `lastTimestamp` are
///   patched instead (if it has meanwhile expired, a new one is created).
/// - **Aggregation** (client-go's `EventAggregator`): once `aggregateThreshold` (10) Events about
///   the same object with the same type and reason but different messages have been seen within
///   `aggregateInterval` (10 minutes), further ones are folded into one Event whose message starts
///   with `(combined from similar events): ` and whose `count` rises, instead of new objects.
/// - **Spam filter**: a token bucket per involved object (client-go: burst 25, then one per
///   5 minutes), so a flapping condition cannot flood the API.
/// - Writes go through an ``EventSink`` so a dry-run path can intercept them.
///
/// Failures are logged, never thrown: an Event must not break the caller's work.
public actor EventRecorder {
    private struct DedupKey: Hashable {
        var object: String
        var type: String
        var reason: String
        var message: String
    }

    private struct AggregateKey: Hashable {
        var object: String
        var type: String
        var reason: String
    }

    private struct AggregateRecord {
        var messages: Set<String>
        var last: Date
    }

    /// The prefix client-go gives the message of an Event that stands for several similar ones.
    public static let combinedMessagePrefix = "(combined from similar events): "
    /// Stands in for the message in the de-duplication key of a combined Event (no real message
    /// can contain a NUL).
    private static let combinedKeyMessage = "\u{0}combined"

    private struct Seen {
        var name: String
        var namespace: String
        var count: Int32
    }

    private let sink: any EventSink
    private let component: String
    private let host: String?
    private let clock: any MendClock
    private let logger: Logger
    private let spamBurst: Int
    private let spamQPS: Double
    private let cacheLimit: Int
    private var seen: [DedupKey: Seen] = [:]
    private var seenOrder: [DedupKey] = []
    private let aggregateThreshold: Int
    private let aggregateInterval: TimeInterval
    private var aggregates: [AggregateKey: AggregateRecord] = [:]
    private var aggregateOrder: [AggregateKey] = []
    private var buckets: [String: TokenBucketRateLimiter] = [:]
    private var bucketOrder: [String] = []

    /// - Parameters:
    ///   - component: the reporting component, e.g. `mend-drainer` (shown as the Event's source).
    ///   - host: the node or pod name the component runs on.
    ///   - spamBurst / spamInterval: per-object token bucket (client-go: 25, one per 5 minutes).
    ///   - cacheLimit: how many distinct Events and objects are remembered (oldest forgotten first).
    ///   - aggregateThreshold / aggregateInterval: how many different messages for one object, type
    ///     and reason within the interval start a combined Event (client-go: 10 in 10 minutes).
    public init(
        sink: any EventSink, component: String, host: String? = nil, clock: any MendClock = SystemClock(),
        logger: Logger = Logger(label: "event-recorder"), spamBurst: Int = 25, spamInterval: Duration = .seconds(300),
        cacheLimit: Int = 4096, aggregateThreshold: Int = 10, aggregateInterval: Duration = .seconds(600)
    ) {
        self.aggregateThreshold = max(1, aggregateThreshold)
        self.aggregateInterval = aggregateInterval.seconds
        self.sink = sink
        self.component = component
        self.host = host
        self.clock = clock
        self.logger = logger
        self.spamBurst = spamBurst
        self.spamQPS = 1 / max(spamInterval.seconds, 0.001)
        self.cacheLimit = max(16, cacheLimit)
    }

    /// Records an Event about `object` (`type` is `Normal` or `Warning`, see `EventType`).
    @discardableResult
    public func record<Object: KubernetesObject>(
        _ object: Object, type: String, reason: String, message: String
    ) async -> EventRecordOutcome {
        let reference = ObjectReference(
            kind: Object.resourceType.kind, namespace: object.metadata.namespace, name: object.metadata.name,
            uid: object.metadata.uid, apiVersion: Object.resourceType.apiVersion,
            resourceVersion: object.metadata.resourceVersion)
        return await record(about: reference, type: type, reason: reason, message: message)
    }

    /// Records an Event about the object `reference` points to.
    @discardableResult
    public func record(about reference: ObjectReference, type: String, reason: String, message: String) async
        -> EventRecordOutcome
    {
        let objectKey = [reference.kind, reference.namespace, reference.name, reference.uid]
            .map { $0 ?? "" }.joined(separator: "/")
        guard allowedBySpamFilter(objectKey) else {
            logger.debug(
                "event dropped by spam filter",
                metadata: ["object": "\(objectKey)", "reason": "\(reason)"])
            return .droppedAsSpam
        }
        let now = clock.now
        let (message, keyMessage) = aggregate(
            AggregateKey(object: objectKey, type: type, reason: reason), message: message, now: now)
        let key = DedupKey(object: objectKey, type: type, reason: reason, message: keyMessage)
        if let previous = seen[key] {
            let count = previous.count + 1
            do {
                let patch: JSONValue = [
                    "count": .int(Int64(count)),
                    "lastTimestamp": .string(KubeTime(now).description),
                    "message": .string(message),
                ]
                _ = try await sink.patchEvent(name: previous.name, namespace: previous.namespace, patch: patch)
                seen[key]?.count = count
                return .updated(name: previous.name, count: count)
            } catch let error as KubeClientError where error.isNotFound {
                // The Event expired (events have a TTL); start a new one.
                forget(key)
            } catch {
                logger.warning("could not update event", metadata: ["event": "\(previous.name)", "error": "\(error)"])
                return .failed("\(error)")
            }
        }
        // Events about cluster-scoped objects (nodes) live in "default", as client-go puts them.
        let namespace = reference.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        let name = "\(reference.name ?? "object").\(String(UInt64(now.timeIntervalSince1970 * 1e9), radix: 16))"
            + String(format: "%04x", UInt16.random(in: 0...UInt16.max))
        let event = CoreV1Event(
            metadata: ObjectMeta(name: name, namespace: namespace),
            involvedObject: reference, reason: reason, message: message,
            source: EventSource(component: component, host: host),
            firstTimestamp: KubeTime(now), lastTimestamp: KubeTime(now), count: 1, type: type,
            reportingComponent: component, reportingInstance: host ?? "")
        do {
            let created = try await sink.createEvent(event)
            remember(key, Seen(name: created.metadata.name ?? name, namespace: namespace, count: 1))
            return .created(name: created.metadata.name ?? name)
        } catch {
            logger.warning("could not create event", metadata: ["reason": "\(reason)", "error": "\(error)"])
            return .failed("\(error)")
        }
    }

    // MARK: Caches

    /// client-go's aggregation: the message to send and the message part of the de-duplication
    /// key. Below the threshold both are the message itself; from it on, the message gets the
    /// combined prefix and every similar Event shares one key (so they update one object).
    private func aggregate(_ key: AggregateKey, message: String, now: Date) -> (message: String, keyMessage: String) {
        var record = aggregates[key] ?? AggregateRecord(messages: [], last: now)
        if now.timeIntervalSince(record.last) > aggregateInterval { record = AggregateRecord(messages: [], last: now) }
        record.last = now
        if record.messages.count < aggregateThreshold { record.messages.insert(message) }
        let combine = record.messages.count >= aggregateThreshold
        if aggregates.updateValue(record, forKey: key) == nil {
            aggregateOrder.append(key)
            if aggregateOrder.count > cacheLimit { aggregates[aggregateOrder.removeFirst()] = nil }
        }
        guard combine else { return (message, message) }
        return (Self.combinedMessagePrefix + message, Self.combinedKeyMessage)
    }

    private func allowedBySpamFilter(_ objectKey: String) -> Bool {
        if let bucket = buckets[objectKey] { return bucket.tryAcquire() }
        let bucket = TokenBucketRateLimiter(qps: spamQPS, burst: spamBurst, clock: clock)
        buckets[objectKey] = bucket
        bucketOrder.append(objectKey)
        if bucketOrder.count > cacheLimit {
            buckets[bucketOrder.removeFirst()] = nil
        }
        return bucket.tryAcquire()
    }

    private func remember(_ key: DedupKey, _ value: Seen) {
        if seen.updateValue(value, forKey: key) == nil { seenOrder.append(key) }
        if seenOrder.count > cacheLimit {
            seen[seenOrder.removeFirst()] = nil
        }
    }

    private func forget(_ key: DedupKey) {
        seen[key] = nil
        seenOrder.removeAll { $0 == key }
    }
}
