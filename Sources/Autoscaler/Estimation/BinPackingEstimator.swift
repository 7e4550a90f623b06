import KubeModels
import Scheduling

/// How many new nodes of one template a set of pending pods needs: first-fit decreasing on the
/// shared ``Scheduling`` predicates.
///
/// Pods are taken largest first (CPU and memory as shares of the template, summed) and each goes
/// on the first open node where it fits, else on a new node. Exact first-fit, made linear by one
/// observation: nodes only fill up, so when a pod of some request vector did not fit on node *i*
/// (for resources or pod count), no later pod of the same request vector will. Each request
/// vector keeps the index of the first node still worth trying. Nothing here knows that pods are
/// identical; distinct pods with equal requests simply share the pointer.
public enum BinPackingEstimator {
    /// The outcome of packing pods onto a template.
    public struct Estimate: Sendable {
        /// New nodes opened (beyond the `openNodes` the caller started with).
        public var newNodes: Int
        /// For each input pod, the node it went to (0-based; the first `openNodes` indices are
        /// the already-open nodes), or nil when it could not be placed.
        public var placement: [Int?]
        /// Why the pods that were not placed could not be: the template's node-only failure, or
        /// `nil` when they would fit an empty node but `maxNewNodes` was reached.
        public var unplacedReasons: [Int: SchedulingFailure?]
        /// Requests of the workload pods placed on the new nodes (DaemonSet pods excluded).
        public var newNodesRequested: ResourceVector
        /// Allocatable of the new nodes net of DaemonSet pods.
        public var newNodesAllocatable: ResourceVector

        /// How many pods were placed.
        public var placedCount: Int { placement.lazy.filter { $0 != nil }.count }
        /// Whether some pods stayed out only because of `maxNewNodes`.
        public var hitNodeLimit: Bool { unplacedReasons.values.contains { $0 == nil } }
    }

    /// Packs `pods` onto `openNodes` template nodes already coming up, then onto at most
    /// `maxNewNodes` new ones.
    public static func estimate(
        _ pods: [SchedulingPod], template: NodeTemplate, openNodes: Int = 0, maxNewNodes: Int = .max
    ) -> Estimate {
        let empty = template.emptyState
        let allocatable = template.node.allocatable
        let cpuScale = allocatable.milliCPU > 0 ? 1 / Double(allocatable.milliCPU) : 0
        let memoryScale = allocatable.memory > 0 ? 1 / Double(allocatable.memory) : 0

        // Sort key once per pod; ties keep input order, so the result is deterministic.
        var order = Array(pods.indices)
        let score = pods.map { Double($0.requests.milliCPU) * cpuScale + Double($0.requests.memory) * memoryScale }
        order.sort { score[$0] != score[$1] ? score[$0] > score[$1] : $0 < $1 }

        var nodes = Array(repeating: empty, count: openNodes)
        var placement = [Int?](repeating: nil, count: pods.count)
        var unplaced: [Int: SchedulingFailure?] = [:]
        /// Per request vector: the first node index still worth trying, and whether such a pod
        /// fits an empty template node at all.
        var firstCandidate: [ResourceVector: Int] = [:]
        var fitsEmpty: [ResourceVector: Bool] = [:]
        var placedOnNew = ResourceVector()

        for index in order {
            let pod = pods[index]
            if let failure = Predicates.staticFailure(pod, empty.node) {
                unplaced[index] = failure
                continue
            }
            let key = pod.requests
            let emptyFit: Bool
            if let known = fitsEmpty[key] {
                emptyFit = known
            } else {
                emptyFit = Predicates.resourcesFit(pod, empty)
                fitsEmpty[key] = emptyFit
            }
            if !emptyFit {
                unplaced[index] = Predicates.resources(pod, empty).first ?? .tooManyPods
                continue
            }
            // Pods with host ports or anti-affinity may fail for reasons other than resources;
            // they start at the shared pointer but never move it.
            let plain = !pod.hasHostPorts && !pod.hasAntiAffinity
            var target: Int?
            var i = firstCandidate[key] ?? 0
            while i < nodes.count {
                if Predicates.resourcesFit(pod, nodes[i])
                    && (plain || (Predicates.hostPorts(pod, nodes[i]) == nil
                        && Predicates.podAntiAffinity(pod, nodes[i]) == nil))
                {
                    target = i
                    break
                }
                i += 1
            }
            if target == nil, nodes.count - openNodes < maxNewNodes {
                if plain || (Predicates.hostPorts(pod, empty) == nil && Predicates.podAntiAffinity(pod, empty) == nil) {
                    nodes.append(empty)
                    target = nodes.count - 1
                } else {
                    // Conflicts with the template's own DaemonSet pods: no new node helps.
                    unplaced[index] = .some(Predicates.failures(pod, empty).first ?? .hostPortsUnavailable)
                    continue
                }
            }
            guard let target else {
                if plain { firstCandidate[key] = nodes.count }
                unplaced[index] = .some(nil)
                continue
            }
            if plain { firstCandidate[key] = target }
            nodes[target].add(pod)
            placement[index] = target
            if target >= openNodes { placedOnNew += pod.requests }
        }
        let newNodes = nodes.count - openNodes
        var newAllocatable = ResourceVector()
        let perNode = template.workloadAllocatable
        for _ in 0..<newNodes { newAllocatable += perNode }
        return Estimate(
            newNodes: newNodes, placement: placement, unplacedReasons: unplaced, newNodesRequested: placedOnNew,
            newNodesAllocatable: newAllocatable)
    }
}
