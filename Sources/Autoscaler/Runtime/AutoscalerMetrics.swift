import Metrics

/// mend-autoscaler's Prometheus metrics, through swift-metrics (the program picks the backend).
///
/// `mend_autoscaler_loop_duration_seconds` (a timer: a histogram in seconds), `mend_autoscaler_loop_errors_total`,
/// `mend_autoscaler_last_loop_timestamp_seconds`, `mend_autoscaler_unschedulable_pods`,
/// `mend_autoscaler_oldest_unschedulable_pod_age_seconds`,
/// `mend_autoscaler_scale_ups_total{group,result}`, `mend_autoscaler_node_groups_backed_off`,
/// `mend_autoscaler_node_group_backed_off{group}`, `mend_autoscaler_cluster_halted`,
/// `mend_autoscaler_decisions_total{decision,reason}`. (Scale-downs are counted by the node
/// remover.)
public struct AutoscalerMetrics: Sendable {
    let factory: any MetricsFactory

    /// Metrics in `factory` (default: the process's metrics system).
    public init(factory: (any MetricsFactory)? = nil) {
        self.factory = factory ?? MetricsSystem.factory
    }

    /// One pass took `seconds`.
    public func loopFinished(duration: Duration, at timestamp: Double) {
        let nanoseconds = duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
        Timer(label: "mend_autoscaler_loop_duration_seconds", factory: factory).recordNanoseconds(nanoseconds)
        Gauge(label: "mend_autoscaler_last_loop_timestamp_seconds", factory: factory).record(timestamp)
    }

    /// A pass failed.
    public func loopFailed() {
        Counter(label: "mend_autoscaler_loop_errors_total", factory: factory).increment()
    }

    /// Unschedulable pods now, and the age of the oldest (0 when none).
    public func unschedulable(count: Int, oldestAgeSeconds: Double) {
        Gauge(label: "mend_autoscaler_unschedulable_pods", factory: factory).record(count)
        Gauge(label: "mend_autoscaler_oldest_unschedulable_pod_age_seconds", factory: factory).record(oldestAgeSeconds)
    }

    /// A scale-up request ended: `success`, `error` (the call failed), `launch_failed` or
    /// `timed_out` (the nodes did not come).
    public func scaleUp(group: String, result: String) {
        Counter(label: "mend_autoscaler_scale_ups_total", dimensions: [("group", group), ("result", result)], factory: factory)
            .increment()
    }

    /// Which groups are backed off now (`known` lists every group, so recovered ones read 0).
    public func backedOff(_ groups: Set<String>, known: [String]) {
        Gauge(label: "mend_autoscaler_node_groups_backed_off", factory: factory).record(groups.count)
        for group in Set(known).union(groups) {
            Gauge(label: "mend_autoscaler_node_group_backed_off", dimensions: [("group", group)], factory: factory)
                .record(groups.contains(group) ? 1 : 0)
        }
    }

    /// Whether scaling is stopped by the unready-cluster halt.
    public func halted(_ halted: Bool) {
        Gauge(label: "mend_autoscaler_cluster_halted", factory: factory).record(halted ? 1 : 0)
    }

    /// One decision: `scale_up`, `no_scale_up`, `scale_down`, `scale_down_blocked`, `halt`, with
    /// a short reason (`least_waste`, `max_size`, `empty`, `pdb`, ...).
    public func decision(_ decision: String, reason: String, count: Int = 1) {
        guard count > 0 else { return }
        Counter(
            label: "mend_autoscaler_decisions_total", dimensions: [("decision", decision), ("reason", reason)],
            factory: factory
        ).increment(by: count)
    }
}
