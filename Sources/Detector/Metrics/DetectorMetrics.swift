import Foundation
import MendCore
import Metrics
import Synchronization

/// The detector's metrics, through swift-metrics (the program bootstraps the Prometheus backend
/// that MendCore's `HealthServer` serves on `/metrics`), plus the source heartbeats behind `/healthz`.
///
/// Names: `mend_detector_problem_counter{type,reason}`, `mend_detector_problem_gauge{type,reason}`,
/// `mend_detector_lines_read_total{source}`, `mend_detector_lines_matched_total{source}`,
/// `mend_detector_kmsg_records_lost_total`, `mend_detector_records_dropped_total{source}`,
/// `mend_detector_plugin_runs_total{result}`, `mend_detector_api_errors_total{verb}`.
public final class DetectorMetrics: Sendable {
    private let factory: any MetricsFactory
    private let kmsgLostCounter: Counter
    /// Per-source counters, made once per source (the hot path then only increments).
    private let sources = Mutex<[String: SourceMetrics]>([:])
    /// Reasons a type's gauge was ever recorded with, so the other reasons can be set back to 0.
    private let gaugeReasons = Mutex<[String: Set<String>]>([:])
    private let heartbeats = Mutex<[String: Date]>([:])

    /// - Parameter factory: where the metrics live (default: the process's metrics system; tests
    ///   pass a `PrometheusMetricsFactory` over their own registry).
    public init(factory: (any MetricsFactory)? = nil) {
        let factory = factory ?? MetricsSystem.factory
        self.factory = factory
        kmsgLostCounter = Counter(label: "mend_detector_kmsg_records_lost_total", factory: factory)
        kmsgLostCounter.increment(by: 0)
    }

    /// The counters of one source.
    public struct SourceMetrics: Sendable {
        let read: Counter
        let matched: Counter
        let dropped: Counter

        /// `count` lines were read.
        public func linesRead(_ count: Int = 1) { read.increment(by: count) }
        /// A line matched at least one rule.
        public func lineMatched() { matched.increment() }
        /// A record was dropped because matching fell behind.
        public func recordDropped() { dropped.increment() }
    }

    /// The counters of `source`, created on first use.
    public func source(_ source: String) -> SourceMetrics {
        sources.withLock { cache in
            if let found = cache[source] { return found }
            let made = SourceMetrics(
                read: Counter(label: "mend_detector_lines_read_total", dimensions: [("source", source)], factory: factory),
                matched: Counter(label: "mend_detector_lines_matched_total", dimensions: [("source", source)], factory: factory),
                dropped: Counter(label: "mend_detector_records_dropped_total", dimensions: [("source", source)], factory: factory))
            cache[source] = made
            return made
        }
    }

    /// A source read `count` lines.
    public func linesRead(_ source: String, _ count: Int = 1) { self.source(source).read.increment(by: count) }
    /// A source's line matched at least one rule.
    public func lineMatched(_ source: String) { self.source(source).matched.increment() }
    /// Kernel records lost (overwritten in the ring buffer or skipped sequence numbers).
    public func kmsgLost(_ count: UInt64) { kmsgLostCounter.increment(by: Int(clamping: count)) }
    /// Records a source dropped because the matcher could not keep up.
    public func recordsDropped(_ source: String, _ count: Int = 1) { self.source(source).dropped.increment(by: count) }

    /// A problem was detected (an Event or a condition turning True).
    public func problem(type: String, reason: String) {
        Counter(label: "mend_detector_problem_counter", dimensions: [("type", type), ("reason", reason)], factory: factory).increment()
    }

    /// The current state of a condition: 1 for `reason` while True, 0 for every other reason of the type.
    public func setProblemGauge(type: String, reason: String, active: Bool) {
        let others = gaugeReasons.withLock { known in
            defer { known[type, default: []].insert(reason) }
            return known[type, default: []].subtracting([reason])
        }
        for other in others.sorted() {
            Gauge(label: "mend_detector_problem_gauge", dimensions: [("type", type), ("reason", other)], factory: factory).record(0)
        }
        Gauge(label: "mend_detector_problem_gauge", dimensions: [("type", type), ("reason", reason)], factory: factory)
            .record(active ? 1 : 0)
    }

    /// A plugin run finished with `result` (`ok`, `problem`, `unknown`, `timeout`).
    public func pluginRun(_ result: String) {
        Counter(label: "mend_detector_plugin_runs_total", dimensions: [("result", result)], factory: factory).increment()
    }

    /// A Kubernetes API call failed.
    public func apiError(_ verb: String) {
        Counter(label: "mend_detector_api_errors_total", dimensions: [("verb", verb)], factory: factory).increment()
    }

    /// A source's reader is alive (called on every loop turn, idle or not).
    public func heartbeat(_ source: String, at time: Date = Date()) { heartbeats.withLock { $0[source] = time } }

    /// Sources whose last heartbeat is older than `threshold` at `now`.
    public func stalledSources(now: Date = Date(), threshold: TimeInterval = 30) -> [String] {
        heartbeats.withLock { beats in beats.filter { now.timeIntervalSince($0.value) > threshold }.map(\.key).sorted() }
    }

    /// The liveness of every source, for `HealthChecks.addLivenessCheck`: unhealthy while any has stalled.
    public func sourceHealth(now: Date = Date(), threshold: TimeInterval = 30) -> HealthStatus {
        let stalled = stalledSources(now: now, threshold: threshold)
        if stalled.isEmpty { return .healthy }
        return .unhealthy(reason: "no progress for more than \(Int(threshold)) s: \(stalled.joined(separator: ", "))")
    }
}
