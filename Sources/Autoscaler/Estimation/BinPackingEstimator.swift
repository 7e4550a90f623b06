import KubeModels
import Scheduling

/// How many new nodes of one template a set of pending pods needs: first-fit decreasing on the
/// shared ``Scheduling`` predicates.
///
/// Pods are taken largest first (CPU and memory as shares of the template, summed) and each goes
/// on the first open node where it fits, else on a new node. Exact first-fit, made linear by one
/// observation: nodes only fill up, so once a request vector does not fit node *i* for resources
/// or pod count, no later pod with the same requests will. Each distinct request vector keeps the
/// index of the first node whose resources may still take it; a pod refused there for another
/// reason (host ports, anti-affinity) leaves the pointer where it is. Nothing here knows that pods
/// are identical; distinct pods with equal requests simply share the pointer.
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

        // Largest share first, ties in input order: sort (descending score, index) pairs once.
        // Shares are never negative, so the bit pattern of the score orders like the score.
        var order: [(key: UInt64, index: Int)] = []
        order.reserveCapacity(pods.count)
        for index in pods.indices {
            let requests = pods[index].requests
            let score = Double(requests.milliCPU) * cpuScale + Double(requests.memory) * memoryScale
            order.append((~max(score, 0).bitPattern, index))
        }
        order.sort { $0.key != $1.key ? $0.key < $1.key : $0.index < $1.index }

        var nodes = Array(repeating: empty, count: openNodes)
        var placement = [Int?](repeating: nil, count: pods.count)
        var unplaced: [Int: SchedulingFailure?] = [:]
        // Per distinct request vector (a small integer class): the first node index still worth
        // trying, and whether such a pod fits an empty template node at all.
        var classes: [ResourceVector: Int] = [:]
        var firstCandidate: [Int] = []
        var fitsEmpty: [Bool] = []
        var previous: (requests: ResourceVector, class: Int)?
        var placedOnNew = ResourceVector()

        for (_, index) in order {
            let pod = pods[index]
            if let failure = Predicates.staticFailure(pod, empty.node) {
                unplaced[index] = failure
                continue
            }
            // Sorted pods with equal requests mostly come in runs: compare with the last one
            // before hashing.
            let requestClass: Int
            if let previous, previous.requests == pod.requests {
                requestClass = previous.class
            } else if let known = classes[pod.requests] {
                requestClass = known
                previous = (pod.requests, known)
            } else {
                requestClass = firstCandidate.count
                classes[pod.requests] = requestClass
                firstCandidate.append(0)
                fitsEmpty.append(Predicates.resourcesFit(pod, empty))
                previous = (pod.requests, requestClass)
            }
            if !fitsEmpty[requestClass] {
                unplaced[index] = Predicates.resources(pod, empty).first ?? .tooManyPods
                continue
            }
            var target: Int?
            var firstResourceFit: Int?
            var i = firstCandidate[requestClass]
            while i < nodes.count {
                if Predicates.resourcesFit(pod, nodes[i]) {
                    if firstResourceFit == nil { firstResourceFit = i }
                    if Predicates.hostPorts(pod, nodes[i]) == nil && Predicates.podAntiAffinity(pod, nodes[i]) == nil {
                        target = i
                        break
                    }
                }
                i += 1
            }
            if target == nil, nodes.count - openNodes < maxNewNodes {
                if Predicates.hostPorts(pod, empty) == nil && Predicates.podAntiAffinity(pod, empty) == nil {
                    nodes.append(empty)
                    target = nodes.count - 1
                    if firstResourceFit == nil { firstResourceFit = target }
                } else {
                    // Conflicts with the template's own DaemonSet pods: no new node helps.
                    unplaced[index] = .some(Predicates.failures(pod, empty).first ?? .hostPortsUnavailable)
                    continue
                }
            }
            firstCandidate[requestClass] = firstResourceFit ?? nodes.count
            guard let target else {
                unplaced[index] = .some(nil)
                continue
            }
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
