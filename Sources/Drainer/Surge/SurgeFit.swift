import KubeModels
import Scheduling

/// Whether a node's evictable pods would fit on the other nodes: a first-fit simulation with the
/// shared scheduling predicates (the same ones ClusterSim's scheduler and the autoscaler use).
public enum SurgeFit {
    /// The answer for one node.
    public struct Result: Sendable, Hashable {
        /// `namespace/name` of each pod no other node could take (empty: everything fits).
        public var unplaced: [String]
        /// Whether every pod found a place.
        public var fits: Bool { unplaced.isEmpty }
    }

    /// Places `evicting` (pods now on `node`) on the other `nodes`, which already run `placed`.
    ///
    /// Larger pods are placed first (CPU, then memory), each on the first node where every
    /// predicate passes; a pod's `spec.nodeName` is ignored since it is about to be rescheduled.
    /// Terminal pods in `placed` take no room.
    public static func check(evicting: [Pod], from node: String, nodes: [Node], placed: [Pod]) -> Result {
        var byNode: [String: [SchedulingPod]] = [:]
        for pod in placed where !pod.isTerminal {
            guard let host = pod.spec.nodeName, host != node else { continue }
            byNode[host, default: []].append(SchedulingPod(pod))
        }
        var states = nodes.filter { $0.metadata.name != node }.sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
            .map { NodeState(node: SchedulingNode($0), pods: byNode[$0.metadata.name ?? ""] ?? []) }
        let candidates = evicting.map { pod -> SchedulingPod in
            var unbound = pod
            unbound.spec.nodeName = nil
            return SchedulingPod(unbound)
        }.sorted {
            ($0.requests.milliCPU, $0.requests.memory, $0.key) > ($1.requests.milliCPU, $1.requests.memory, $1.key)
        }
        var unplaced: [String] = []
        for pod in candidates {
            if let index = states.firstIndex(where: { $0.fits(pod) }) {
                states[index].add(pod)
            } else {
                unplaced.append(pod.key)
            }
        }
        return Result(unplaced: unplaced.sorted())
    }
}
