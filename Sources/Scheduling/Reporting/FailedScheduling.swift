import KubeModels

/// The scheduler's `FailedScheduling` message.
public enum FailedScheduling {
    /// Formats kube-scheduler's message for a pod that fits none of `totalNodes` nodes, given
    /// each node's failure reasons:
    /// `0/3 nodes are available: 1 Insufficient cpu, 2 node(s) were unschedulable.`
    ///
    /// Each entry is `<node count> <reason>`, sorted as strings (as the scheduler does, so
    /// `10 ...` sorts before `2 ...`). With no nodes at all the scheduler says
    /// `no nodes available to schedule pods`. `postFilterMessage` (the preemption outcome) is
    /// appended as its own sentence when given.
    public static func message(
        totalNodes: Int, nodeFailures: some Sequence<[SchedulingFailure]>, postFilterMessage: String? = nil
    ) -> String {
        if totalNodes == 0 { return "no nodes available to schedule pods" }
        var histogram: [String: Int] = [:]
        for failures in nodeFailures {
            for failure in Set(failures) { histogram[failure.description, default: 0] += 1 }
        }
        var text = "0/\(totalNodes) nodes are available:"
        let entries = histogram.map { "\($0.value) \($0.key)" }.sorted()
        if !entries.isEmpty { text += " " + entries.joined(separator: ", ") + "." }
        if let postFilterMessage, !postFilterMessage.isEmpty { text += " \(postFilterMessage)." }
        return text
    }
}

/// The outcome of checking one pod against many nodes.
public struct SchedulingDiagnosis: Sendable {
    /// Indices (into the nodes given) where the pod fits, in the given order.
    public var feasibleNodes: [Int]
    /// For each node that does not fit: its index and reasons.
    public var failures: [(node: Int, reasons: [SchedulingFailure])]
    /// How many nodes were checked.
    public var totalNodes: Int

    /// Whether the pod fits at least one node.
    public var isSchedulable: Bool { !feasibleNodes.isEmpty }

    /// The `FailedScheduling` message (meaningful when ``isSchedulable`` is false).
    public var message: String {
        FailedScheduling.message(totalNodes: totalNodes, nodeFailures: failures.lazy.map(\.reasons))
    }

    /// Checks `pod` against every node.
    public init(pod: SchedulingPod, nodes: [NodeState]) {
        totalNodes = nodes.count
        feasibleNodes = []
        failures = []
        for (index, state) in nodes.enumerated() {
            let reasons = state.failures(pod)
            if reasons.isEmpty { feasibleNodes.append(index) } else { failures.append((index, reasons)) }
        }
    }
}
