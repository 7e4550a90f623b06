import Foundation
import KubeClient
import KubeModels
import Logging
import MendCore
import MendTime

/// The node source the reconciler reads: a list+watch cache and its change notifications.
public protocol NodeCache: Sendable {
    /// Every node the cache holds now.
    func currentNodes() -> [Node]
    /// Waits until the cache holds a complete list.
    func waitUntilSynced() async throws
    /// A stream that yields whenever a node is added, changed or deleted.
    func changes() -> AsyncStream<Void>
}

extension Informer: NodeCache where Object == Node {
    public func currentNodes() -> [Node] { list() }
    public func waitUntilSynced() async throws { try await waitForSync() }
    public func changes() -> AsyncStream<Void> {
        let source = events()
        return AsyncStream { continuation in
            let task = Task {
                for await _ in source { continuation.yield() }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// Watches nodes and takes sick ones out of service within the policy and its safety budget:
/// cordon when a rule has matched long enough, drain, mark drained nodes for the autoscaler, and
/// uncordon nodes Mend cordoned once they have been healthy long enough.
///
/// Driven by the node informer plus a timer for the earliest pending deadline (a rule's duration
/// elapsing, a cool-down ending, hysteresis passing), so a node is cordoned within a second of its
/// rule's duration even when the node object does not change then. Every decision is re-checked
/// against a fresh GET before the write. Per-node state lives in node annotations (see
/// ``MendNodeKeys``) and the storm cool-down in a ``DrainerStateStore``, so a restarted or newly
/// elected reconciler resumes in-flight drains, counts the budget from the cluster and honours
/// the remaining cool-down.
public actor Reconciler {
    /// The policy in force; ``apply(_:)`` replaces it (configuration reload).
    public private(set) var policy: DrainerPolicy
    let cluster: any DrainerCluster
    let stateStore: (any DrainerStateStore)?
    let nodes: any NodeCache
    let events: EventRecorder
    let clock: any MendClock
    let metrics: DrainerMetrics
    let logger: Logger
    let dryRun: Bool

    private let wakeup = Wakeup()
    private var firstSeen: [String: Date] = [:]
    private var running: [String: Wakeup] = [:]  // node → cancel signal of its drain task
    private var lastDrainStart: Date?
    private var stormUntil: Date?
    private var retryAt: [String: Date] = [:]
    private var refusals: [String: BudgetRefusal] = [:]
    private var dryRunCordoned: Set<String> = []
    private var dryRunReported: Set<String> = []
    /// Nodes this process cordoned whose cached copy does not show it yet (counted in the budget).
    private var recentCordons: Set<String> = []
    private var passes = 0
    /// Whether the stored ``DrainerState`` has been read since this leadership term began.
    private var stateLoaded = false
    /// Whether ``stormUntil`` changed and must be stored.
    private var stateDirty = false
    /// Surge requests this process wrote whose cached node may not show them yet.
    private var surgeRequests: [String: Date] = [:]

    /// - Parameters:
    ///   - state: where the storm cool-down is kept across restarts and leader changes (`nil`:
    ///     in memory only). Until it has been read, no new node is cordoned.
    ///   - dryRun: decide and log only; the cluster's write methods are never called.
    public init(
        policy: DrainerPolicy, cluster: any DrainerCluster, nodes: any NodeCache, events: EventRecorder,
        clock: any MendClock, metrics: DrainerMetrics = DrainerMetrics(), logger: Logger, dryRun: Bool = false,
        state: (any DrainerStateStore)? = nil
    ) {
        self.policy = policy
        self.cluster = cluster
        self.stateStore = state
        self.nodes = nodes
        self.events = events
        self.clock = clock
        self.metrics = metrics
        self.logger = logger
        self.dryRun = dryRun
    }

    /// How many reconcile passes have run (for tests and logs).
    public var passCount: Int { passes }

    /// The nodes whose drains run in this process now.
    public var drainingNodes: [String] { running.keys.sorted() }

    /// Reconciles until the calling task is cancelled (leadership lost, shutdown), then returns.
    /// Drains run as child tasks and are cancelled with it; their state stays in the cluster for
    /// the next leader.
    ///
    /// - Throws: `CancellationError` only if cancelled before the node cache synced.
    public func run() async throws {
        try await nodes.waitUntilSynced()
        stateLoaded = false  // a new term: read what the last leader stored
        let changes = nodes.changes()
        let wakeup = self.wakeup
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in changes { wakeup.signal() }
            }
            while !Task.isCancelled {
                let deadline = await reconcilePass(group: &group)
                await wakeup.wait(until: deadline, clock: clock)
            }
            group.cancelAll()
        }
    }

    /// Asks for a reconcile pass as soon as possible.
    public nonisolated func poke() { wakeup.signal() }

    /// Replaces the policy (a configuration reload). The next pass decides by the new policy;
    /// drains already running finish with the settings they started with.
    public func apply(_ newPolicy: DrainerPolicy) {
        guard newPolicy != policy else { return }
        policy = newPolicy
        refusals.removeAll()  // refusals are re-evaluated (and re-reported) under the new budget
        logger.notice("policy updated", metadata: ["rules": "\(newPolicy.rules.map(\.description))"])
        wakeup.signal()
    }

    /// When new cordons may start again after a storm (`nil`: no cool-down known).
    public var stormCooldownUntil: Date? { stormUntil }

    // MARK: One pass

    /// Looks at every node once; returns when the next pass is due if nothing changes.
    private func reconcilePass(group: inout TaskGroup<Void>) async -> Date? {
        passes += 1
        let now = clock.now
        let all = nodes.currentNodes().sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
        var next = Deadline()
        let selectedCount = all.filter(policy.selects).count
        let owned = Set(all.filter { MendNodeState($0).countsAgainstBudget }.compactMap(\.metadata.name))
        recentCordons.subtract(owned)
        recentCordons.formIntersection(Set(all.compactMap(\.metadata.name)))
        var cordonedByMend = owned.count + recentCordons.count + dryRunCordoned.count
        var toCordon: [(node: Node, match: RuleMatch)] = []
        var pendingDrains: [Node] = []
        let stateKnown = await loadStateIfNeeded()
        if !stateKnown { next.consider(now.addingTimeInterval(10)) }

        for node in all {
            guard let name = node.metadata.name else { continue }
            if let retry = retryAt[name], retry > now {
                next.consider(retry)
                continue
            }
            let state = MendNodeState(node)
            let match = policy.match(node, firstSeen: firstSeenDate(node, now: now))
            if match == nil { forgetFirstSeen(name) }

            if !state.ownedByMend {
                if state.outcome == "cancelled" {
                    // Someone uncordoned a node Mend had cordoned: leave it to them until it heals.
                    if match == nil && !dryRun { await write(name) { try await self.cluster.patchNode(named: name, patch: NodePatches.forget()) } }
                    continue
                }
                guard policy.selects(node), let match else {
                    dryRunCordoned.remove(name)
                    continue
                }
                if match.from > now {
                    next.consider(match.from)
                    continue
                }
                if state.cordoned || dryRunCordoned.contains(name) { continue }  // hand-cordoned: a person is on it
                toCordon.append((node, match))
                continue
            }

            // Mend cordoned this node.
            if !state.cordoned {
                await cancelDrain(name, reason: "uncordoned by someone else")
                if !dryRun {
                    logger.notice("node was uncordoned by someone else; Mend leaves it alone until it heals", metadata: ["node": "\(name)"])
                    await write(name) {
                        try await self.cluster.patchNode(named: name, patch: NodePatches.givenUp())
                        try await self.cluster.patchNodeStatus(
                            named: name,
                            patch: NodePatches.condition(
                                status: .false, reason: "DrainCancelled", message: "uncordoned by someone other than mend-drainer", at: now))
                    }
                    await events.record(node, type: "Normal", reason: DrainEventReason.drainCancelled, message: "Node was uncordoned by someone else; mend-drainer stops and leaves it alone until it heals")
                }
                continue
            }
            if match == nil && (state.surgeRequestedAt != nil || surgeRequests[name] != nil) && !dryRun {
                // Healed while waiting for room: the autoscaler must stop counting its pods.
                let ok = await write(name) {
                    try await self.cluster.patchNode(named: name, patch: ["metadata": ["annotations": [MendNodeKeys.surgeRequested: .null]]])
                }
                if ok { surgeRequests[name] = nil }
            }
            if match == nil, let healthyFor = policy.uncordonAfterHealthyFor {
                let since = policy.healthySince(node, fallback: state.cordonedAt ?? now)
                let due = since.addingTimeInterval(healthyFor.seconds)
                if due <= now {
                    await uncordon(node, state: state)
                } else {
                    next.consider(due)
                }
                continue
            }
            if dryRun && (state.drainInFlight || state.drainPending) {
                if dryRunReported.insert(name).inserted {
                    logger.notice("dry-run: a drain of this node is pending or in flight; would continue it", metadata: ["node": "\(name)"])
                }
                continue
            }
            if state.drainInFlight && running[name] == nil {
                // Started before a restart or by another leader: resume, keeping the original start.
                await resumeDrain(name, now: now, group: &group)
                continue
            }
            if state.drainPending && running[name] == nil && match != nil {
                pendingDrains.append(node)
            }
        }

        // New cordons, earliest match first, within the budget.
        toCordon.sort { $0.match.from < $1.match.from }
        if !stateKnown && !toCordon.isEmpty {
            logger.warning("no new cordons until the drainer's stored state (storm cool-down) has been read", metadata: ["nodes": "\(toCordon.count)"])
            toCordon.removeAll()
        }
        for (node, match) in toCordon {
            let name = node.metadata.name ?? ""
            if let refusal = budgetRefusalForCordon(now: now, cordoned: cordonedByMend, selected: selectedCount) {
                await refuse(node, refusal, now: now)
                if refusal == .maxCordoned || refusal == .stormCooldown, let until = stormUntil { next.consider(until) }
                if refusal == .outsideMaintenanceWindow { next.consider(now.addingTimeInterval(60)) }
                continue
            }
            refusals[name] = nil
            // When a drain slot is free and no older cordon waits for one, the drain starts with
            // the cordon: one re-check, one patch.
            // With surge on, the drain waits for the fit check of the pending-drain path.
            let startNow = !dryRun && !policy.surge.enabled && pendingDrains.isEmpty && drainSlotFree(now: now, all: all)
            if await cordon(node, match: match, now: now, startingDrain: startNow) {
                cordonedByMend += 1
                if !dryRun { recentCordons.insert(name) }
                if startNow {
                    lastDrainStart = now
                    startDrain(node, startedAt: now, resumed: false, statusAlreadySet: true, group: &group)
                }
            }
        }
        if stateDirty {
            let saved = await saveState()
            if !saved { next.consider(now.addingTimeInterval(10)) }
        }

        // Drain starts, oldest cordon first, within the budget.
        pendingDrains.sort { (MendNodeState($0).cordonedAt ?? now) < (MendNodeState($1).cordonedAt ?? now) }
        for node in pendingDrains {
            let name = node.metadata.name ?? ""
            if running.count >= policy.budget.maxConcurrentDrains {
                await refuse(node, .maxConcurrentDrains, now: now)
                continue
            }
            if let last = lastDrainStart ?? latestDrainStart(all) {
                let allowed = last.addingTimeInterval(policy.budget.minIntervalBetweenDrains.seconds)
                if allowed > now {
                    await refuse(node, .minInterval, now: now)
                    next.consider(allowed)
                    continue
                }
            }
            if !policy.budget.inMaintenanceWindow(now) {
                await refuse(node, .outsideMaintenanceWindow, now: now)
                next.consider(now.addingTimeInterval(60))
                continue
            }
            if policy.surge.enabled {
                switch await surgeDecision(node, all: all, now: now) {
                case .drain: break
                case .wait(let until):
                    next.consider(until)
                    continue
                case .leave:
                    continue
                }
            }
            refusals[name] = nil
            await beginDrain(name, now: now, group: &group)
        }
        metrics.drainsInProgress(running.count)
        return next.date
    }

    // MARK: Budget

    private func budgetRefusalForCordon(now: Date, cordoned: Int, selected: Int) -> BudgetRefusal? {
        if !policy.budget.inMaintenanceWindow(now) { return .outsideMaintenanceWindow }
        if let until = stormUntil, until > now { return .stormCooldown }
        if cordoned >= policy.budget.maxCordoned.limit(selectedNodes: selected) {
            stormUntil = now.addingTimeInterval(policy.budget.stormCooldown.seconds)
            stateDirty = stateStore != nil && !dryRun
            return .maxCordoned
        }
        return nil
    }

    // MARK: Stored state

    /// Reads the stored state once per leadership term; returns whether it is known.
    private func loadStateIfNeeded() async -> Bool {
        guard let stateStore, !stateLoaded else { return true }
        do {
            let stored = try await stateStore.load()
            if let until = stored.stormCooldownUntil, until > (stormUntil ?? .distantPast) {
                stormUntil = until
                if until > clock.now {
                    logger.notice("honouring the storm cool-down stored by an earlier drainer", metadata: ["until": "\(KubeTime(until))"])
                }
            }
            stateLoaded = true
            return true
        } catch {
            logger.warning("cannot read the drainer's stored state; retrying in 10s", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Stores the storm cool-down; returns whether it was stored.
    private func saveState() async -> Bool {
        guard let stateStore else { return true }
        do {
            try await stateStore.save(DrainerState(stormCooldownUntil: stormUntil))
            stateDirty = false
            return true
        } catch {
            logger.warning("cannot store the storm cool-down; retrying in 10s", metadata: ["error": "\(error)"])
            return false
        }
    }

    // MARK: Surge

    /// What a pending drain does after the surge fit check.
    enum SurgeDecision {
        /// The pods fit elsewhere (or the wait ran out and the policy says proceed): drain now.
        case drain
        /// Wait for room; check again by this time (node changes also trigger a check).
        case wait(until: Date)
        /// The wait ran out and the policy says stay cordoned.
        case leave
    }

    /// Checks whether the node's evictable pods fit on the other nodes; if not, asks for
    /// capacity once (annotation + Event) and says how long to wait.
    private func surgeDecision(_ node: Node, all: [Node], now: Date) async -> SurgeDecision {
        let name = node.metadata.name ?? ""
        let settings = policy.surge
        let fit: SurgeFit.Result
        do {
            let evicting = try await cluster.pods(onNode: name).filter { policy.pods.disposition(of: $0).mustRemove }
            let others = all.filter { $0.metadata.name != name }
            let placed = evicting.isEmpty ? [] : try await cluster.pods(onNodes: others.compactMap(\.metadata.name))
            fit = SurgeFit.check(evicting: evicting, from: name, nodes: others, placed: placed)
        } catch {
            logger.warning("surge: cannot read pods for the fit check; retrying in 10s", metadata: ["node": "\(name)", "error": "\(error)"])
            return .wait(until: now.addingTimeInterval(10))
        }
        let requestedAt = MendNodeState(node).surgeRequestedAt ?? surgeRequests[name]
        if fit.fits {
            if requestedAt != nil {
                logger.notice("surge: the node's pods fit elsewhere now; draining", metadata: ["node": "\(name)"])
                metrics.surge(result: "fitted")
            }
            return .drain
        }
        guard let requestedAt else {
            let ok = await write(name) { try await self.cluster.patchNode(named: name, patch: NodePatches.surgeRequested(at: now)) }
            guard ok else { return .wait(until: now.addingTimeInterval(10)) }
            surgeRequests[name] = now
            metrics.surge(result: "requested")
            let shown = fit.unplaced.prefix(5).joined(separator: ", ") + (fit.unplaced.count > 5 ? ", ..." : "")
            logger.notice(
                "surge: the node's pods would not fit on the other nodes; asked for capacity and waiting before draining",
                metadata: ["node": "\(name)", "unplaced": "\(shown)", "timeout": "\(GoDuration.format(settings.timeout))"])
            await events.record(
                node, type: "Normal", reason: DrainEventReason.surgeRequested,
                message: "\(fit.unplaced.count) pod(s) would not fit on the other nodes (\(shown)); asked for replacement capacity (\(MendNodeKeys.surgeRequested)) and waiting up to \(GoDuration.format(settings.timeout)) before draining")
            return .wait(until: now.addingTimeInterval(min(settings.recheckInterval, settings.timeout).seconds))
        }
        let deadline = requestedAt.addingTimeInterval(settings.timeout.seconds)
        if deadline > now {
            return .wait(until: min(now.addingTimeInterval(settings.recheckInterval.seconds), deadline))
        }
        metrics.surge(result: "timed_out")
        switch settings.onTimeout {
        case .proceed:
            logger.warning("surge: no room appeared in time; draining anyway", metadata: ["node": "\(name)", "unplaced": "\(fit.unplaced.count)"])
            await events.record(
                node, type: "Warning", reason: DrainEventReason.surgeTimedOut,
                message: "No room appeared within \(GoDuration.format(settings.timeout)) for \(fit.unplaced.count) pod(s); draining anyway (they will be Pending until capacity arrives)")
            return .drain
        case .stayCordoned:
            logger.warning("surge: no room appeared in time; leaving the node cordoned", metadata: ["node": "\(name)", "unplaced": "\(fit.unplaced.count)"])
            let ok = await write(name) {
                try await self.cluster.patchNode(named: name, patch: NodePatches.surgeTimedOut())
                try await self.cluster.patchNodeStatus(
                    named: name,
                    patch: NodePatches.condition(
                        status: .false, reason: "SurgeTimedOut",
                        message: "No room for the node's pods appeared within \(GoDuration.format(settings.timeout)); left cordoned, not drained", at: now))
            }
            guard ok else { return .wait(until: now.addingTimeInterval(10)) }
            surgeRequests[name] = nil
            await events.record(
                node, type: "Warning", reason: DrainEventReason.surgeTimedOut,
                message: "No room appeared within \(GoDuration.format(settings.timeout)) for \(fit.unplaced.count) pod(s); left cordoned and not drained (surge.onTimeout: stay-cordoned)")
            return .leave
        }
    }

    /// Counts and reports a refusal once per node and reason (not on every pass).
    private func refuse(_ node: Node, _ refusal: BudgetRefusal, now: Date) async {
        let name = node.metadata.name ?? ""
        guard refusals[name] != refusal else { return }
        refusals[name] = refusal
        metrics.budgetRefused(refusal)
        let message: String
        switch refusal {
        case .maxCordoned:
            message = "Safety budget exhausted: at most \(policy.budget.maxCordoned) of the selected nodes may be cordoned by mend-drainer; no new cordons until \(KubeTime(stormUntil ?? now)) (storm cool-down)"
        case .stormCooldown:
            message = "Not cordoned: storm cool-down until \(KubeTime(stormUntil ?? now))"
        case .outsideMaintenanceWindow:
            message = "Waiting for a maintenance window (\(policy.budget.maintenanceWindows.map(\.description).joined(separator: "; ")))"
        case .maxConcurrentDrains:
            message = "Waiting to drain: \(policy.budget.maxConcurrentDrains) drain(s) already running"
        case .minInterval:
            message = "Waiting for the minimum interval between drains"
        }
        logger.warning("budget refused new work", metadata: ["node": "\(name)", "reason": "\(refusal.rawValue)", "detail": "\(message)"])
        if refusal == .maxCordoned || refusal == .stormCooldown {
            await events.record(node, type: "Warning", reason: DrainEventReason.budgetExhausted, message: message)
        }
    }

    /// Whether a new drain may start now (concurrency, minimum interval, maintenance window).
    private func drainSlotFree(now: Date, all: [Node]) -> Bool {
        guard running.count < policy.budget.maxConcurrentDrains else { return false }
        if let last = lastDrainStart ?? latestDrainStart(all),
            last.addingTimeInterval(policy.budget.minIntervalBetweenDrains.seconds) > now
        {
            return false
        }
        return policy.budget.inMaintenanceWindow(now)
    }

    private func latestDrainStart(_ nodes: [Node]) -> Date? {
        nodes.compactMap { MendNodeState($0).drainStartedAt }.max()
    }

    // MARK: Cordon

    /// Re-checks the node, then cordons it. Returns whether it is now cordoned by Mend.
    private func cordon(_ cached: Node, match: RuleMatch, now: Date, startingDrain: Bool) async -> Bool {
        let name = cached.metadata.name ?? ""
        guard let node = await fresh(name) else { return false }
        guard policy.selects(node), !node.isUnschedulable,
            let recheck = policy.match(node, firstSeen: firstSeenDate(node, now: now)), recheck.from <= now
        else {
            logger.info("node no longer needs a cordon on re-check", metadata: ["node": "\(name)"])
            return false
        }
        let reason = "\(recheck.rule) (\(recheck.rule.type.rawValue) has been \(recheck.rule.status.rawValue) since \(KubeTime(recheck.from.addingTimeInterval(-recheck.rule.duration.seconds))))"
        if dryRun {
            dryRunCordoned.insert(name)
            logger.notice("dry-run: would cordon node and drain it", metadata: ["node": "\(name)", "rule": "\(recheck.rule)"])
            await logDryRunDrain(name)
            return true
        }
        let ok = await write(name) {
            try await self.cluster.patchNode(named: name, patch: NodePatches.cordon(reason: reason, at: now, startingDrain: startingDrain))
        }
        metrics.cordoned(result: ok ? "succeeded" : "failed")
        guard ok else { return false }
        logger.notice("cordoned node", metadata: ["node": "\(name)", "rule": "\(recheck.rule)"])
        _ = await write(name) {
            try await self.cluster.patchNodeStatus(
                named: name,
                patch: NodePatches.condition(
                    status: .true, reason: startingDrain ? "Draining" : "Cordoned",
                    message: "Cordoned by mend-drainer: \(reason); " + (startingDrain ? "evicting pods" : "drain pending"), at: now))
        }
        await events.record(node, type: "Warning", reason: DrainEventReason.cordoned, message: "Cordoned by mend-drainer: \(reason)")
        return true
    }

    // MARK: Drain

    /// Re-checks the node, records the drain start and starts it.
    private func beginDrain(_ name: String, now: Date, group: inout TaskGroup<Void>) async {
        guard let node = await fresh(name) else { return }
        let state = MendNodeState(node)
        guard state.drainPending, policy.match(node, firstSeen: firstSeenDate(node, now: now)) != nil else {
            logger.info("drain not started: the node changed (healed, uncordoned or already draining)", metadata: ["node": "\(name)"])
            return
        }
        let ok = await write(name) { try await self.cluster.patchNode(named: name, patch: NodePatches.drainStarted(at: now)) }
        guard ok else { return }
        surgeRequests[name] = nil
        lastDrainStart = now
        startDrain(node, startedAt: now, resumed: false, statusAlreadySet: false, group: &group)
    }

    /// Re-checks a drain recorded as in flight (the cache may be stale) and resumes it.
    private func resumeDrain(_ name: String, now: Date, group: inout TaskGroup<Void>) async {
        guard let node = await fresh(name) else { return }
        let state = MendNodeState(node)
        guard state.drainInFlight, running[name] == nil else { return }
        startDrain(node, startedAt: state.drainStartedAt ?? now, resumed: true, statusAlreadySet: true, group: &group)
    }

    private func startDrain(_ node: Node, startedAt: Date, resumed: Bool, statusAlreadySet: Bool, group: inout TaskGroup<Void>) {
        let name = node.metadata.name ?? ""
        let cancel = Wakeup()
        running[name] = cancel
        metrics.drainsInProgress(running.count)
        let deadline = startedAt.addingTimeInterval(policy.drain.timeout.seconds)
        logger.notice(resumed ? "resuming drain" : "starting drain", metadata: ["node": "\(name)", "deadline": "\(KubeTime(deadline))"])
        group.addTask {
            await self.runDrain(
                node, startedAt: startedAt, deadline: deadline, resumed: resumed, statusAlreadySet: statusAlreadySet, cancel: cancel)
        }
    }

    private func runDrain(
        _ node: Node, startedAt: Date, deadline: Date, resumed: Bool, statusAlreadySet: Bool, cancel: Wakeup
    ) async {
        let name = node.metadata.name ?? ""
        var log = logger
        log[metadataKey: "node"] = "\(name)"
        if !statusAlreadySet {
            _ = await write(name) {
                try await self.cluster.patchNodeStatus(
                    named: name, patch: NodePatches.condition(status: .true, reason: "Draining", message: "mend-drainer is evicting the node's pods", at: startedAt))
            }
        }
        if !resumed {
            await events.record(node, type: "Normal", reason: DrainEventReason.drainStarted, message: "Draining: evicting pods through the Eviction API (PodDisruptionBudgets respected)")
        }
        let drainer = NodeDrainer(cluster: cluster, policy: policy.pods, settings: policy.drain, clock: clock, metrics: metrics, logger: log)
        let events = self.events
        let timeoutLog = log
        let notify: @Sendable (DrainNotice) async -> Void = { notice in
            switch notice {
            case .evictionBlocked(let pod, _):
                await events.record(node, type: "Warning", reason: DrainEventReason.evictionBlocked, message: "Eviction of \(pod) is blocked; retrying")
            case .multipleDisruptionBudgets(let pod):
                await events.record(node, type: "Warning", reason: DrainEventReason.multiplePDBs, message: "Cannot evict \(pod)")
            case .timedOut(let blocking):
                timeoutLog.error("drain timed out", metadata: ["blocking": "\(blocking.map(\.description).joined(separator: "; "))"])
                await events.record(node, type: "Warning", reason: DrainEventReason.drainTimedOut,
                                    message: "Drain did not finish in time; blocking: " + blocking.map(\.description).joined(separator: "; "))
            }
        }
        let result: Result<DrainOutcome, any Error> = await withTaskGroup(of: Result<DrainOutcome, any Error>?.self) { group in
            group.addTask {
                do { return .success(try await drainer.drain(node: name, deadline: deadline, notify: notify)) } catch { return .failure(error) }
            }
            group.addTask {
                await cancel.wait()
                return Task.isCancelled ? nil : .success(.cancelled(reason: "node changed"))
            }
            defer { group.cancelAll() }
            for await value in group {
                if let value { return value }
            }
            return .failure(CancellationError())
        }
        await finishDrain(node, startedAt: startedAt, result: result)
    }

    private func finishDrain(_ node: Node, startedAt: Date, result: Result<DrainOutcome, any Error>) async {
        let name = node.metadata.name ?? ""
        running[name] = nil
        metrics.drainsInProgress(running.count)
        defer { wakeup.signal() }
        let now = clock.now
        let outcome: DrainOutcome
        switch result {
        case .success(let value): outcome = value
        case .failure(let error):
            if error is CancellationError || Task.isCancelled {
                logger.info("drain stopped (shutting down or leadership lost); the next leader resumes it", metadata: ["node": "\(name)"])
            } else {
                logger.warning("drain failed; retrying in 10s", metadata: ["node": "\(name)", "error": "\(error)"])
                metrics.drained(result: "failed")
                retryAt[name] = now.addingTimeInterval(10)
            }
            return
        }
        metrics.drained(result: outcome.metricResult)
        if case .cancelled = outcome {
            logger.info("drain cancelled", metadata: ["node": "\(name)"])
            return
        }
        _ = await write(name) { try await self.cluster.patchNode(named: name, patch: NodePatches.drainFinished(outcome, at: now)) }
        let (status, reason, eventReason, type): (ConditionStatus, String, String, String)
        switch outcome {
        case .succeeded:
            metrics.drainDuration(seconds: now.timeIntervalSince(startedAt))
            (status, reason, eventReason, type) = (.true, "Drained", DrainEventReason.drainSucceeded, "Normal")
        case .timedOut:
            (status, reason, eventReason, type) = (.false, "DrainTimedOut", DrainEventReason.drainTimedOut, "Warning")
        case .blocked:
            (status, reason, eventReason, type) = (.false, "DrainBlocked", DrainEventReason.drainBlocked, "Warning")
        case .cancelled:
            return
        }
        logger.notice("drain finished", metadata: ["node": "\(name)", "outcome": "\(outcome)"])
        _ = await write(name) {
            try await self.cluster.patchNodeStatus(named: name, patch: NodePatches.condition(status: status, reason: reason, message: outcome.description, at: now))
        }
        await events.record(node, type: type, reason: eventReason, message: outcome.description.prefix(1).uppercased() + outcome.description.dropFirst())
    }

    private func cancelDrain(_ name: String, reason: String) async {
        guard let cancel = running[name] else { return }
        logger.notice("cancelling drain", metadata: ["node": "\(name)", "reason": "\(reason)"])
        cancel.signal()
    }

    // MARK: Uncordon

    private func uncordon(_ cached: Node, state: MendNodeState) async {
        let name = cached.metadata.name ?? ""
        await cancelDrain(name, reason: "node healed")
        guard let node = await fresh(name) else { return }
        let current = MendNodeState(node)
        guard current.ownedByMend, current.cordoned, policy.match(node, firstSeen: clock.now) == nil else { return }
        if dryRun {
            logger.notice("dry-run: would uncordon healed node", metadata: ["node": "\(name)"])
            return
        }
        let ok = await write(name) { try await self.cluster.patchNode(named: name, patch: NodePatches.uncordon()) }
        metrics.uncordoned(result: ok ? "succeeded" : "failed")
        guard ok else { return }
        surgeRequests[name] = nil
        logger.notice("uncordoned healed node", metadata: ["node": "\(name)"])
        _ = await write(name) {
            try await self.cluster.patchNodeStatus(
                named: name, patch: NodePatches.condition(status: .false, reason: "Recovered", message: "No drain rule matches any more; uncordoned by mend-drainer", at: self.clock.now))
        }
        await events.record(node, type: "Normal", reason: DrainEventReason.uncordoned, message: "Uncordoned by mend-drainer: no drain rule has matched for \(GoDuration.format(policy.uncordonAfterHealthyFor ?? .zero))")
    }

    // MARK: Dry-run

    private func logDryRunDrain(_ name: String) async {
        do {
            let pods = try await cluster.pods(onNode: name)
            for pod in pods {
                let who = "\(pod.metadata.namespace ?? "")/\(pod.metadata.name ?? "")"
                switch policy.pods.disposition(of: pod) {
                case .evict: logger.notice("dry-run: would evict pod", metadata: ["node": "\(name)", "pod": "\(who)"])
                case .delete: logger.notice("dry-run: would delete pod", metadata: ["node": "\(name)", "pod": "\(who)"])
                case .block(let reason): logger.notice("dry-run: pod would block the drain", metadata: ["node": "\(name)", "pod": "\(who)", "reason": "\(reason)"])
                case .skip: continue
                }
            }
        } catch {
            logger.warning("dry-run: cannot list the node's pods", metadata: ["node": "\(name)", "error": "\(error)"])
        }
    }

    // MARK: Helpers

    private func firstSeenDate(_ node: Node, now: Date) -> Date {
        let name = node.metadata.name ?? ""
        if let seen = firstSeen[name] { return seen }
        firstSeen[name] = now
        return now
    }

    private func forgetFirstSeen(_ name: String) { firstSeen[name] = nil }

    private func fresh(_ name: String) async -> Node? {
        do {
            return try await cluster.node(named: name)
        } catch {
            logger.warning("cannot read node; retrying in 10s", metadata: ["node": "\(name)", "error": "\(error)"])
            retryAt[name] = clock.now.addingTimeInterval(10)
            return nil
        }
    }

    /// Runs a write; on failure logs it and schedules a retry of the node in 10 s.
    @discardableResult
    private func write(_ name: String, _ body: @Sendable () async throws -> Void) async -> Bool {
        do {
            try await body()
            return true
        } catch {
            logger.warning("write to node failed; retrying in 10s", metadata: ["node": "\(name)", "error": "\(error)"])
            retryAt[name] = clock.now.addingTimeInterval(10)
            return false
        }
    }
}

/// The earliest of several candidate dates.
struct Deadline {
    private(set) var date: Date?

    mutating func consider(_ candidate: Date) {
        if date == nil || candidate < date! { date = candidate }
    }
}
