import KubeModels

/// A node and what has been placed on it: the accumulator a scheduler (real or simulated)
/// updates as it binds pods.
public struct NodeState: Sendable {
    public let node: SchedulingNode
    /// The sum of the placed pods' requests.
    public private(set) var requested: ResourceVector
    /// How many pods are placed.
    public private(set) var podCount: Int64
    /// Host ports taken by placed pods.
    public private(set) var usedHostPorts: [HostPort]
    /// Every placed pod.
    public private(set) var pods: [SchedulingPod]
    /// The placed pods with required anti-affinity terms, which newcomers must honour.
    public private(set) var antiAffinityHolders: [SchedulingPod]

    /// An empty node.
    public init(node: SchedulingNode) {
        self.node = node
        requested = .zero
        podCount = 0
        usedHostPorts = []
        pods = []
        antiAffinityHolders = []
    }

    /// A node with `pods` already on it.
    public init(node: SchedulingNode, pods placed: [SchedulingPod]) {
        self.init(node: node)
        for pod in placed { add(pod) }
    }

    /// What is left: allocatable minus requested (may be negative on over-committed nodes).
    public var free: ResourceVector { node.allocatable - requested }

    /// Records `pod` as placed on this node (no checks: use ``fits(_:)`` first).
    public mutating func add(_ pod: SchedulingPod) {
        requested += pod.requests
        podCount += 1
        if pod.hasHostPorts { usedHostPorts.append(contentsOf: pod.hostPorts) }
        pods.append(pod)
        if pod.hasAntiAffinity { antiAffinityHolders.append(pod) }
    }

    /// Removes a placed pod (matched by namespace and name); returns whether it was there.
    @discardableResult
    public mutating func remove(_ pod: SchedulingPod) -> Bool {
        guard let index = pods.firstIndex(where: { $0.namespace == pod.namespace && $0.name == pod.name }) else {
            return false
        }
        let placed = pods.remove(at: index)
        requested -= placed.requests
        podCount -= 1
        for port in placed.hostPorts {
            if let i = usedHostPorts.firstIndex(of: port) { usedHostPorts.remove(at: i) }
        }
        antiAffinityHolders.removeAll { $0.namespace == pod.namespace && $0.name == pod.name }
        return true
    }

    /// Whether `pod` fits here now.
    @inlinable
    public func fits(_ pod: SchedulingPod) -> Bool { Predicates.fits(pod, self) }

    /// Why `pod` does not fit here (empty when it fits).
    public func failures(_ pod: SchedulingPod) -> [SchedulingFailure] { Predicates.failures(pod, self) }
}
