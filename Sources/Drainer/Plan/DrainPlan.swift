import Foundation
import KubeModels
import MendCore

/// What mend-drainer would do to the cluster now: which nodes match, which pods would be evicted,
/// which pods and PodDisruptionBudgets would block (`mend-drainer plan`).
public struct DrainPlan: Sendable, Hashable {
    /// One node a rule matches (now or later), or that Mend already holds.
    public struct NodeEntry: Sendable, Hashable {
        public var node: String
        /// The rule that matches, if any.
        public var rule: ConditionRule?
        /// When the rule's duration elapses (in the past: it matches now).
        public var matchesFrom: Date?
        /// Mend's state on the node, in words (`cordoned by Mend, drain in flight`, ...).
        public var state: String
        /// Pods the drain would evict (or delete), `namespace/name`.
        public var evict: [String]
        /// Pods that would stop the drain, with why.
        public var blocking: [BlockingPod]
        /// Pods left alone, with why.
        public var skipped: [String]
    }

    public var entries: [NodeEntry]
    /// Nodes the policy selects (the base of a percentage budget).
    public var selectedNodes: Int
    /// Nodes cordoned by Mend now, and the budget's limit.
    public var cordonedByMend: Int
    public var cordonLimit: Int

    /// Builds the plan from a snapshot of the cluster.
    public static func make(policy: DrainerPolicy, nodes: [Node], pods: [Pod], budgets: [PodDisruptionBudget], now: Date) -> DrainPlan {
        let selected = nodes.filter(policy.selects)
        let podsByNode = Dictionary(grouping: pods, by: { $0.spec.nodeName ?? "" })
        var entries: [NodeEntry] = []
        for node in selected.sorted(by: { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }) {
            let name = node.metadata.name ?? ""
            let state = MendNodeState(node)
            let match = policy.match(node, firstSeen: now)
            guard match != nil || state.ownedByMend else { continue }
            var entry = NodeEntry(
                node: name, rule: match?.rule, matchesFrom: match?.from, state: describe(state, node: node),
                evict: [], blocking: [], skipped: [])
            for pod in (podsByNode[name] ?? []).sorted(by: { key($0) < key($1) }) {
                switch policy.pods.disposition(of: pod) {
                case .evict, .delete:
                    entry.evict.append(key(pod))
                    let covering = budgets.filter { $0.selects(pod) }
                    if covering.count > 1 {
                        entry.blocking.append(BlockingPod(
                            namespace: pod.metadata.namespace ?? "", name: pod.metadata.name ?? "",
                            reason: "covered by several PodDisruptionBudgets (the Eviction API refuses it)",
                            disruptionBudgets: covering.compactMap(\.metadata.name).sorted()))
                    } else if let budget = covering.first, (budget.status.disruptionsAllowed ?? 0) <= 0 {
                        entry.blocking.append(BlockingPod(
                            namespace: pod.metadata.namespace ?? "", name: pod.metadata.name ?? "",
                            reason: "its PodDisruptionBudget allows no disruption now", disruptionBudgets: [budget.metadata.name ?? ""]))
                    }
                case .block(let reason):
                    entry.blocking.append(BlockingPod(namespace: pod.metadata.namespace ?? "", name: pod.metadata.name ?? "", reason: reason.description))
                case .skip(let reason):
                    entry.skipped.append("\(key(pod)) (\(reason.rawValue))")
                }
            }
            entries.append(entry)
        }
        let cordoned = nodes.filter { MendNodeState($0).countsAgainstBudget }.count
        return DrainPlan(
            entries: entries, selectedNodes: selected.count, cordonedByMend: cordoned,
            cordonLimit: policy.budget.maxCordoned.limit(selectedNodes: selected.count))
    }

    private static func key(_ pod: Pod) -> String { "\(pod.metadata.namespace ?? "")/\(pod.metadata.name ?? "")" }

    private static func describe(_ state: MendNodeState, node: Node) -> String {
        if state.ownedByMend {
            if !state.cordoned { return "Mend's cordon was lifted by someone else" }
            if let outcome = state.outcome { return "cordoned by Mend, drain \(outcome)" }
            if state.drainStartedAt != nil { return "cordoned by Mend, drain in flight" }
            return "cordoned by Mend, drain pending"
        }
        if state.outcome == "cancelled" { return "left alone: a person uncordoned it after Mend's cordon" }
        return node.isUnschedulable ? "cordoned by someone else (left alone)" : "schedulable"
    }

    /// A human-readable report.
    public func render(now: Date) -> String {
        var lines: [String] = []
        lines.append("Selected nodes: \(selectedNodes); cordoned by Mend: \(cordonedByMend) of at most \(cordonLimit)")
        if entries.isEmpty {
            lines.append("No selected node matches a drain rule.")
        }
        for entry in entries {
            var head = "node \(entry.node): \(entry.state)"
            if let rule = entry.rule, let from = entry.matchesFrom {
                head += from <= now
                    ? "; matches \(rule) now"
                    : "; matches \(rule) in \(GoDuration.format(.seconds(Int64(from.timeIntervalSince(now).rounded(.up)))))"
            }
            lines.append(head)
            for pod in entry.evict { lines.append("  would evict  \(pod)") }
            for blocking in entry.blocking { lines.append("  would block  \(blocking)") }
            for pod in entry.skipped { lines.append("  skips        \(pod)") }
        }
        return lines.joined(separator: "\n")
    }
}
