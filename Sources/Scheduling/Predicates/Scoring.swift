import KubeModels

/// Node scoring for choosing among feasible nodes (the scheduler's score phase, simplified).
public enum Scoring {
    /// The CPU a pod without a CPU request counts for when scoring (kube-scheduler's default).
    public static let defaultMilliCPURequest: Int64 = 100
    /// The memory a pod without a memory request counts for when scoring (200 MiB).
    public static let defaultMemoryRequest: Int64 = 200 << 20

    /// kube-scheduler's `LeastAllocated` strategy over CPU and memory (equal weights): for each
    /// resource, the share left free after placing the pod, 0–100, averaged. Higher spreads
    /// pods out. Pods without requests count the scheduler's non-zero defaults. The already
    /// placed pods count their actual requests (the scheduler would count their defaults too).
    public static func leastAllocated(_ pod: SchedulingPod, _ state: NodeState) -> Int64 {
        let cpu = pod.requests.milliCPU > 0 ? pod.requests.milliCPU : defaultMilliCPURequest
        let memory = pod.requests.memory > 0 ? pod.requests.memory : defaultMemoryRequest
        let cpuScore = freeShare(
            requested: state.requested.milliCPU + cpu, allocatable: state.node.allocatable.milliCPU)
        let memoryScore = freeShare(
            requested: state.requested.memory + memory, allocatable: state.node.allocatable.memory)
        return (cpuScore + memoryScore) / 2
    }

    private static func freeShare(requested: Int64, allocatable: Int64) -> Int64 {
        guard allocatable > 0, requested <= allocatable else { return 0 }
        // Divide first when large to stay clear of overflow (memory in bytes times 100).
        let free = allocatable - requested
        return free > Int64.max / 100 ? free / (allocatable / 100) : free * 100 / allocatable
    }

    /// Among the nodes where `pod` fits, the index of the one with the highest
    /// ``leastAllocated(_:_:)`` score (the first on ties); nil when it fits nowhere.
    public static func bestNode(for pod: SchedulingPod, in nodes: [NodeState]) -> Int? {
        var best: (index: Int, score: Int64)?
        for index in nodes.indices where nodes[index].fits(pod) {
            let score = leastAllocated(pod, nodes[index])
            if best == nil || score > best!.score { best = (index, score) }
        }
        return best?.index
    }
}
