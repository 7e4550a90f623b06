import Foundation
import KubeClient
import KubeModels
import Logging
import MendTime
import Synchronization

/// Something a drain wants people to know while it runs (turned into Events and logs).
public enum DrainNotice: Sendable, Hashable {
    /// A PodDisruptionBudget refused an eviction (429); it will be retried.
    case evictionBlocked(BlockingPod, retryAfter: Duration)
    /// The pod is covered by several PodDisruptionBudgets, which the API refuses (500): a
    /// misconfiguration a person must fix.
    case multipleDisruptionBudgets(BlockingPod)
    /// The drain passed its timeout with these pods still on the node.
    case timedOut([BlockingPod])
}

/// Drains one cordoned node: evicts every pod the policy removes, with bounded concurrency,
/// retrying PDB refusals after `Retry-After` (never bypassing them), and waits until they are gone.
///
/// API cost: one LIST of the node's pods, one eviction per pod (plus one per PDB refusal), one LIST
/// of PDBs per namespace that refuses, and one LIST of the node's pods per poll while pods terminate.
public struct NodeDrainer: Sendable {
    public let cluster: any DrainerCluster
    public let policy: PodPolicy
    public let settings: DrainSettings
    public let clock: any MendClock
    public let metrics: DrainerMetrics
    public let logger: Logger

    public init(
        cluster: any DrainerCluster, policy: PodPolicy, settings: DrainSettings, clock: any MendClock,
        metrics: DrainerMetrics = DrainerMetrics(), logger: Logger
    ) {
        self.cluster = cluster
        self.policy = policy
        self.settings = settings
        self.clock = clock
        self.metrics = metrics
        self.logger = logger
    }

    /// Drains `node`. `deadline` is when the drain counts as stuck (start + timeout; a resumed drain
    /// keeps its original start).
    public func drain(
        node: String, deadline: Date, notify: @escaping @Sendable (DrainNotice) async -> Void
    ) async throws -> DrainOutcome {
        let pods = try await cluster.pods(onNode: node)
        var toRemove: [(pod: Pod, disposition: PodDisposition)] = []
        var blockers: [BlockingPod] = []
        // Pods already terminating (evicted before a restart, or by someone else) are waited for,
        // never evicted again.
        var terminating: [Pod] = []
        for pod in pods {
            let disposition = policy.disposition(of: pod)
            switch disposition {
            case .block(let reason):
                blockers.append(BlockingPod(namespace: pod.metadata.namespace ?? "", name: pod.metadata.name ?? "", reason: reason.description))
            case .evict, .delete:
                toRemove.append((pod, disposition))
            case .skip(.alreadyTerminating):
                terminating.append(pod)
            case .skip:
                continue
            }
        }
        if !blockers.isEmpty { return .blocked(by: blockers) }

        let tracker = BlockTracker()
        tracker.start(terminating)
        terminating.forEach(tracker.accepted)
        let removal = toRemove
        let waitFor = toRemove.map(\.pod) + terminating
        enum Ending: Sendable { case finished, deadline }
        return try await withThrowingTaskGroup(of: Ending.self) { group in
            group.addTask {
                try await self.removeAll(removal, tracker: tracker, notify: notify)
                try await self.waitUntilGone(node: node, pods: waitFor, tracker: tracker)
                return .finished
            }
            group.addTask {
                try await self.clock.sleep(until: deadline)
                return .deadline
            }
            while let ending = try await group.next() {
                switch ending {
                case .finished:
                    group.cancelAll()
                    return .succeeded(evicted: removal.count)
                case .deadline:
                    let blocking = tracker.remaining()
                    await notify(.timedOut(blocking))
                    if settings.onTimeout == .giveUp {
                        group.cancelAll()
                        return .timedOut(blocking: blocking)
                    }
                }
            }
            throw CancellationError()
        }
    }

    /// Evicts (or deletes) each pod, at most `concurrentEvictions` at a time.
    private func removeAll(
        _ pods: [(pod: Pod, disposition: PodDisposition)], tracker: BlockTracker,
        notify: @escaping @Sendable (DrainNotice) async -> Void
    ) async throws {
        tracker.start(pods.map(\.pod))
        let budgets = BudgetCache(cluster: cluster)
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            let width = max(1, settings.concurrentEvictions)
            while next < pods.count && next < width {
                let item = pods[next]
                group.addTask { try await self.remove(item.pod, item.disposition, tracker: tracker, budgets: budgets, notify: notify) }
                next += 1
            }
            while try await group.next() != nil {
                if next < pods.count {
                    let item = pods[next]
                    group.addTask { try await self.remove(item.pod, item.disposition, tracker: tracker, budgets: budgets, notify: notify) }
                    next += 1
                }
            }
        }
    }

    /// Removes one pod; returns once the API accepted the eviction or the pod is already gone.
    private func remove(
        _ pod: Pod, _ disposition: PodDisposition, tracker: BlockTracker, budgets: BudgetCache,
        notify: @escaping @Sendable (DrainNotice) async -> Void
    ) async throws {
        let namespace = pod.metadata.namespace ?? "default"
        let name = pod.metadata.name ?? ""
        var log = logger
        log[metadataKey: "pod"] = "\(namespace)/\(name)"
        // One notice (Event) per pod and kind of refusal per drain; repeats are only logged, so a
        // long PDB wait cannot exhaust the node's Event budget before the timeout report.
        var notifiedBlocked = false
        var notifiedMultiple = false
        while true {
            try Task.checkCancellation()
            do {
                if case .delete(let grace) = disposition {
                    try await cluster.delete(pod, gracePeriodSeconds: grace)
                    metrics.podEvicted()
                    log.info("deleted pod (policy deletes instead of evicting)")
                    tracker.accepted(pod)
                    return
                }
                let grace: Int64?
                if case .evict(let g) = disposition { grace = g } else { grace = nil }
                switch try await cluster.evict(pod, gracePeriodSeconds: grace) {
                case .evicted:
                    metrics.podEvicted()
                    log.info("evicted pod")
                    tracker.accepted(pod)
                    return
                case .notFound:
                    tracker.accepted(pod)
                    return
                case .blockedByDisruptionBudget(let message, let retryAfter):
                    metrics.evictionBlocked(reason: "pdb")
                    let names = await budgets.names(covering: pod)
                    let blocking = BlockingPod(namespace: namespace, name: name, reason: "eviction refused: \(message)", disruptionBudgets: names)
                    tracker.blocked(pod, blocking)
                    let wait = retryAfter.map { max($0, .seconds(1)) } ?? settings.evictionRetryInterval
                    log.info("eviction blocked by PodDisruptionBudget; retrying", metadata: [
                        "pdb": "\(names.joined(separator: ","))", "retryAfter": "\(wait.seconds)s"])
                    if !notifiedBlocked {
                        notifiedBlocked = true
                        await notify(.evictionBlocked(blocking, retryAfter: wait))
                    }
                    try await clock.sleep(for: wait)
                case .multipleDisruptionBudgets(let message):
                    metrics.evictionBlocked(reason: "multiple_pdbs")
                    let names = await budgets.names(covering: pod)
                    let blocking = BlockingPod(
                        namespace: namespace, name: name,
                        reason: "covered by several PodDisruptionBudgets, which the Eviction API refuses; fix the budgets' selectors (\(message))",
                        disruptionBudgets: names)
                    tracker.blocked(pod, blocking)
                    log.warning("pod is covered by several PodDisruptionBudgets; eviction impossible until fixed", metadata: [
                        "pdb": "\(names.joined(separator: ","))"])
                    if !notifiedMultiple {
                        notifiedMultiple = true
                        await notify(.multipleDisruptionBudgets(blocking))
                    }
                    try await clock.sleep(for: settings.evictionRetryInterval)
                }
            } catch let error as KubeClientError where error.isConflict || error.isNotFound {
                // The uid precondition failed (a new pod took the name) or the pod is gone: done.
                tracker.accepted(pod)
                return
            } catch let error as KubeClientError {
                tracker.blocked(pod, BlockingPod(namespace: namespace, name: name, reason: "eviction failed: \(error)"))
                log.warning("eviction failed; retrying", metadata: ["error": "\(error)"])
                try await clock.sleep(for: settings.evictionRetryInterval)
            }
        }
    }

    /// Polls the node's pods until none of `pods` remains (gone, or replaced by a new uid).
    private func waitUntilGone(node: String, pods: [Pod], tracker: BlockTracker) async throws {
        if pods.isEmpty { return }
        let wanted = Set(pods.compactMap(\.metadata.uid))
        while true {
            try Task.checkCancellation()
            let present = try await cluster.pods(onNode: node).filter { wanted.contains($0.metadata.uid ?? "") }
            tracker.stillPresent(present)
            if present.isEmpty { return }
            try await clock.sleep(for: settings.podGonePollInterval)
        }
    }
}

/// What each pod of a running drain last ran into (for the timeout report).
final class BlockTracker: Sendable {
    private struct State {
        var pending: [String: BlockingPod] = [:]
    }

    private let state = Mutex(State())

    private static func key(_ pod: Pod) -> String { pod.metadata.uid ?? "\(pod.metadata.namespace ?? "")/\(pod.metadata.name ?? "")" }

    func start(_ pods: [Pod]) {
        state.withLock { s in
            for pod in pods {
                s.pending[Self.key(pod)] = BlockingPod(
                    namespace: pod.metadata.namespace ?? "", name: pod.metadata.name ?? "", reason: "not yet evicted")
            }
        }
    }

    func blocked(_ pod: Pod, _ blocking: BlockingPod) { state.withLock { $0.pending[Self.key(pod)] = blocking } }

    func accepted(_ pod: Pod) {
        state.withLock { s in
            s.pending[Self.key(pod)]?.reason = "evicted, still terminating"
            s.pending[Self.key(pod)]?.disruptionBudgets = []
        }
    }

    func stillPresent(_ pods: [Pod]) {
        let keys = Set(pods.map(Self.key))
        state.withLock { s in s.pending = s.pending.filter { keys.contains($0.key) } }
    }

    func remaining() -> [BlockingPod] {
        state.withLock { Array($0.pending.values) }.sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
    }
}

/// PDBs per namespace, listed at most once per drain (only when an eviction is refused).
actor BudgetCache {
    private let cluster: any DrainerCluster
    private var byNamespace: [String: [PodDisruptionBudget]] = [:]

    init(cluster: any DrainerCluster) { self.cluster = cluster }

    func names(covering pod: Pod) async -> [String] {
        let namespace = pod.metadata.namespace ?? "default"
        if byNamespace[namespace] == nil {
            byNamespace[namespace] = (try? await cluster.disruptionBudgets(namespace: namespace)) ?? []
        }
        return (byNamespace[namespace] ?? []).filter { $0.selects(pod) }.compactMap(\.metadata.name).sorted()
    }
}
