#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import KubeModels

/// The text of the status ConfigMap (`mend-autoscaler-status`, key `status`), in the spirit of
/// `cluster-autoscaler-status`: health, each group's sizes and backoff, the last scale-up and
/// scale-down and why. Deterministic: equal inputs give equal text, so an unchanged status is
/// not rewritten.
public struct StatusReport: Sendable {
    /// The ConfigMap's name.
    public static let configMapName = "mend-autoscaler-status"
    /// The data key holding the report.
    public static let dataKey = "status"

    public var time: Date
    public var groups: [NodeGroup]
    public var registered: [String: Int]
    public var backoff: GroupBackoff
    public var scaleUp: ScaleUpPlan
    public var scaleDown: ScaleDownPlan
    /// Ready nodes per group (the run loop fills it; nil leaves the column out).
    public var ready: [String: Int]?
    /// Capacity requested and not yet registered, by group.
    public var provisioning: [String: ProvisionRequest] = [:]
    /// The last scale-up the loop made, and why.
    public var lastScaleUp: ScaleActivity?
    /// The last scale-down the loop made, and why.
    public var lastScaleDown: ScaleActivity?
    /// Pods pending for want of capacity (nil leaves the line out). Only the oldest one's start
    /// is shown, not its age, so an unchanged status stays unchanged.
    public var pending: PendingPods?
    /// Other things worth knowing (a missing priority ConfigMap, surge requests, ...).
    public var notes: [String] = []

    /// A report of one decision.
    public init(
        time: Date, groups: [NodeGroup], registered: [String: Int], backoff: GroupBackoff, scaleUp: ScaleUpPlan,
        scaleDown: ScaleDownPlan
    ) {
        self.time = time
        self.groups = groups
        self.registered = registered
        self.backoff = backoff
        self.scaleUp = scaleUp
        self.scaleDown = scaleDown
    }

    /// The report as text.
    public var text: String {
        var lines: [String] = []
        lines.append("Time: \(KubeTime(time))")
        if let halt = scaleUp.halted ?? scaleDown.halted {
            lines.append("Health: Unhealthy (\(halt))")
        } else {
            lines.append("Health: Healthy")
        }
        lines.append("NodeGroups:")
        for group in groups {
            var line = "  \(group.id): min=\(group.minSize) max=\(group.maxSize) desired=\(group.desiredCapacity) registered=\(registered[group.id] ?? 0)"
            if let ready { line += " ready=\(ready[group.id] ?? 0)" }
            if let request = provisioning[group.id] {
                line += " provisioning=\(request.from)->\(request.target) since=\(KubeTime(request.requestedAt))"
            }
            if let entry = backoff.backoff(group: group.id, now: time) {
                line += " backedOffUntil=\(KubeTime(entry.until)) reason=\"\(entry.reason)\""
            }
            lines.append(line)
        }
        if let pending {
            lines.append(
                "UnschedulablePods: \(pending.count)"
                    + (pending.oldestSince.map { " (oldest unschedulable since \(KubeTime($0)))" } ?? ""))
        }
        lines.append("ScaleUp:")
        if scaleUp.increases.isEmpty {
            lines.append("  none (\(scaleUp.noScaleUp.count) pod(s) no group can help, \(scaleUp.skippedPods.count) pod(s) skipped)")
        }
        for increase in scaleUp.increases {
            lines.append(
                "  \(increase.group): \(increase.from) -> \(increase.to) for \(increase.option.pods.count) pod(s)")
        }
        lines.append("ScaleDown:")
        if scaleDown.removals.isEmpty { lines.append("  none") }
        for removal in scaleDown.removals {
            lines.append("  \(removal.node) (\(removal.group)/\(removal.instanceID)): \(removal.kind)")
        }
        for (title, activity) in [("LastScaleUp", lastScaleUp), ("LastScaleDown", lastScaleDown)] {
            guard let activity else { continue }
            lines.append("\(title): \(KubeTime(activity.time))")
            for line in activity.lines { lines.append("  \(line)") }
        }
        if !notes.isEmpty {
            lines.append("Notes:")
            for note in notes { lines.append("  \(note)") }
        }
        let blocked = scaleDown.blocked.sorted { $0.key < $1.key }
        if !blocked.isEmpty {
            lines.append("NodesKept:")
            for (node, reason) in blocked { lines.append("  \(node): \(reason)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
