import Foundation
import KubeModels
import Logging
import MendTime

/// Runs monitors against one node: reads their sources and plugins, tracks conditions, and writes
/// changes (plus a jittered heartbeat) through a ``NodeWriter``.
public struct NodeProblemDetector: Sendable {
    /// Settings of a run.
    public struct Options: Sendable {
        public var nodeName: String
        /// How often unchanged conditions are re-sent so a stale detector is visible.
        public var heartbeatInterval: Duration
        /// Fraction of the heartbeat interval added or removed at random each time (spreads a fleet's load).
        public var heartbeatJitter: Double
        /// How often expiries, heartbeats and failed writes are looked at.
        public var tickInterval: Duration
        public var clock: any MendClock
        /// When the node booted: True conditions of kmsg monitors set before it describe the previous
        /// boot's kernel and are reset at start-up. Nil keeps them.
        public var bootTime: Date?
        /// Opt-in: at start-up, remove conditions this detector once owned (recorded in the node's
        /// ``ConditionOwnership/annotation``) that no monitor file configures now.
        public var removeUnconfiguredConditions: Bool

        public init(nodeName: String, heartbeatInterval: Duration = .seconds(300), heartbeatJitter: Double = 0.2,
                    tickInterval: Duration = .seconds(1), clock: any MendClock = SystemClock(), bootTime: Date? = nil,
                    removeUnconfiguredConditions: Bool = false) {
            self.bootTime = bootTime
            self.removeUnconfiguredConditions = removeUnconfiguredConditions
            self.nodeName = nodeName
            self.heartbeatInterval = heartbeatInterval
            self.heartbeatJitter = heartbeatJitter
            self.tickInterval = tickInterval
            self.clock = clock
        }
    }

    /// A log monitor with the source it reads.
    public struct LogInput: Sendable {
        public var monitor: SystemLogMonitor
        public var source: any LogSource
        /// Where to save the cursor of the last handled record (journald); nil saves nothing.
        public var checkpoint: CursorFile?
        public init(monitor: SystemLogMonitor, source: any LogSource, checkpoint: CursorFile? = nil) {
            self.monitor = monitor
            self.source = source
            self.checkpoint = checkpoint
        }
    }

    public var options: Options
    public var writer: any NodeWriter
    public var metrics: DetectorMetrics
    public var logger: Logger

    public init(options: Options, writer: any NodeWriter, metrics: DetectorMetrics, logger: Logger = Logger(label: "mend-detector")) {
        self.options = options
        self.writer = writer
        self.metrics = metrics
        self.logger = logger
    }

    enum Input: Sendable {
        case matches(source: String, [RuleMatch])
        case plugin(source: String, rule: PluginRule, index: Int, result: PluginResult)
        case tick
        case sourceFailed(String, String)
        /// Every record up to `cursor` went through the matcher and its matches were sent before this.
        case handled(CursorFile, cursor: String)
    }

    /// Runs until cancelled. Throws only when the node cannot be read at start-up.
    public func run(logs: [LogInput], plugins: [CustomPluginMonitor]) async throws {
        let monitors = logs.map { Monitor.systemLog($0.monitor) } + plugins.map { Monitor.customPlugin($0) }
        let node = try await writer.node(named: options.nodeName)
        await recordOwnership(node: node, configured: monitors.flatMap(\.conditions).map(\.type))
        var staleBefore: [String: Date] = [:]
        if let boot = options.bootTime {
            for input in logs where input.monitor.plugin == .kmsg {
                for c in input.monitor.conditions { staleBefore[c.type] = boot }
            }
        }
        var tracker = ConditionTracker(monitors: monitors, existing: node.status.conditions ?? [], now: options.clock.now,
                                       staleBefore: staleBefore)
        for c in tracker.conditions.values where c.status == "True" {
            logger.info("adopted condition from the node", metadata: ["type": "\(c.type)", "reason": "\(c.reason)"])
        }
        let (inbox, feed) = AsyncStream.makeStream(of: Input.self, bufferingPolicy: .bufferingOldest(100_000))
        await withTaskGroup(of: Void.self) { group in
            for input in logs {
                group.addTask { await Self.pump(input, into: feed, metrics: metrics, logger: logger) }
            }
            for monitor in plugins {
                group.addTask { await Self.runPlugins(monitor, into: feed, clock: options.clock, metrics: metrics) }
            }
            group.addTask {
                while !Task.isCancelled {
                    do { try await options.clock.sleep(for: options.tickInterval) } catch { return }
                    feed.yield(.tick)
                }
            }
            // Start-up: (re)assert every condition we own, right away.
            feed.yield(.tick)
            var pending = Set(tracker.types)
            _ = tracker.takeChanges()
            var nextHeartbeat = options.clock.now
            var currentNode = node
            var taintsDirty = true
            // Cursors to save once the pending status patch succeeded.
            var unsavedCursors: [String: (CursorFile, String)] = [:]
            for await input in inbox {
                let now = options.clock.now
                var events: [DetectorEvent] = []
                switch input {
                case .matches(let source, let matches):
                    for match in matches { events += tracker.apply(match, source: source, at: now) }
                case .plugin(let source, let rule, let index, let result):
                    events += tracker.apply(plugin: rule, index: index, result: result, source: source, at: now)
                case .tick:
                    events += tracker.expire(at: now)
                case .sourceFailed(let name, let reason):
                    logger.error("log source stopped", metadata: ["source": "\(name)", "error": "\(reason)"])
                case .handled(let file, let cursor):
                    unsavedCursors[file.path] = (file, cursor)
                }
                let changed = tracker.takeChanges()
                if !changed.isEmpty { taintsDirty = true }
                pending.formUnion(changed)
                if now >= nextHeartbeat { pending.formUnion(tracker.types) }
                if !pending.isEmpty {
                    do {
                        try await writer.patchStatus(node: options.nodeName, patch: tracker.statusPatch(types: pending, heartbeat: now))
                        for type in pending {
                            if let c = tracker.conditions[type] {
                                metrics.setProblemGauge(type: type, reason: c.reason, active: c.status == "True")
                            }
                        }
                        if pending.count == tracker.types.count { nextHeartbeat = now.addingTimeInterval(jitteredHeartbeat()) }
                        pending = []
                    } catch {
                        logger.warning("patching node status failed; will retry", metadata: ["error": "\(error)"])
                    }
                }
                // Events after the status patch: the condition is what other components act on.
                for event in events {
                    if event.type == "Warning" { metrics.problem(type: event.conditionType, reason: event.reason) }
                    logger.notice("event", metadata: ["type": "\(event.type)", "reason": "\(event.reason)", "message": "\(event.message)"])
                    await writer.recordEvent(node: currentNode, event: event)
                }
                // A cursor is saved only after what came before it was handled: conditions patched
                // (a failed patch holds it back) and Events sent.
                if pending.isEmpty, !unsavedCursors.isEmpty {
                    for (file, cursor) in unsavedCursors.values {
                        do { try file.save(cursor) } catch {
                            logger.warning("saving the journal cursor failed", metadata: ["error": "\(error)"])
                        }
                    }
                    unsavedCursors = [:]
                }
                if taintsDirty, !tracker.ownedTaintKeys.isEmpty {
                    do {
                        currentNode = try await syncTaints(tracker, node: currentNode)
                        taintsDirty = false
                    } catch {
                        logger.warning("updating node taints failed; will retry", metadata: ["error": "\(error)"])
                    }
                }
            }
            group.cancelAll()
        }
    }

    /// Records the condition types we own on the node and, when opted in, removes the ones we owned
    /// before that no monitor configures now. Best effort: a failure is logged and the run goes on
    /// (the annotation is then left as it was, so nothing is forgotten).
    private func recordOwnership(node: Node, configured: [String]) async {
        let ownership = ConditionOwnership(
            recorded: node.metadata.annotations?[ConditionOwnership.annotation], configured: configured,
            onNode: (node.status.conditions ?? []).map(\.type.rawValue), removeUnconfigured: options.removeUnconfiguredConditions)
        do {
            if !ownership.remove.isEmpty {
                logger.notice("removing conditions no monitor configures any more", metadata: ["types": "\(ownership.remove)"])
                try await writer.patchStatus(node: options.nodeName, patch: ownership.removalPatch)
            }
            if !ownership.kept.isEmpty {
                logger.info("node has conditions this detector once owned that no monitor configures; --remove-unconfigured-conditions removes them",
                            metadata: ["types": "\(ownership.kept)"])
            }
            if ownership.annotationChanged {
                try await writer.annotate(node: options.nodeName, key: ConditionOwnership.annotation, value: ownership.annotationValue)
            }
        } catch {
            logger.warning("recording condition ownership failed", metadata: ["error": "\(error)"])
        }
    }

    private func jitteredHeartbeat() -> TimeInterval {
        let base = options.heartbeatInterval.seconds
        return base * (1 + options.heartbeatJitter * Double.random(in: -1...1))
    }

    /// Makes our taints on the node match the tracker's; leaves every other taint alone. Reads the
    /// node first (the taint list is replaced whole, guarded by its resourceVersion) and retries a
    /// few times when someone else changed the node in between.
    private func syncTaints(_ tracker: ConditionTracker, node: Node) async throws -> Node {
        let owned = tracker.ownedTaintKeys
        let desired = tracker.desiredTaints.map { Taint(key: $0.key, value: $0.value, effect: TaintEffect(rawValue: $0.effect)) }
        func key(_ t: Taint) -> String { "\(t.key)=\(t.value ?? ""):\(t.effect.rawValue)" }
        var attempt = 0
        while true {
            let fresh = try await writer.node(named: options.nodeName)
            let current = fresh.spec.taints ?? []
            let ours = current.filter { owned.contains($0.key) }
            if Set(ours.map(key)) == Set(desired.map(key)) { return fresh }
            let kept = current.filter { !owned.contains($0.key) }
            do {
                try await writer.replaceTaints(node: options.nodeName, taints: kept + desired,
                                               resourceVersion: fresh.metadata.resourceVersion ?? "")
                return fresh
            } catch {
                attempt += 1
                if attempt >= 3 { throw error }
            }
        }
    }

    private static func pump(_ input: LogInput, into feed: AsyncStream<Input>.Continuation, metrics: DetectorMetrics, logger: Logger) async {
        var matcher = input.monitor.matcher
        let name = input.source.name
        let counters = metrics.source(name)
        // Cursor checkpoints: right after a record with matches, else at most once a second.
        var unsent: String?
        var lastSent = ContinuousClock.now
        func checkpoint(_ cursor: String?) {
            guard let file = input.checkpoint, let cursor else { return }
            feed.yield(.handled(file, cursor: cursor))
            unsent = nil
            lastSent = .now
        }
        do {
            for try await record in input.source.records() {
                let matches = matcher.match(record.message)
                if !matches.isEmpty {
                    counters.lineMatched()
                    feed.yield(.matches(source: input.monitor.source, matches))
                    checkpoint(record.cursor)
                } else if record.cursor != nil {
                    unsent = record.cursor
                    if ContinuousClock.now - lastSent >= .seconds(1) { checkpoint(unsent) }
                }
            }
            checkpoint(unsent)
        } catch {
            feed.yield(.sourceFailed(name, "\(error)"))
        }
    }

    private static func runPlugins(_ monitor: CustomPluginMonitor, into feed: AsyncStream<Input>.Continuation,
                                   clock: any MendClock, metrics: DetectorMetrics) async {
        let runner = PluginRunner(maxOutputLength: monitor.maxOutputLength)
        while !Task.isCancelled {
            metrics.heartbeat("plugins:\(monitor.source)", at: clock.now)
            await withTaskGroup(of: (Int, PluginResult).self) { group in
                var next = 0
                func launch() {
                    guard next < monitor.rules.count else { return }
                    let index = next
                    let rule = monitor.rules[index]
                    next += 1
                    group.addTask { (index, await runner.run(path: rule.path, args: rule.args, timeout: rule.timeout)) }
                }
                for _ in 0..<monitor.concurrency { launch() }
                while let (index, result) = await group.next() {
                    metrics.pluginRun(result.timedOut ? "timeout" : "\(result.status)")
                    feed.yield(.plugin(source: monitor.source, rule: monitor.rules[index], index: index, result: result))
                    launch()
                }
            }
            do { try await clock.sleep(for: monitor.interval) } catch { return }
        }
    }
}
