import KubeModels
import Scheduling

/// Turns the pods of nodes awaiting a surge into pending demand, so the capacity they need is
/// raised before mend-drainer evicts them.
public enum SurgeDemand {
    /// The nodes that asked for a surge.
    public static func surgeNodes(_ nodes: [Node]) -> Set<String> {
        Set(nodes.filter { $0.metadata.annotations?[DrainerContract.surgeRequested] != nil }.compactMap(\.metadata.name))
    }

    /// `snapshot` with each movable pod of a surge node made pending (unbound, unschedulable),
    /// unless it fits on another ready, schedulable node that is not itself awaiting a surge
    /// (first fit, in name order, counting what is already there).
    ///
    /// - Returns: the snapshot for the scale-up planner and the keys of the pods made pending.
    public static func apply(_ snapshot: ClusterSnapshot) -> (snapshot: ClusterSnapshot, surgePods: [String]) {
        let surge = surgeNodes(snapshot.nodes)
        guard !surge.isEmpty else { return (snapshot, []) }
        var byNode: [String: [PodSummary]] = [:]
        for pod in snapshot.pods where !pod.isTerminal {
            if let node = pod.nodeName, !node.isEmpty { byNode[node, default: []].append(pod) }
        }
        var destinations: [NodeState] = []
        for node in snapshot.nodes.sorted(by: { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") })
        where node.isReady && !node.isUnschedulable && !surge.contains(node.metadata.name ?? "")
            && !ScaleDownPlanner.isBeingDeleted(node)
        {
            destinations.append(
                NodeState(node: SchedulingNode(node), pods: (byNode[node.metadata.name ?? ""] ?? []).map { SchedulingPod($0) }))
        }
        var pods = snapshot.pods
        var made: [String] = []
        for i in pods.indices {
            let pod = pods[i]
            guard let node = pod.nodeName, surge.contains(node), !pod.isTerminal, !pod.isBeingDeleted,
                !pod.isDaemonSetPod, !pod.isMirrorPod
            else { continue }
            var moved = pod
            moved.nodeName = nil
            let view = SchedulingPod(moved)
            if let slot = destinations.indices.first(where: { destinations[$0].fits(view) }) {
                destinations[slot].add(view)
                continue
            }
            moved.isUnschedulable = true
            moved.nominatedNodeName = nil
            moved.phase = .pending
            pods[i] = moved
            made.append(pod.key)
        }
        var result = snapshot
        result.pods = pods
        return (result, made)
    }
}
