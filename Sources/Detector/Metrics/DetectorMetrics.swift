import Foundation
import Synchronization

/// The detector's counters and gauges, rendered in the Prometheus text format, plus the source
/// heartbeats behind `/healthz`.
public final class DetectorMetrics: Sendable {
    struct State {
        var linesRead: [String: UInt64] = [:]
        var linesMatched: [String: UInt64] = [:]
        var kmsgRecordsLost: UInt64 = 0
        var recordsDropped: [String: UInt64] = [:]
        var problemsTotal: [Pair: UInt64] = [:]
        var problemGauge: [Pair: Int] = [:]
        var pluginRuns: [String: UInt64] = [:]
        var apiErrors: [String: UInt64] = [:]
        var heartbeats: [String: Date] = [:]
    }

    struct Pair: Hashable, Comparable {
        var a: String
        var b: String
        static func < (l: Pair, r: Pair) -> Bool { (l.a, l.b) < (r.a, r.b) }
    }

    private let state = Mutex(State())

    public init() {}

    /// A source read `count` lines.
    public func linesRead(_ source: String, _ count: UInt64 = 1) { state.withLock { $0.linesRead[source, default: 0] += count } }
    /// A source's line matched at least one rule.
    public func lineMatched(_ source: String) { state.withLock { $0.linesMatched[source, default: 0] += 1 } }
    /// Kernel records lost (overwritten in the ring buffer or skipped sequence numbers).
    public func kmsgLost(_ count: UInt64) { state.withLock { $0.kmsgRecordsLost += count } }
    /// Records a source dropped because the matcher could not keep up.
    public func recordsDropped(_ source: String, _ count: UInt64 = 1) { state.withLock { $0.recordsDropped[source, default: 0] += count } }
    /// A problem was detected (an Event or a condition turning True).
    public func problem(type: String, reason: String) { state.withLock { $0.problemsTotal[Pair(a: type, b: reason), default: 0] += 1 } }
    /// The current state of a condition (1 while True with this reason).
    public func setProblemGauge(type: String, reason: String, active: Bool) {
        state.withLock { s in
            for key in s.problemGauge.keys where key.a == type { s.problemGauge[key] = 0 }
            s.problemGauge[Pair(a: type, b: reason)] = active ? 1 : 0
        }
    }
    /// A plugin run finished with `result` (`ok`, `problem`, `unknown`, `timeout`).
    public func pluginRun(_ result: String) { state.withLock { $0.pluginRuns[result, default: 0] += 1 } }
    /// A Kubernetes API call failed.
    public func apiError(_ verb: String) { state.withLock { $0.apiErrors[verb, default: 0] += 1 } }
    /// A source's reader is alive (called on every loop turn, idle or not).
    public func heartbeat(_ source: String, at time: Date = Date()) { state.withLock { $0.heartbeats[source] = time } }

    /// Sources whose last heartbeat is older than `threshold` at `now`.
    public func stalledSources(now: Date = Date(), threshold: TimeInterval = 30) -> [String] {
        state.withLock { s in s.heartbeats.filter { now.timeIntervalSince($0.value) > threshold }.map(\.key).sorted() }
    }

    /// Current value of a counter, for tests and the CLI.
    public var snapshot: (linesRead: UInt64, linesMatched: UInt64, kmsgLost: UInt64, dropped: UInt64) {
        state.withLock { s in
            (s.linesRead.values.reduce(0, +), s.linesMatched.values.reduce(0, +), s.kmsgRecordsLost, s.recordsDropped.values.reduce(0, +))
        }
    }

    /// Problems counted for `reason` so far.
    public func problemCount(reason: String) -> UInt64 {
        state.withLock { s in s.problemsTotal.filter { $0.key.b == reason }.values.reduce(0, +) }
    }

    /// Plugin runs counted with `result`.
    public func pluginRunCount(_ result: String) -> UInt64 { state.withLock { $0.pluginRuns[result] ?? 0 } }

    /// The Prometheus text exposition of every metric.
    public func prometheusText() -> String {
        let s = state.withLock { $0 }
        var out = ""
        func escape(_ v: String) -> String {
            v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
        }
        func family(_ name: String, _ type: String, _ help: String, _ samples: [(String, String)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (labels, value) in samples { out += "\(name)\(labels.isEmpty ? "" : "{\(labels)}") \(value)\n" }
        }
        family("mend_detector_problem_counter", "counter", "Problems detected, by condition type (empty for Events) and reason.",
               s.problemsTotal.sorted { $0.key < $1.key }.map { ("type=\"\(escape($0.key.a))\",reason=\"\(escape($0.key.b))\"", "\($0.value)") })
        family("mend_detector_problem_gauge", "gauge", "1 while a condition is True with this reason.",
               s.problemGauge.sorted { $0.key < $1.key }.map { ("type=\"\(escape($0.key.a))\",reason=\"\(escape($0.key.b))\"", "\($0.value)") })
        family("mend_detector_lines_read_total", "counter", "Log lines read, by source.",
               s.linesRead.sorted { $0.key < $1.key }.map { ("source=\"\(escape($0.key))\"", "\($0.value)") })
        family("mend_detector_lines_matched_total", "counter", "Log lines that matched a rule, by source.",
               s.linesMatched.sorted { $0.key < $1.key }.map { ("source=\"\(escape($0.key))\"", "\($0.value)") })
        family("mend_detector_kmsg_records_lost_total", "counter", "Kernel records overwritten before they were read.",
               [("", "\(s.kmsgRecordsLost)")])
        family("mend_detector_records_dropped_total", "counter", "Records dropped because matching fell behind, by source.",
               s.recordsDropped.sorted { $0.key < $1.key }.map { ("source=\"\(escape($0.key))\"", "\($0.value)") })
        family("mend_detector_plugin_runs_total", "counter", "Check plugin runs, by result.",
               s.pluginRuns.sorted { $0.key < $1.key }.map { ("result=\"\(escape($0.key))\"", "\($0.value)") })
        family("mend_detector_api_errors_total", "counter", "Failed Kubernetes API calls, by verb.",
               s.apiErrors.sorted { $0.key < $1.key }.map { ("verb=\"\(escape($0.key))\"", "\($0.value)") })
        return out
    }
}
