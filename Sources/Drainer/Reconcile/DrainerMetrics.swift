import Metrics

/// mend-drainer's Prometheus metrics (through swift-metrics; the program picks the backend).
///
/// Names: `mend_drainer_nodes_cordoned_total{result}`, `mend_drainer_nodes_drained_total{result}`,
/// `mend_drainer_nodes_uncordoned_total{result}`, `mend_drainer_pods_evicted_total`,
/// `mend_drainer_evictions_blocked_total{reason}`, `mend_drainer_drains_in_progress`,
/// `mend_drainer_budget_refusals_total{reason}`, `mend_drainer_drain_duration_seconds`,
/// `mend_drainer_surge_total{result}`.
public struct DrainerMetrics: Sendable {
    public init() {}

    /// A cordon attempt ended (`succeeded`, `failed`).
    public func cordoned(result: String) {
        Counter(label: "mend_drainer_nodes_cordoned_total", dimensions: [("result", result)]).increment()
    }

    /// A drain ended (`succeeded`, `timed_out`, `blocked`, `cancelled`, `failed`).
    public func drained(result: String) {
        Counter(label: "mend_drainer_nodes_drained_total", dimensions: [("result", result)]).increment()
    }

    /// An uncordon attempt ended (`succeeded`, `failed`).
    public func uncordoned(result: String) {
        Counter(label: "mend_drainer_nodes_uncordoned_total", dimensions: [("result", result)]).increment()
    }

    /// A pod was evicted (or deleted, for pods the policy names).
    public func podEvicted() {
        Counter(label: "mend_drainer_pods_evicted_total").increment()
    }

    /// An eviction was refused: `pdb` (429) or `multiple_pdbs` (500).
    public func evictionBlocked(reason: String) {
        Counter(label: "mend_drainer_evictions_blocked_total", dimensions: [("reason", reason)]).increment()
    }

    /// The number of drains running now.
    public func drainsInProgress(_ count: Int) {
        Gauge(label: "mend_drainer_drains_in_progress").record(count)
    }

    /// The budget refused new work.
    public func budgetRefused(_ reason: BudgetRefusal) {
        Counter(label: "mend_drainer_budget_refusals_total", dimensions: [("reason", reason.rawValue)]).increment()
    }

    /// How long a finished drain took, from its start to the last pod gone.
    public func drainDuration(seconds: Double) {
        Recorder(label: "mend_drainer_drain_duration_seconds", aggregate: true).record(seconds)
    }

    /// A surge step: `requested` (capacity asked for), `fitted` (room appeared), `timed_out`.
    public func surge(result: String) {
        Counter(label: "mend_drainer_surge_total", dimensions: [("result", result)]).increment()
    }
}
