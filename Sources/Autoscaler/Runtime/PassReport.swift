#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import KubeModels
import MendCore

/// What one pass of the loop saw and decided (and, when it acted, did).
public struct PassReport: Sendable {
    public var time: Date
    /// The node groups the decisions used.
    public var groups: [NodeGroup] = []
    /// Registered and ready nodes per group.
    public var registered: [String: Int] = [:]
    public var ready: [String: Int] = [:]
    /// Pods pending for want of capacity, and since when the oldest has waited.
    public var pending = PendingPods(pods: [])
    /// The scale-up decided (its increases were made unless this was a plan).
    public var scaleUp = ScaleUpPlan()
    /// Increases whose `setDesiredCapacity` failed, with the error.
    public var failedIncreases: [String: String] = [:]
    /// A passing cloud failure (throttling, no answer) left a decision undone: the loop makes it
    /// again shortly instead of backing the group off.
    public var retrySoon = false
    /// The scale-down decided; nil when scale-down is disabled.
    public var scaleDown: ScaleDownPlan?
    /// What became of each removal (empty for a plan).
    public var removals: [NodeRemovalResult] = []
    /// Groups whose capacity request failed in this pass (launch failure or timeout), with why.
    public var provisioningFailures: [String: String] = [:]
    /// Pods counted as demand because their node asked for a surge.
    public var surgePods: [String] = []
    /// Other things worth knowing.
    public var notes: [String] = []

    public init(time: Date) { self.time = time }

    /// The decisions in words, as `mend-autoscaler plan` prints them.
    public func render() -> String {
        var lines: [String] = []
        lines.append("Plan at \(KubeTime(time))")
        if let halt = scaleUp.halted ?? scaleDown?.halted { lines.append("HALTED: \(halt)") }
        lines.append("Node groups:")
        if groups.isEmpty { lines.append("  (none found)") }
        for group in groups {
            lines.append(
                "  \(group.id): min=\(group.minSize) max=\(group.maxSize) desired=\(group.desiredCapacity) registered=\(registered[group.id] ?? 0) ready=\(ready[group.id] ?? 0)"
                    + (scaleUp.skippedGroups[group.id].map { " (skipped: \($0))" } ?? ""))
        }
        for (group, reason) in provisioningFailures.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(group): capacity request failed: \(reason)")
        }
        lines.append("Unschedulable pods: \(pending.count)" + (pending.oldestSince.map { since in
            " (the oldest unschedulable since \(KubeTime(since)), for \(GoDuration(.seconds(Int64(pending.oldestAge(now: time))))))"
        } ?? ""))
        lines.append("Scale-up:")
        if scaleUp.increases.isEmpty { lines.append("  none") }
        for increase in scaleUp.increases {
            let failed = failedIncreases[increase.group].map { " FAILED: \($0)" } ?? ""
            lines.append(
                "  \(increase.group): desired \(increase.from) -> \(increase.to) (+\(increase.to - increase.from) node(s)) for \(increase.option.pods.count) pod(s)\(failed)"
            )
            for pod in increase.option.pods.sorted() { lines.append("    \(pod)") }
        }
        if !surgePods.isEmpty {
            lines.append("  pods counted as demand for surge-requested nodes: \(surgePods.sorted().joined(separator: ", "))")
        }
        let skipped = scaleUp.skippedPods.sorted { $0.key < $1.key }
        if !skipped.isEmpty {
            lines.append("Pending pods left out:")
            for (pod, reason) in skipped { lines.append("  \(pod): \(reason)") }
        }
        let helpless = scaleUp.noScaleUp.sorted { $0.key < $1.key }
        if !helpless.isEmpty {
            lines.append("Pods no group can help:")
            for (pod, reasons) in helpless {
                lines.append("  \(pod):")
                for (group, why) in reasons.sorted(by: { $0.key < $1.key }) { lines.append("    \(group): \(why)") }
            }
        }
        lines.append("Scale-down:")
        if let scaleDown {
            if scaleDown.removals.isEmpty { lines.append("  none") }
            for removal in scaleDown.removals {
                let outcome = removals.first { $0.removal == removal }.map { " -> \($0.outcome)" } ?? ""
                lines.append("  remove \(removal.node) (\(removal.group)/\(removal.instanceID)): \(removal.kind)\(outcome)")
                if !removal.podsToEvict.isEmpty {
                    lines.append("    evicts: \(removal.podsToEvict.sorted().joined(separator: ", "))")
                }
            }
            let kept = scaleDown.blocked.sorted { $0.key < $1.key }
            if !kept.isEmpty {
                lines.append("Nodes kept:")
                for (node, reason) in kept { lines.append("  \(node): \(reason)") }
            }
        } else {
            lines.append("  disabled")
        }
        if !notes.isEmpty {
            lines.append("Notes:")
            for note in notes { lines.append("  \(note)") }
        }
        return lines.joined(separator: "\n")
    }
}
