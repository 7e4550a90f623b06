#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import Drainer
import KubeClient
import KubeModels
import Logging
import MendCore
import MendTime
import Metrics

/// The real ``NodeRemoving``: for each planned removal it
///
/// 1. re-checks the node (it still exists, is not annotated scale-down-disabled, still runs the
///    planned instance, and no pod beyond the plan's has landed on it), then taints it
///    `ToBeDeletedByClusterAutoscaler=<unix seconds>:NoSchedule` with a patch that keeps the
///    other taints and fails on a concurrent change (`resourceVersion` precondition);
/// 2. drains it with the shared ``Drainer/NodeDrainer`` (the Eviction API, so PodDisruptionBudgets
///    hold); a drain that does not finish within the timeout abandons the removal;
/// 3. re-checks the node (nothing but DaemonSet and mirror pods left) and terminates its instance
///    with the group's desired capacity decremented.
///
/// Every write goes through the `WritePath` (the termination to AWS, or to another provider
/// through ``NodeGroupWriteExecutor``), so a dry-run path logs the taint, the evictions and the termination and sends none of them. A
/// removal that stops before the termination takes its taint off again. Empty nodes (and drained
/// or resumed nodes with nothing to evict) are removed together, at most
/// ``NodeRemoverSettings/emptyBulkConcurrency`` at a time; the others one at a time.
///
/// Each removal ends with an Event on the node (`ScaleDown`, `ScaleDownAbandoned` or
/// `ScaleDownFailed`) and a count in `mend_autoscaler_scale_downs_total{group,result}`.
///
/// Restart safety: a node left tainted is planned again as ``NodeRemoval/Kind/resumed`` and
/// finished here; the taint already being there is fine, and an instance no longer in its group
/// counts as removed.
public struct NodeRemover: NodeRemoving {
    let cluster: any DrainerCluster
    let provider: any NodeGroupProvider
    let writes: WritePath
    let events: EventRecorder
    let settings: NodeRemoverSettings
    let clock: any MendClock
    let factory: any MetricsFactory
    let logger: Logger

    /// A remover over any cluster seam.
    ///
    /// - Parameters:
    ///   - cluster: node and pod reads, and the node patches and evictions (through `writes` in
    ///     ``Drainer/KubeDrainerCluster``).
    ///   - provider: the node groups, read to re-check a removal (the termination goes through `writes`).
    ///   - writes: the program's write path (its dry-run switch covers everything).
    ///   - events: the recorder for the node Events (default: one over `writes`).
    ///   - factory: where the scale-down counter lives (default: the process's metrics system).
    public init(
        cluster: any DrainerCluster, provider: any NodeGroupProvider, writes: WritePath, events: EventRecorder? = nil,
        settings: NodeRemoverSettings = NodeRemoverSettings(), clock: any MendClock = SystemClock(),
        metricsFactory factory: (any MetricsFactory)? = nil, logger: Logger
    ) {
        self.cluster = cluster
        self.provider = provider
        self.writes = writes
        self.events =
            events ?? EventRecorder(sink: writes, component: NodeRemover.component, clock: clock, logger: logger)
        self.settings = settings
        self.clock = clock
        self.factory = factory ?? MetricsSystem.factory
        self.logger = logger
    }

    /// A remover that reads with `client` and writes through `writes`.
    public init(
        client: KubernetesClient, provider: any NodeGroupProvider, writes: WritePath, events: EventRecorder? = nil,
        settings: NodeRemoverSettings = NodeRemoverSettings(), clock: any MendClock = SystemClock(),
        metricsFactory factory: (any MetricsFactory)? = nil, logger: Logger
    ) {
        self.init(
            cluster: KubeDrainerCluster(client: client, writes: writes), provider: provider, writes: writes,
            events: events, settings: settings, clock: clock, metricsFactory: factory, logger: logger)
    }

    /// The Event source component.
    public static let component = "mend-autoscaler"

    public func remove(_ removals: [NodeRemoval]) async -> [NodeRemovalResult] {
        if removals.isEmpty { return [] }
        let cluster: any DrainerCluster = writes.isDryRun ? DryRunDrainView(base: self.cluster) : self.cluster
        let groups = await currentGroups()
        var results = [NodeRemovalResult?](repeating: nil, count: removals.count)
        let bulk = removals.indices.filter { Self.isBulk(removals[$0]) }
        let single = removals.indices.filter { !Self.isBulk(removals[$0]) }

        await withTaskGroup(of: (Int, NodeRemovalResult).self) { group in
            var next = 0
            let width = max(1, settings.emptyBulkConcurrency)
            while next < bulk.count && next < width {
                let index = bulk[next]
                group.addTask { (index, await self.removeOne(removals[index], cluster: cluster, groups: groups)) }
                next += 1
            }
            while let finished = await group.next() {
                results[finished.0] = finished.1
                if next < bulk.count {
                    let index = bulk[next]
                    group.addTask { (index, await self.removeOne(removals[index], cluster: cluster, groups: groups)) }
                    next += 1
                }
            }
        }
        for index in single {
            results[index] = await removeOne(removals[index], cluster: cluster, groups: groups)
        }
        return zip(removals, results).map { removal, result in
            result ?? NodeRemovalResult(removal: removal, outcome: .failed(reason: "not attempted"))
        }
    }

    /// Whether the removal has nothing to evict (removed in bulk, without a drain wait).
    static func isBulk(_ removal: NodeRemoval) -> Bool {
        switch removal.kind {
        case .empty: true
        case .drained, .resumed: removal.podsToEvict.isEmpty
        case .underutilized: false
        }
    }

    /// The groups by name, read once per call; nil when the read fails (the checks that need it
    /// are then left to the termination call).
    private func currentGroups() async -> [String: NodeGroup]? {
        do {
            let groups = try await provider.nodeGroups()
            return Dictionary(groups.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        } catch {
            logger.warning("could not read the node groups before removing nodes", metadata: ["error": "\(error)"])
            return nil
        }
    }

    // MARK: One removal

    private func removeOne(
        _ removal: NodeRemoval, cluster: any DrainerCluster, groups: [String: NodeGroup]?
    ) async -> NodeRemovalResult {
        var log = logger
        log[metadataKey: "node"] = "\(removal.node)"
        log[metadataKey: "group"] = "\(removal.group)"
        log[metadataKey: "instance"] = "\(removal.instanceID)"
        log[metadataKey: "kind"] = "\(removal.kind)"
        var uid: String?
        let outcome: NodeRemovalResult.Outcome
        do {
            outcome = try await attempt(removal, cluster: cluster, groups: groups, uid: &uid, log: log)
        } catch is CancellationError {
            // Shutting down: the taint stays so the next run resumes the removal.
            outcome = .failed(reason: "interrupted; the node stays tainted and the next run finishes the removal")
        } catch {
            outcome = await fail(removal, cluster: cluster, reason: "\(error)")
        }
        await report(removal, outcome: outcome, uid: uid, log: log)
        return NodeRemovalResult(removal: removal, outcome: outcome)
    }

    private func attempt(
        _ removal: NodeRemoval, cluster: any DrainerCluster, groups: [String: NodeGroup]?, uid: inout String?,
        log: Logger
    ) async throws -> NodeRemovalResult.Outcome {
        if let groups {
            guard let group = groups[removal.group] else {
                return await abandon(
                    removal, cluster: cluster, reason: "node group \(removal.group) is not among the provider's groups")
            }
            if !group.instances.contains(where: { $0.id == removal.instanceID }) {
                if removal.kind == .resumed {
                    log.info("the instance is already gone from its group: an earlier run terminated it")
                    return .removed
                }
                return await abandon(
                    removal, cluster: cluster,
                    reason: "instance \(removal.instanceID) is not in node group \(removal.group)")
            }
        }

        // 1. Re-check, then taint.
        switch try await taint(removal, cluster: cluster, log: log) {
        case .refused(let reason):
            return await abandon(removal, cluster: cluster, reason: reason)
        case .tainted(let node):
            uid = node.metadata.uid
        }

        // 2. Drain (an empty node has nothing to wait for; the re-check below covers it).
        if removal.kind != .empty {
            let drainer = NodeDrainer(
                cluster: cluster, policy: settings.podPolicy, settings: settings.drainSettings, clock: clock,
                logger: log)
            let deadline = clock.now.addingTimeInterval(settings.drainTimeout.seconds)
            let drained = try await drainer.drain(node: removal.node, deadline: deadline) { notice in
                Self.log(notice, log)
            }
            switch drained {
            case .succeeded(let evicted):
                log.info("drained", metadata: ["evicted": "\(evicted)"])
            case .timedOut(let blocking):
                return await abandon(
                    removal, cluster: cluster,
                    reason: "the drain did not finish within \(Self.format(settings.drainTimeout)); still on the node: "
                        + blocking.map(\.description).joined(separator: "; "))
            case .blocked(let pods):
                return await abandon(
                    removal, cluster: cluster,
                    reason: "pods the drain may not evict: " + pods.map(\.description).joined(separator: "; "))
            case .cancelled(let reason):
                return await abandon(removal, cluster: cluster, reason: "drain cancelled: \(reason)")
            }
        }

        // 3. Re-check (only DaemonSet and mirror pods may be left), then terminate.
        let node = try await cluster.node(named: removal.node)
        var pods: [Pod] = []
        if node != nil { pods = try await cluster.pods(onNode: removal.node) }
        if let reason = RemovalCheck.refusal(node: node, pods: pods, instanceID: removal.instanceID, expected: []) {
            return await abandon(removal, cluster: cluster, reason: reason)
        }
        do {
            try await writes.terminateInstance(removal.instanceID, group: removal.group, decrementDesiredCapacity: true)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            return await fail(removal, cluster: cluster, reason: "terminating instance \(removal.instanceID) failed: \(error)")
        }
        return .removed
    }

    // MARK: Taint

    private enum TaintStep {
        case tainted(Node)
        case refused(String)
    }

    /// Re-checks the node and adds the deletion taint (already there is fine). A concurrent
    /// change (409) makes it read and check again, up to ``NodeRemoverSettings/taintAttempts``.
    private func taint(_ removal: NodeRemoval, cluster: any DrainerCluster, log: Logger) async throws -> TaintStep {
        let expected = Set(removal.podsToEvict)
        let attempts = max(1, settings.taintAttempts)
        for _ in 1...attempts {
            let node = try await cluster.node(named: removal.node)
            var pods: [Pod] = []
            if node != nil { pods = try await cluster.pods(onNode: removal.node) }
            if let reason = RemovalCheck.refusal(
                node: node, pods: pods, instanceID: removal.instanceID, expected: expected)
            {
                return .refused(reason)
            }
            guard let node else { return .refused("the node no longer exists") }
            guard let patch = try DeletionTaint.adding(to: node, at: clock.now) else {
                log.info("the node already carries the deletion taint")
                return .tainted(node)
            }
            do {
                try await cluster.patchNode(named: removal.node, patch: patch)
                log.info("tainted the node \(NodeTaints.toBeDeletedByClusterAutoscaler):NoSchedule")
                return .tainted(node)
            } catch let error as KubeClientError where error.isConflict {
                continue
            }
        }
        throw NodeRemoverError.nodeKeptChanging(node: removal.node, attempts: attempts)
    }

    /// Takes the deletion taint off (absent, or the node gone, is fine).
    private func untaint(_ name: String, cluster: any DrainerCluster) async throws {
        let attempts = max(1, settings.taintAttempts)
        for _ in 1...attempts {
            guard let node = try await cluster.node(named: name), let patch = try DeletionTaint.removing(from: node)
            else { return }
            do {
                try await cluster.patchNode(named: name, patch: patch)
                return
            } catch let error as KubeClientError where error.isConflict {
                continue
            }
        }
        throw NodeRemoverError.nodeKeptChanging(node: name, attempts: attempts)
    }

    /// Stops a removal on purpose: untaints; if that fails the removal counts as failed.
    private func abandon(_ removal: NodeRemoval, cluster: any DrainerCluster, reason: String) async
        -> NodeRemovalResult.Outcome
    {
        do {
            try await untaint(removal.node, cluster: cluster)
            return .abandoned(reason: reason)
        } catch {
            return .failed(reason: "\(reason); the deletion taint could not be taken off: \(error)")
        }
    }

    /// Stops a removal on an error: untaints when possible and says whether it did.
    private func fail(_ removal: NodeRemoval, cluster: any DrainerCluster, reason: String) async
        -> NodeRemovalResult.Outcome
    {
        do {
            try await untaint(removal.node, cluster: cluster)
            return .failed(reason: "\(reason); the node was untainted")
        } catch {
            return .failed(reason: "\(reason); the deletion taint could not be taken off: \(error)")
        }
    }

    // MARK: Reporting

    private func report(_ removal: NodeRemoval, outcome: NodeRemovalResult.Outcome, uid: String?, log: Logger) async {
        let reference = ObjectReference(kind: "Node", name: removal.node, uid: uid, apiVersion: "v1")
        let type: String, reason: String, message: String, result: String
        switch outcome {
        case .removed:
            log.info("removed the node")
            type = EventType.normal
            reason = "ScaleDown"
            result = "removed"
            message =
                "node removed by \(Self.component) (\(removal.kind)): instance \(removal.instanceID) terminated, node group \(removal.group) shrunk by one"
        case .abandoned(let why):
            log.info("abandoned the node's removal", metadata: ["reason": "\(why)"])
            type = EventType.normal
            reason = "ScaleDownAbandoned"
            result = "abandoned"
            message = "scale-down abandoned: \(why)"
        case .failed(let why):
            log.warning("the node's removal failed", metadata: ["reason": "\(why)"])
            type = EventType.warning
            reason = "ScaleDownFailed"
            result = "failed"
            message = "scale-down failed: \(why)"
        }
        Counter(
            label: "mend_autoscaler_scale_downs_total", dimensions: [("group", removal.group), ("result", result)],
            factory: factory
        ).increment()
        await events.record(about: reference, type: type, reason: reason, message: message)
    }

    private static func log(_ notice: DrainNotice, _ log: Logger) {
        switch notice {
        case .evictionBlocked(let pod, let retryAfter):
            log.info("eviction refused; retrying", metadata: ["pod": "\(pod)", "retryAfter": "\(retryAfter)"])
        case .multipleDisruptionBudgets(let pod):
            log.warning("pod is covered by several PodDisruptionBudgets", metadata: ["pod": "\(pod)"])
        case .timedOut(let pods):
            log.warning("drain timed out", metadata: ["pods": "\(pods.map(\.description).joined(separator: "; "))"])
        }
    }

    /// `90 s`, `10 min`.
    static func format(_ duration: Duration) -> String {
        let seconds = Int(duration.seconds.rounded())
        return seconds >= 60 && seconds % 60 == 0 ? "\(seconds / 60) min" : "\(seconds) s"
    }
}

/// Why a removal step could not be made.
public enum NodeRemoverError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Every attempt to change the node's taints met a concurrent change.
    case nodeKeptChanging(node: String, attempts: Int)

    public var description: String {
        switch self {
        case .nodeKeptChanging(let node, let attempts):
            "node \(node) changed under each of \(attempts) attempts to update its taints"
        }
    }
}
