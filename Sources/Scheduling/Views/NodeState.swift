import KubeModels

/// A node and what has been placed on it: the accumulator a scheduler (real or simulated)
/// updates as it binds pods.
public struct NodeState: Sendable {
    /// A pod on the node, as far as inter-pod rules care.
    public struct PlacedPod: Sendable, Hashable {
        public var namespace: String
        public var name: String
        public var labels: [String: String]
    }

    /// A placed pod with required anti-affinity terms.
    public struct AntiAffinityHolder: Sendable, Hashable {
        public var namespace: String
        public var name: String
        public var terms: [AffinityTerm]
    }

    public let node: SchedulingNode
    /// The sum of the placed pods' requests.
    public private(set) var requested: ResourceVector
    /// How many pods are placed.
    public private(set) var podCount: Int64
    /// Host ports taken by placed pods.
    public private(set) var usedHostPorts: [HostPort]
    /// Every placed pod (namespace, name, labels).
    public private(set) var placedPods: [PlacedPod]
    /// Placed pods whose required anti-affinity must be honoured by newcomers.
    public private(set) var antiAffinityHolders: [AntiAffinityHolder]

    /// An empty node.
    public init(node: SchedulingNode) {
        self.node = node
        requested = .zero
        podCount = 0
        usedHostPorts = []
        placedPods = []
        antiAffinityHolders = []
    }

    /// A node with `pods` already on it.
    public init(node: SchedulingNode, pods: [SchedulingPod]) {
        self.init(node: node)
        for pod in pods { add(pod) }
    }

    /// What is left: allocatable minus requested (may be negative on over-committed nodes).
    public var free: ResourceVector { node.allocatable - requested }

    /// Records `pod` as placed on this node (no checks: use ``fits(_:)`` first).
    public mutating func add(_ pod: SchedulingPod) {
        requested += pod.requests
        podCount += 1
        usedHostPorts.append(contentsOf: pod.hostPorts)
        placedPods.append(PlacedPod(namespace: pod.namespace, name: pod.name, labels: pod.labels))
        if !pod.antiAffinityTerms.isEmpty {
            antiAffinityHolders.append(
                AntiAffinityHolder(namespace: pod.namespace, name: pod.name, terms: pod.antiAffinityTerms))
        }
    }

    /// Removes a placed pod (matched by namespace and name); returns whether it was there.
    @discardableResult
    public mutating func remove(_ pod: SchedulingPod) -> Bool {
        guard let index = placedPods.firstIndex(where: { $0.namespace == pod.namespace && $0.name == pod.name }) else {
            return false
        }
        placedPods.remove(at: index)
        requested -= pod.requests
        podCount -= 1
        for port in pod.hostPorts {
            if let i = usedHostPorts.firstIndex(of: port) { usedHostPorts.remove(at: i) }
        }
        antiAffinityHolders.removeAll { $0.namespace == pod.namespace && $0.name == pod.name }
        return true
    }

    /// Whether `pod` fits here now.
    public func fits(_ pod: SchedulingPod) -> Bool { Predicates.fits(pod, self) }

    /// Why `pod` does not fit here (empty when it fits).
    public func failures(_ pod: SchedulingPod) -> [SchedulingFailure] { Predicates.failures(pod, self) }
}
