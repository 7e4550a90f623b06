#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import KubeClient
import KubeModels
import Logging
import MendCore
import MendTime

/// The controller: reads the cluster and the node groups, follows capacity it requested, and
/// makes the scale-up and scale-down the planners decide, all on the injected clock.
///
/// A pass: node groups (cached, refreshed on an interval, after every write, and while capacity
/// is coming) → launch failures and provision timeouts of requested capacity (backoff, desired
/// capacity lowered back) → snapshot (surge-requested nodes' pods count as demand) → scale-up,
/// one `setDesiredCapacity` per group through the ``WritePath`` (a failed call backs the group
/// off and the next best group is planned at once) → scale-down through ``NodeRemoving`` →
/// status ConfigMap (with the state a restarted loop continues from), Events and metrics.
///
/// ``run(wakeups:)`` passes every scan interval, and a batching window after a pod newly
/// becomes unschedulable.
public actor AutoscalerLoop {
    /// Everything the loop talks to.
    public struct Dependencies: Sendable {
        public var cluster: any ClusterSource
        public var provider: any NodeGroupProvider
        /// Every write (capacity, status, Events) goes through it; dry-run is its switch.
        public var writes: WritePath
        public var remover: any NodeRemoving
        /// Reads the status and priority ConfigMaps (nil: no state is read back, no priorities).
        public var configMaps: (any ConfigMapReader)?
        /// Records Events on pods and nodes (nil: none).
        public var events: EventRecorder?
        public var clock: any MendClock
        public var logger: Logger
        public var metrics: AutoscalerMetrics

        public init(
            cluster: any ClusterSource, provider: any NodeGroupProvider, writes: WritePath, remover: any NodeRemoving,
            configMaps: (any ConfigMapReader)?, events: EventRecorder?, clock: any MendClock, logger: Logger,
            metrics: AutoscalerMetrics = AutoscalerMetrics()
        ) {
            self.cluster = cluster
            self.provider = provider
            self.writes = writes
            self.remover = remover
            self.configMaps = configMaps
            self.events = events
            self.clock = clock
            self.logger = logger
            self.metrics = metrics
        }
    }

    /// The settings in force (``apply(_:)`` replaces them between passes).
    public private(set) var settings: AutoscalerSettings
    let deps: Dependencies
    /// Completed passes, for `/healthz`.
    public nonisolated let liveness: LoopLiveness

    private var state: AutoscalerState
    private var stateLoaded = false
    private var statusExists: Bool?
    private var lastStatusBody: String?
    private var cachedGroups: [NodeGroup]?
    private var groupsReadAt: Date?
    private var podEventMemo: [String: String] = [:]
    private var nodeEventMemo: [String: String] = [:]

    public init(settings: AutoscalerSettings, dependencies: Dependencies) {
        self.settings = settings
        self.deps = dependencies
        self.state = AutoscalerState(backoff: settings.backoff)
        self.liveness = LoopLiveness(maxSilence: settings.scanInterval * 6, clock: dependencies.clock)
    }

    /// The state the loop holds now (what the status ConfigMap stores).
    public var currentState: AutoscalerState { state }

    // MARK: Running

    /// Passes until cancelled: every scan interval, and `batchingWindow` after a pod newly
    /// becomes unschedulable (when `wakeups` is given). A failed pass is logged and counted; the
    /// next one comes as usual, or after ``transientRetryDelay`` when a passing cloud failure
    /// (throttling) left a decision undone.
    public func run(wakeups: InformerClusterSource? = nil) async throws {
        liveness.started()
        defer { liveness.stopped() }
        let clock = deps.clock
        let (ticks, tick) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let (pending, pend) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    tick.yield()
                    try await clock.sleep(for: await self.settings.scanInterval)
                }
            }
            if let wakeups {
                group.addTask { await wakeups.watchUnschedulable { pend.yield() } }
                group.addTask {
                    for await _ in pending {
                        try await clock.sleep(for: await self.settings.batchingWindow)
                        tick.yield()
                    }
                }
            }
            for await _ in ticks {
                if Task.isCancelled { break }
                if await passLogged() {
                    let delay = min(await self.settings.scanInterval, Self.transientRetryDelay)
                    group.addTask {
                        try await clock.sleep(for: delay)
                        tick.yield()
                    }
                }
            }
            group.cancelAll()
        }
    }

    /// Replaces the settings from the next pass on (a reloaded configuration). The state the loop
    /// keeps (backoff, capacity in flight, unneeded times) carries over.
    public func apply(_ new: AutoscalerSettings) {
        settings = new
        deps.logger.notice("configuration applied", metadata: [
            "expander": "\(new.expanders.map(\.rawValue))", "scanInterval": "\(new.scanInterval)",
            "scaleDown": "\(new.scaleDownEnabled)",
        ])
    }

    /// How soon a pass runs again when a passing cloud failure (throttling, no answer) left its
    /// decision undone (at most the scan interval).
    public static let transientRetryDelay: Duration = .seconds(3)

    /// One pass, logged and measured; errors are counted, not thrown. Returns whether a passing
    /// cloud failure calls for a quick retry.
    @discardableResult
    func passLogged() async -> Bool {
        let started = ContinuousClock.now
        do {
            let report = try await runOnce()
            let elapsed = ContinuousClock.now - started
            deps.metrics.loopFinished(duration: elapsed, at: deps.clock.now.timeIntervalSince1970)
            liveness.passed()
            return report.retrySoon
        } catch is CancellationError {
            return false
        } catch {
            deps.metrics.loopFailed()
            deps.logger.error("autoscaler pass failed", metadata: ["error": "\(error)"])
            return error.isTransientCloudError
        }
    }

    /// One pass that acts: writes capacity, removes nodes, publishes status and Events.
    @discardableResult
    public func runOnce() async throws -> PassReport {
        try await pass(act: true)
    }

    /// One pass that only decides: what the loop would do now. Writes nothing, not even status.
    public func plan() async throws -> PassReport {
        try await pass(act: false)
    }

    // MARK: The pass

    private func pass(act: Bool) async throws -> PassReport {
        let now = deps.clock.now
        var report = PassReport(time: now)
        if !stateLoaded { await loadState() }

        // 1. Capacity requested earlier: registered, failed to launch, or timed out?
        var groups = try await nodeGroups(now: now, force: !state.provisioning.isEmpty)
        let nodes = try await deps.cluster.nodes()
        let pods = try await deps.cluster.pods()
        let budgets = try await deps.cluster.podDisruptionBudgets()
        if try await checkProvisioning(groups: groups, nodes: nodes, now: now, act: act, report: &report) {
            groups = try await nodeGroups(now: now, force: true)
        }

        // 2. Scale-up.
        var snapshot = ClusterSnapshot(nodes: nodes, pods: pods, podDisruptionBudgets: budgets, groups: groups)
        var planner = ScaleUpPlanner(settings: settings.scaleUp, health: settings.health)
        let priorities = await priorityTable(notes: &report.notes)
        planner.settings.expanders = settings.expanderChain(priorities: priorities)
        var executed: [GroupIncrease] = []
        var rounds = 0
        while true {
            rounds += 1
            let (upSnapshot, surgePods) = SurgeDemand.apply(snapshot)
            report.surgePods = surgePods
            var plan = planner.plan(upSnapshot, backoff: state.backoff, now: now)
            plan = SimilarGroupBalancer.balance(
                plan, snapshot: upSnapshot, planner: planner, backoff: state.backoff, now: now,
                enabled: settings.balanceSimilarGroups)
            guard act, plan.halted == nil, !plan.increases.isEmpty else {
                report.scaleUp = merged(plan, executed: executed)
                break
            }
            var failed = false
            for increase in plan.increases {
                do {
                    try await deps.writes.setDesiredCapacity(group: increase.group, to: increase.to)
                    executed.append(increase)
                    deps.metrics.scaleUp(group: increase.group, result: "requested")
                    if !deps.writes.isDryRun {
                        state.provisioning[increase.group] = ProvisionRequest(
                            requestedAt: now, from: increase.from, target: increase.to)
                    }
                    deps.logger.notice(
                        "scale-up", metadata: [
                            "group": "\(increase.group)", "from": "\(increase.from)", "to": "\(increase.to)",
                            "pods": "\(increase.option.pods.count)",
                        ])
                } catch is CancellationError {
                    throw CancellationError()
                } catch where error.isTransientCloudError {
                    // The cloud was busy, not the group at fault: keep the decision (no backoff,
                    // no other group in its place) and make it again on a quick retry pass.
                    report.failedIncreases[increase.group] = "\(error) (passing; retried shortly)"
                    report.retrySoon = true
                    deps.metrics.scaleUp(group: increase.group, result: "throttled")
                    deps.logger.warning(
                        "scale-up request failed for a passing reason; retried shortly, the group is not backed off",
                        metadata: ["group": "\(increase.group)", "error": "\(error)"])
                } catch {
                    failed = true
                    report.failedIncreases[increase.group] = "\(error)"
                    deps.metrics.scaleUp(group: increase.group, result: "error")
                    state.backoff.recordFailure(
                        group: increase.group, reason: "setDesiredCapacity failed: \(error)", now: now)
                    deps.logger.warning(
                        "scale-up request failed; group backed off", metadata: ["group": "\(increase.group)", "error": "\(error)"])
                }
            }
            cachedGroups = nil
            // A refused request: plan again now, so the next best group is tried in this pass.
            guard failed, rounds <= groups.count else {
                report.scaleUp = merged(plan, executed: executed)
                break
            }
            groups = try await nodeGroups(now: now, force: true)
            snapshot = ClusterSnapshot(nodes: nodes, pods: pods, podDisruptionBudgets: budgets, groups: groups)
        }
        if !executed.isEmpty {
            state.lastScaleUp = ScaleActivity(
                time: now,
                lines: executed.map { increase in
                    "\(increase.group): \(increase.from) -> \(increase.to) for \(increase.option.pods.count) pod(s)"
                        + (increase.option.instanceType.map { " (\($0))" } ?? "")
                })
            groups = try await nodeGroups(now: now, force: true)
            snapshot = ClusterSnapshot(nodes: nodes, pods: pods, podDisruptionBudgets: budgets, groups: groups)
        }

        // 3. Scale-down.
        if settings.scaleDownEnabled {
            let downPlanner = ScaleDownPlanner(settings: settings.scaleDown, health: settings.health)
            let downPlan = downPlanner.plan(
                snapshot, unneededSince: state.unneededSince, lastScaleUp: state.lastScaleUp?.time, now: now)
            report.scaleDown = downPlan
            if act {
                state.unneededSince = downPlan.unneededSince
                if !downPlan.removals.isEmpty && downPlan.halted == nil {
                    for removal in downPlan.removals {
                        deps.logger.notice(
                            "scale-down", metadata: [
                                "node": "\(removal.node)", "group": "\(removal.group)", "kind": "\(removal.kind)",
                                "pods": "\(removal.podsToEvict.count)",
                            ])
                    }
                    let results = await deps.remover.remove(downPlan.removals)
                    report.removals = results
                    cachedGroups = nil
                    for result in results where result.outcome == .removed {
                        state.unneededSince[result.removal.node] = nil
                    }
                    state.lastScaleDown = ScaleActivity(
                        time: now,
                        lines: results.map { "\($0.removal.node) (\($0.removal.group)): \($0.removal.kind) -> \($0.outcome)" })
                }
            }
        }

        // 4. What the pass saw.
        let membership = GroupMembership(groups: groups)
        for node in nodes {
            guard let group = membership.group(of: node) else { continue }
            report.registered[group, default: 0] += 1
            if node.isReady { report.ready[group, default: 0] += 1 }
        }
        report.groups = groups
        report.pending = PendingPods(pods: pods)
        if act {
            record(report, pods: pods, now: now)
            await publishStatus(report)
            await publishEvents(report, pods: pods, nodes: nodes)
        }
        return report
    }

    /// The plan as the status shows it: the increases that were made.
    private func merged(_ plan: ScaleUpPlan, executed: [GroupIncrease]) -> ScaleUpPlan {
        var result = plan
        var seen = Set(plan.increases.map(\.group))
        for increase in executed where !seen.contains(increase.group) {
            result.increases.append(increase)
            seen.insert(increase.group)
        }
        return result
    }

    // MARK: Provisioning

    /// Judges each capacity request; returns whether a write was made (groups must be re-read).
    private func checkProvisioning(
        groups: [NodeGroup], nodes: [Node], now: Date, act: Bool, report: inout PassReport
    ) async throws -> Bool {
        guard !state.provisioning.isEmpty else { return false }
        let membership = GroupMembership(groups: groups)
        var registered: [String: Int] = [:]
        for node in nodes {
            if let group = membership.group(of: node) { registered[group, default: 0] += 1 }
        }
        var wrote = false
        for (name, request) in state.provisioning.sorted(by: { $0.key < $1.key }) {
            let group = groups.first { $0.id == name }
            var failures: [LaunchFailure] = []
            if group != nil {
                do {
                    failures = try await deps.provider.launchFailures(group: name, since: request.requestedAt)
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    deps.logger.warning(
                        "cannot read launch failures", metadata: ["group": "\(name)", "error": "\(error)"])
                }
            }
            let verdict = ProvisioningTracker.verdict(
                request, group: group, registered: registered[name] ?? 0, failures: failures, now: now,
                timeout: settings.provisionTimeout)
            switch verdict {
            case .waiting:
                continue
            case .done:
                if act {
                    state.provisioning[name] = nil
                    state.backoff.recordSuccess(group: name)
                    deps.metrics.scaleUp(group: name, result: "registered")
                }
            case .failed(let reason, let lowerTo):
                report.provisioningFailures[name] = reason
                guard act else { continue }
                state.provisioning[name] = nil
                let duration = state.backoff.recordFailure(group: name, reason: reason, now: now)
                deps.metrics.scaleUp(group: name, result: failures.isEmpty ? "timed_out" : "launch_failed")
                deps.logger.warning(
                    "node group backed off", metadata: [
                        "group": "\(name)", "reason": "\(reason)", "for": "\(GoDuration(duration))",
                        "lowerDesiredTo": "\(lowerTo.map(String.init) ?? "-")",
                    ])
                if let lowerTo {
                    do {
                        try await deps.writes.setDesiredCapacity(group: name, to: lowerTo)
                        wrote = true
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch {
                        deps.logger.warning(
                            "cannot lower desired capacity", metadata: ["group": "\(name)", "error": "\(error)"])
                    }
                }
            }
        }
        return wrote
    }

    // MARK: Reads

    private func nodeGroups(now: Date, force: Bool) async throws -> [NodeGroup] {
        if !force, let cached = cachedGroups, let at = groupsReadAt,
            now.timeIntervalSince(at) < settings.groupRefreshInterval.seconds
        {
            return cached
        }
        let groups = try await deps.provider.nodeGroups()
        cachedGroups = groups
        groupsReadAt = now
        return groups
    }

    private func priorityTable(notes: inout [String]) async -> PriorityTable? {
        guard settings.expanders.contains(.priority), let reader = deps.configMaps else { return nil }
        let ref = settings.priorityConfigMap
        do {
            guard let map = try await reader.configMap(name: ref.name, namespace: ref.namespace) else {
                notes.append("priority expander: ConfigMap \(ref.namespace)/\(ref.name) not found; expander skipped")
                return nil
            }
            guard let text = map.data?["priorities"] else {
                notes.append("priority expander: ConfigMap \(ref.namespace)/\(ref.name) has no \"priorities\" key; expander skipped")
                return nil
            }
            return try PriorityTable(yaml: text)
        } catch {
            notes.append("priority expander: \(ref.namespace)/\(ref.name): \(error); expander skipped")
            return nil
        }
    }

    /// Reads the state the previous leader left in the status ConfigMap.
    private func loadState() async {
        guard let reader = deps.configMaps else {
            stateLoaded = true
            return
        }
        do {
            let map = try await reader.configMap(name: settings.statusName, namespace: settings.statusNamespace)
            statusExists = map != nil
            if let text = map?.data?[AutoscalerState.dataKey] {
                if var saved = AutoscalerState.decode(text) {
                    saved.backoff.initial = settings.backoff.initial
                    saved.backoff.maximum = settings.backoff.maximum
                    saved.backoff.reset = settings.backoff.reset
                    state = saved
                    deps.logger.info(
                        "continuing from saved state", metadata: [
                            "unneeded": "\(saved.unneededSince.count)", "provisioning": "\(saved.provisioning.count)",
                            "backedOff": "\(saved.backoff.entries.count)",
                        ])
                } else {
                    deps.logger.warning("saved state in the status ConfigMap is not readable; starting afresh")
                }
            }
            stateLoaded = true
        } catch {
            deps.logger.warning("cannot read the status ConfigMap; will try again next pass", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Publishing

    private func record(_ report: PassReport, pods: [PodSummary], now: Date) {
        let metrics = deps.metrics
        metrics.unschedulable(count: report.pending.count, oldestAgeSeconds: report.pending.oldestAge(now: now))
        let backedOff = Set(report.groups.map(\.id).filter { state.backoff.backoff(group: $0, now: now) != nil })
        metrics.backedOff(backedOff, known: report.groups.map(\.id))
        let halted = report.scaleUp.halted ?? report.scaleDown?.halted
        metrics.halted(halted != nil)
        if halted != nil {
            metrics.decision("halt", reason: "unready_nodes")
            deps.logger.warning("scaling halted", metadata: ["reason": "\(halted!)"])
        }
        for increase in report.scaleUp.increases where report.failedIncreases[increase.group] == nil {
            metrics.decision("scale_up", reason: settings.expanders.first?.rawValue.replacingOccurrences(of: "-", with: "_") ?? "none")
        }
        var notTriggered: [String: Int] = [:]
        for reasons in report.scaleUp.noScaleUp.values {
            notTriggered[Self.reasonLabel(reasons.values.sorted().first ?? "no node groups"), default: 0] += 1
        }
        for (reason, count) in notTriggered { metrics.decision("no_scale_up", reason: reason, count: count) }
        for result in report.removals {
            metrics.decision("scale_down", reason: Self.kindLabel(result.removal.kind))
        }
        var blocked: [String: Int] = [:]
        for block in report.scaleDown?.blocked.values.map({ $0 }) ?? [] { blocked[Self.blockLabel(block), default: 0] += 1 }
        for (reason, count) in blocked { metrics.decision("scale_down_blocked", reason: reason, count: count) }
    }

    private func publishStatus(_ report: PassReport) async {
        var status = StatusReport(
            time: report.time, groups: report.groups, registered: report.registered, backoff: state.backoff,
            scaleUp: report.scaleUp, scaleDown: report.scaleDown ?? ScaleDownPlan())
        status.ready = report.ready
        status.pending = report.pending
        status.provisioning = state.provisioning
        status.lastScaleUp = state.lastScaleUp
        status.lastScaleDown = state.lastScaleDown
        status.notes = report.notes
            + report.provisioningFailures.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
            + report.failedIncreases.sorted { $0.key < $1.key }.map { "\($0.key): setDesiredCapacity failed: \($0.value)" }
            + (report.scaleDown == nil ? ["scale-down disabled"] : [])
        let text = status.text
        let stateText = state.encoded()
        // The first line is the time: an otherwise unchanged status is not rewritten.
        let body = text.split(separator: "\n", maxSplits: 1).dropFirst().joined() + stateText
        guard body != lastStatusBody else { return }
        let data: [String: String] = [StatusReport.dataKey: text, AutoscalerState.dataKey: stateText]
        let name = settings.statusName
        let namespace = settings.statusNamespace
        do {
            // A dry run only pretends to create it (a pretended patch would read it first).
            if statusExists == true && !deps.writes.isDryRun {
                try await deps.writes.patchConfigMap(
                    name, namespace: namespace,
                    patch: .merge(["data": .object(data.mapValues { .string($0) })]))
            } else {
                let map = ConfigMap(
                    metadata: ObjectMeta(
                        name: name, namespace: namespace,
                        labels: ["app.kubernetes.io/name": "mend-autoscaler", "app.kubernetes.io/component": "status"]),
                    data: data)
                do {
                    try await deps.writes.createConfigMap(map)
                } catch where error.isKubeConflict {
                    try await deps.writes.patchConfigMap(
                        name, namespace: namespace, patch: .merge(["data": .object(data.mapValues { .string($0) })]))
                }
                statusExists = true
            }
            lastStatusBody = body
        } catch is CancellationError {
            return
        } catch {
            deps.logger.warning("cannot write the status ConfigMap", metadata: ["error": "\(error)"])
        }
    }

    private func publishEvents(_ report: PassReport, pods: [PodSummary], nodes: [Node]) async {
        guard let events = deps.events else { return }
        let byKey = Dictionary(pods.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        var wanted: [(pod: PodSummary, type: String, reason: String, message: String)] = []
        for increase in report.scaleUp.increases where report.failedIncreases[increase.group] == nil {
            let message =
                "pod triggered scale-up: [{\(increase.group) \(increase.from)->\(increase.to) (max: \(report.groups.first { $0.id == increase.group }?.maxSize ?? increase.to))}]"
            for key in increase.option.pods { if let pod = byKey[key] { wanted.append((pod, "Normal", "TriggeredScaleUp", message)) } }
        }
        for key in report.scaleUp.noScaleUp.keys.sorted() {
            guard let pod = byKey[key], let message = report.scaleUp.noScaleUpMessage(for: key) else { continue }
            wanted.append((pod, "Normal", "NotTriggerScaleUp", message))
        }
        for item in wanted {
            let memo = "\(item.reason)|\(item.message)"
            guard podEventMemo[item.pod.key] != memo else { continue }
            podEventMemo[item.pod.key] = memo
            let reference = ObjectReference(
                kind: "Pod", namespace: item.pod.namespace, name: item.pod.name, uid: item.pod.uid, apiVersion: "v1")
            await events.record(about: reference, type: item.type, reason: item.reason, message: item.message)
        }
        let podKeys = Set(byKey.keys)
        podEventMemo = podEventMemo.filter { podKeys.contains($0.key) }

        // Nodes: what blocks a node that is otherwise unneeded, once per reason (the remover
        // reports the removals themselves).
        let nodesByName = Dictionary(nodes.compactMap { n in n.metadata.name.map { ($0, n) } }, uniquingKeysWith: { a, _ in a })
        var nodeEvents: [(node: Node, type: String, reason: String, message: String)] = []
        for (name, block) in report.scaleDown?.blocked.sorted(by: { $0.key < $1.key }) ?? [] where Self.isNotable(block) {
            guard let node = nodesByName[name] else { continue }
            nodeEvents.append((node, "Normal", "ScaleDownBlocked", "node cannot be removed: \(block)"))
        }
        for item in nodeEvents {
            let name = item.node.metadata.name ?? ""
            let memo = "\(item.reason)|\(item.message)"
            guard nodeEventMemo[name] != memo else { continue }
            nodeEventMemo[name] = memo
            await events.record(item.node, type: item.type, reason: item.reason, message: item.message)
        }
        let nodeNames = Set(nodesByName.keys)
        nodeEventMemo = nodeEventMemo.filter { nodeNames.contains($0.key) }
    }

    /// Blocks worth an Event: a node that is otherwise unneeded but must stay.
    static func isNotable(_ block: ScaleDownBlock) -> Bool {
        switch block {
        case .podNotSafeToEvict, .podNotReplicated, .podWithLocalStorage, .kubeSystemPodWithoutPDB, .podDisruptionBudget,
            .podFitsNowhereElse, .scaleDownDisabled:
            true
        default:
            false
        }
    }

    static func kindLabel(_ kind: NodeRemoval.Kind) -> String {
        switch kind {
        case .resumed: "resumed"
        case .drained: "drained"
        case .empty: "empty"
        case .underutilized: "underutilized"
        }
    }

    static func blockLabel(_ block: ScaleDownBlock) -> String {
        switch block {
        case .notInManagedGroup: "not_in_group"
        case .scaleDownDisabled: "scale_down_disabled"
        case .groupAtMinimum: "group_at_minimum"
        case .utilizationAboveThreshold: "utilization"
        case .unneededForTooShort: "unneeded_too_short"
        case .recentScaleUp: "recent_scale_up"
        case .podNotSafeToEvict: "not_safe_to_evict"
        case .podNotReplicated: "not_replicated"
        case .podWithLocalStorage: "local_storage"
        case .kubeSystemPodWithoutPDB: "kube_system_pod"
        case .podDisruptionBudget: "pdb"
        case .podFitsNowhereElse: "no_place_for_pods"
        case .removalLimitReached: "removal_limit"
        case .notReady: "not_ready"
        }
    }

    /// A short label for a no-scale-up reason text.
    static func reasonLabel(_ text: String) -> String {
        let lower = text.lowercased()
        if lower.contains("backed off") { return "backed_off" }
        if lower.contains("maximum size") || lower.contains("max node group size") { return "max_size" }
        if lower.contains("cluster-wide") { return "cluster_limit" }
        if lower.contains("insufficient") { return "insufficient_resources" }
        if lower.contains("taint") { return "taint" }
        if lower.contains("selector") || lower.contains("affinity") { return "node_selection" }
        if lower.contains("no node and no instance type") { return "no_template" }
        return "other"
    }
}
