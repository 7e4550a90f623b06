import Foundation
import KubeModels
import Logging
import MendTime

/// Runs monitors against one node: reads their sources and plugins, tracks conditions, and writes
/// changes (plus a jittered heartbeat) through a ``NodeWriter``. A new ``Configuration`` (a reload
/// of the monitor files) restarts only the monitors whose file changed and keeps every condition
/// still configured as it is.
///
/// A journald cursor is saved only once every record before it was handled: its matches applied,
/// the resulting status patch accepted (a failed patch holds the cursor back, so a restart reads
/// the record again) and its Events sent.
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
        /// How many messages (matches, plugin results, cursors) wait for the run loop at most. When
        /// it is full, journald sources wait (their entries stay in the journal); others drop and count.
        public var inboxCapacity: Int = 100_000

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

    /// The monitors to run: given at start and again on each configuration reload.
    public struct Configuration: Sendable {
        public var logs: [LogInput]
        public var plugins: [CustomPluginMonitor]
        /// The content of each monitor file, by path. On a reload, a monitor whose file is in both
        /// configurations with the same content keeps running (its source keeps its position); any
        /// other is (re)started. A monitor without a fingerprint is always restarted.
        public var fingerprints: [String: String]

        public init(logs: [LogInput], plugins: [CustomPluginMonitor], fingerprints: [String: String] = [:]) {
            self.logs = logs
            self.plugins = plugins
            self.fingerprints = fingerprints
        }

        /// Every monitor, log monitors first.
        public var monitors: [Monitor] { logs.map { .systemLog($0.monitor) } + plugins.map { .customPlugin($0) } }
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

    /// Which run of a monitor sent a message (a reload restarts a changed monitor under a new one).
    struct Origin: Sendable, Equatable {
        var file: String
        var generation: Int
    }

    enum Input: Sendable {
        case matches(source: String, [RuleMatch])
        case plugin(Origin, source: String, rule: PluginRule, index: Int, result: PluginResult)
        case tick
        case sourceFailed(String, String)
        /// Every record up to `cursor` went through the matcher and its matches were sent before this.
        case handled(Origin, CursorFile, cursor: String)
        /// A configuration reload.
        case reconfigure(Configuration)
    }

    /// A monitor being run, and how to stop it.
    private struct Running {
        var origin: Origin
        var fingerprint: String?
        var stop: AsyncStream<Never>.Continuation
    }

    /// Runs until cancelled. Throws only when the node cannot be read at start-up.
    public func run(logs: [LogInput], plugins: [CustomPluginMonitor]) async throws {
        try await run(Configuration(logs: logs, plugins: plugins))
    }

    /// Runs `configuration` until cancelled, taking each configuration from `reloads` as it comes
    /// (see ``Configuration/fingerprints`` for what restarts). Throws only when the node cannot be
    /// read at start-up.
    public func run(_ configuration: Configuration, reloads: AsyncStream<Configuration>? = nil) async throws {
        let monitors = configuration.monitors
        let node = try await writer.node(named: options.nodeName)
        await recordOwnership(node: node, configured: monitors.flatMap(\.conditions).map(\.type))
        var tracker = ConditionTracker(monitors: monitors, existing: node.status.conditions ?? [], now: options.clock.now,
                                       staleBefore: staleBefore(configuration))
        for c in tracker.conditions.values where c.status == "True" {
            logger.info("adopted condition from the node", metadata: ["type": "\(c.type)", "reason": "\(c.reason)"])
        }
        let (inbox, feed) = AsyncStream.makeStream(of: Input.self, bufferingPolicy: .bufferingOldest(max(1, options.inboxCapacity)))
        await withTaskGroup(of: Void.self) { group in
            var running: [String: Running] = [:]
            var generation = 0
            /// Starts the monitors of `configuration` that are not running with the same content;
            /// stops the ones it no longer has or whose file changed. Returns the plugin sources restarted.
            func start(_ configuration: Configuration) -> Set<String> {
                var wanted: [String: String?] = [:]
                for m in configuration.monitors { wanted[m.file] = configuration.fingerprints[m.file] }
                for (file, run) in running {
                    let unchanged = wanted[file].map { new in new != nil && new == run.fingerprint } ?? false
                    if !unchanged {
                        run.stop.finish()
                        running[file] = nil
                    }
                }
                var restartedPlugins: Set<String> = []
                func launch(_ file: String, _ body: @escaping @Sendable (Origin) async -> Void) {
                    guard running[file] == nil else { return }
                    generation += 1
                    let origin = Origin(file: file, generation: generation)
                    let (stopped, stop) = AsyncStream.makeStream(of: Never.self)
                    running[file] = Running(origin: origin, fingerprint: configuration.fingerprints[file], stop: stop)
                    group.addTask {
                        // Runs the monitor until it ends or is stopped (a reload), whichever comes first.
                        await withTaskGroup(of: Void.self) { one in
                            one.addTask { await body(origin) }
                            one.addTask { for await _ in stopped {} }
                            await one.next()
                            one.cancelAll()
                        }
                    }
                }
                for input in configuration.logs {
                    launch(input.monitor.file) { origin in
                        await Self.pump(input, origin: origin, into: feed, metrics: metrics, logger: logger)
                    }
                }
                for monitor in configuration.plugins where running[monitor.file] == nil {
                    restartedPlugins.insert(monitor.source)
                    launch(monitor.file) { origin in
                        await Self.runPlugins(monitor, origin: origin, into: feed, clock: options.clock, metrics: metrics)
                    }
                }
                return restartedPlugins
            }
            _ = start(configuration)
            if let reloads {
                group.addTask {
                    for await next in reloads {
                        // A reload is never dropped: it waits for room in a full inbox.
                        while case .dropped = feed.yield(.reconfigure(next)) {
                            do { try await Task.sleep(for: .milliseconds(10)) } catch { return }
                        }
                    }
                }
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
            // Taint keys of conditions a reload took away (or whose taint it changed), still to remove.
            var retiredTaintKeys: Set<String> = []
            func current(_ origin: Origin) -> Bool { running[origin.file]?.origin == origin }
            for await input in inbox {
                let now = options.clock.now
                var events: [DetectorEvent] = []
                switch input {
                case .matches(let source, let matches):
                    for match in matches { events += tracker.apply(match, source: source, at: now) }
                case .plugin(let origin, let source, let rule, let index, let result):
                    // A result of a plugin rule set a reload replaced describes rules no longer in force.
                    if current(origin) {
                        events += tracker.apply(plugin: rule, index: index, result: result, source: source, at: now)
                    }
                case .tick:
                    events += tracker.expire(at: now)
                case .sourceFailed(let name, let reason):
                    logger.error("log source stopped", metadata: ["source": "\(name)", "error": "\(reason)"])
                case .handled(let origin, let file, let cursor):
                    // A stopped source's last cursors are dropped: its replacement resumed from the saved one.
                    if current(origin) { unsavedCursors[file.path] = (file, cursor) }
                case .reconfigure(let next):
                    let before = tracker
                    let fresh: Node
                    do { fresh = try await writer.node(named: options.nodeName) } catch {
                        logger.warning("reading the node for a reload failed; using the last copy", metadata: ["error": "\(error)"])
                        fresh = currentNode
                    }
                    let restartedPlugins = start(next)
                    let removed = tracker.reconfigure(
                        monitors: next.monitors, existing: fresh.status.conditions ?? [], now: now,
                        staleBefore: staleBefore(next), restartedPluginSources: restartedPlugins)
                    await recordOwnership(node: fresh, configured: tracker.types)
                    pending.formIntersection(tracker.types)
                    for type in removed { metrics.setProblemGauge(type: type, reason: before.conditions[type]?.reason ?? "", active: false) }
                    let removedTaints = Set(removed.compactMap { before.spec($0)?.taint?.key })
                    retiredTaintKeys.formUnion(before.ownedTaintKeys.subtracting(tracker.ownedTaintKeys)
                        .subtracting(options.removeUnconfiguredConditions ? [] : removedTaints))
                    taintsDirty = true
                    unsavedCursors = unsavedCursors.filter { entry in next.logs.contains { $0.checkpoint?.path == entry.key } }
                    logger.notice("monitors reloaded", metadata: [
                        "monitors": "\(next.monitors.count)", "conditions": "\(tracker.types)", "removed": "\(removed)"])
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
                if taintsDirty, !tracker.ownedTaintKeys.isEmpty || !retiredTaintKeys.isEmpty {
                    do {
                        currentNode = try await syncTaints(tracker, retired: retiredTaintKeys, node: currentNode)
                        taintsDirty = false
                        retiredTaintKeys = []
                    } catch {
                        logger.warning("updating node taints failed; will retry", metadata: ["error": "\(error)"])
                    }
                }
            }
            group.cancelAll()
        }
    }

    /// Kernel conditions set before this boot describe the previous boot's kernel (see ``Options/bootTime``).
    private func staleBefore(_ configuration: Configuration) -> [String: Date] {
        guard let boot = options.bootTime else { return [:] }
        var result: [String: Date] = [:]
        for input in configuration.logs where input.monitor.plugin == .kmsg {
            for c in input.monitor.conditions { result[c.type] = boot }
        }
        return result
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
    private func syncTaints(_ tracker: ConditionTracker, retired: Set<String>, node: Node) async throws -> Node {
        let owned = tracker.ownedTaintKeys.union(retired)
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

    private static func pump(_ input: LogInput, origin: Origin, into feed: AsyncStream<Input>.Continuation,
                             metrics: DetectorMetrics, logger: Logger) async {
        var matcher = input.monitor.matcher
        let name = input.source.name
        let counters = metrics.source(name)
        // Cursor checkpoints: right after a record with matches, else at most once a second.
        var unsent: String?
        var lastSent = ContinuousClock.now
        // Set when a match could not be handed over: no later cursor may be saved in this run, so a
        // restart reads that record again.
        var lost = false
        /// Hands `message` to the run loop. A source with a saved cursor (journald) waits for room
        /// when the inbox is full: its entries stay in the journal, and a dropped match would let
        /// the cursor pass a line whose condition was never written. Other sources drop and count.
        func send(_ message: Input) async -> Bool {
            while case .dropped = feed.yield(message) {
                guard input.checkpoint != nil, !Task.isCancelled else {
                    counters.recordDropped()
                    return false
                }
                try? await Task.sleep(for: .milliseconds(5))
            }
            return true
        }
        func checkpoint(_ cursor: String?) async {
            guard let file = input.checkpoint, let cursor, !lost else { return }
            unsent = nil
            lastSent = .now
            _ = await send(.handled(origin, file, cursor: cursor))
        }
        do {
            for try await record in input.source.records() {
                let matches = matcher.match(record.message)
                if !matches.isEmpty {
                    counters.lineMatched()
                    if await send(.matches(source: input.monitor.source, matches)) {
                        await checkpoint(record.cursor)
                    } else {
                        lost = true
                    }
                } else if record.cursor != nil {
                    unsent = record.cursor
                    if ContinuousClock.now - lastSent >= .seconds(1) { await checkpoint(unsent) }
                }
            }
            await checkpoint(unsent)
        } catch is CancellationError {
            // Stopped on purpose: the detector is shutting down, or a reload replaced the source.
        } catch {
            feed.yield(.sourceFailed(name, "\(error)"))
        }
    }

    private static func runPlugins(_ monitor: CustomPluginMonitor, origin: Origin, into feed: AsyncStream<Input>.Continuation,
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
                    feed.yield(.plugin(origin, source: monitor.source, rule: monitor.rules[index], index: index, result: result))
                    launch()
                }
            }
            do { try await clock.sleep(for: monitor.interval) } catch { return }
        }
    }
}
