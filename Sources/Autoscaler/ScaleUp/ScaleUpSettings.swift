import KubeModels

/// The knobs of scale-up (defaults as the cluster-autoscaler's where it has one).
public struct ScaleUpSettings: Sendable {
    /// Pending pods younger than this are left to the scheduler a little longer.
    public var newPodDelay: Duration
    /// Pods with a priority below this never trigger a scale-up.
    public var expendablePriorityCutoff: Int32
    /// The expander chain; the last tie is broken by group name.
    public var expanders: [Expander]
    /// Cluster-wide limits, never exceeded.
    public var limits: ClusterLimits
    /// How much the kubelet reserves on nodes built from instance types.
    public var reserved: ReservedResources

    /// Settings.
    public init(
        newPodDelay: Duration = .zero, expendablePriorityCutoff: Int32 = -10, expanders: [Expander] = [.leastWaste],
        limits: ClusterLimits = ClusterLimits(), reserved: ReservedResources = .eks
    ) {
        self.newPodDelay = newPodDelay
        self.expendablePriorityCutoff = expendablePriorityCutoff
        self.expanders = expanders
        self.limits = limits
        self.reserved = reserved
    }
}

/// Cluster-wide ceilings (nil: no limit).
public struct ClusterLimits: Sendable, Hashable {
    public var maxNodes: Int?
    /// In whole cores.
    public var maxCores: Int64?
    /// In bytes.
    public var maxMemory: Int64?

    /// Limits.
    public init(maxNodes: Int? = nil, maxCores: Int64? = nil, maxMemory: Int64? = nil) {
        self.maxNodes = maxNodes
        self.maxCores = maxCores
        self.maxMemory = maxMemory
    }

    /// How many more nodes of `perNode` allocatable fit under the limits, given the totals now.
    func headroom(nodes: Int, milliCPU: Int64, memory: Int64, perNode: ResourceVector) -> Int {
        var room = Int.max
        if let maxNodes { room = min(room, max(0, maxNodes - nodes)) }
        if let maxCores, perNode.milliCPU > 0 {
            room = min(room, Int(max(0, maxCores * 1000 - milliCPU) / perNode.milliCPU))
        }
        if let maxMemory, perNode.memory > 0 {
            room = min(room, Int(max(0, maxMemory - memory) / perNode.memory))
        }
        return room
    }
}
