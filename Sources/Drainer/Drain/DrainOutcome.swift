import Foundation

/// A pod that keeps a drain from finishing, and why (for Events, logs and `plan`).
public struct BlockingPod: Sendable, Hashable, CustomStringConvertible {
    public var namespace: String
    public var name: String
    /// The reason: a PDB refusal naming the budget(s), a policy reason, or "still terminating".
    public var reason: String
    /// The PodDisruptionBudgets that cover the pod (empty when none).
    public var disruptionBudgets: [String]

    public init(namespace: String, name: String, reason: String, disruptionBudgets: [String] = []) {
        self.namespace = namespace
        self.name = name
        self.reason = reason
        self.disruptionBudgets = disruptionBudgets
    }

    public var description: String {
        let budgets = disruptionBudgets.isEmpty ? "" : " (PodDisruptionBudget \(disruptionBudgets.joined(separator: ", ")))"
        return "\(namespace)/\(name): \(reason)\(budgets)"
    }
}

/// How one drain ended.
public enum DrainOutcome: Sendable, Hashable, CustomStringConvertible {
    /// Every evictable pod is gone.
    case succeeded(evicted: Int)
    /// The timeout passed with these pods still on the node (the configured choice was give-up).
    case timedOut(blocking: [BlockingPod])
    /// Pods the policy will not remove are on the node; nothing was evicted.
    case blocked(by: [BlockingPod])
    /// The re-check before the drain found the node healed, uncordoned by someone, or gone.
    case cancelled(reason: String)

    /// The value of the `mend.dev/drain-outcome` annotation.
    public var annotationValue: String {
        switch self {
        case .succeeded: return "succeeded"
        case .timedOut: return "timed-out"
        case .blocked: return "blocked"
        case .cancelled: return "cancelled"
        }
    }

    /// The `result` label of the drained-nodes metric.
    public var metricResult: String {
        switch self {
        case .succeeded: return "succeeded"
        case .timedOut: return "timed_out"
        case .blocked: return "blocked"
        case .cancelled: return "cancelled"
        }
    }

    public var description: String {
        switch self {
        case .succeeded(let evicted): return "drained: \(evicted) pod(s) removed"
        case .timedOut(let blocking):
            return "drain timed out; still on the node: " + blocking.map(\.description).joined(separator: "; ")
        case .blocked(let pods):
            return "drain blocked by policy: " + pods.map(\.description).joined(separator: "; ")
        case .cancelled(let reason): return "drain cancelled: \(reason)"
        }
    }
}
