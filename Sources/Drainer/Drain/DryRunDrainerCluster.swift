import Foundation
import KubeClient
import KubeModels
import Logging
import Synchronization

/// Reads through to the real cluster; logs every write it would make and sends nothing.
///
/// The reconciler in dry-run mode never starts drains, so this is the second guard: even a code
/// path that reached a write would only log it. ``wouldWrite`` lists what was skipped (for tests
/// and `plan`).
public final class DryRunDrainerCluster: DrainerCluster {
    private let base: any DrainerCluster
    private let logger: Logger
    private let skipped = Mutex<[String]>([])

    public init(wrapping base: any DrainerCluster, logger: Logger) {
        self.base = base
        self.logger = logger
    }

    /// The writes skipped so far, in order, e.g. `patch node n1 {...}`.
    public var wouldWrite: [String] { skipped.withLock { $0 } }

    private func skip(_ what: String) {
        skipped.withLock { $0.append(what) }
        logger.notice("dry-run: would \(what)")
    }

    public func node(named name: String) async throws -> Node? { try await base.node(named: name) }

    public func patchNode(named name: String, patch: JSONValue) async throws {
        skip("patch node \(name) \((try? String(decoding: patch.serialized(sortedKeys: true), as: UTF8.self)) ?? "")")
    }

    public func patchNodeStatus(named name: String, patch: JSONValue) async throws {
        skip("patch node \(name) status \((try? String(decoding: patch.serialized(sortedKeys: true), as: UTF8.self)) ?? "")")
    }

    public func pods(onNode node: String) async throws -> [Pod] { try await base.pods(onNode: node) }

    public func evict(_ pod: Pod, gracePeriodSeconds: Int64?) async throws -> EvictionOutcome {
        skip("evict pod \(pod.metadata.namespace ?? "")/\(pod.metadata.name ?? "")")
        return .evicted
    }

    public func delete(_ pod: Pod, gracePeriodSeconds: Int64?) async throws {
        skip("delete pod \(pod.metadata.namespace ?? "")/\(pod.metadata.name ?? "")")
    }

    public func disruptionBudgets(namespace: String) async throws -> [PodDisruptionBudget] {
        try await base.disruptionBudgets(namespace: namespace)
    }
}

/// An ``EventSink`` that logs Events instead of creating them (dry-run).
public struct LoggingEventSink: EventSink {
    let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    public func createEvent(_ event: CoreV1Event) async throws -> CoreV1Event {
        logger.notice(
            "dry-run: would record event",
            metadata: [
                "object": "\(event.involvedObject.name ?? "")", "reason": "\(event.reason ?? "")",
                "message": "\(event.message ?? "")",
            ])
        return event
    }

    public func patchEvent(name: String, namespace: String, patch: JSONValue) async throws -> CoreV1Event {
        logger.notice("dry-run: would update event", metadata: ["event": "\(name)", "message": "\(patch["message"]?.stringValue ?? "")"])
        return CoreV1Event(metadata: ObjectMeta(name: name, namespace: namespace), involvedObject: ObjectReference())
    }
}
