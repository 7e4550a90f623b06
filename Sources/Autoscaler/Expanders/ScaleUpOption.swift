import KubeModels

/// One way to get pending pods scheduled: add `nodeCount` nodes to `group`.
public struct ScaleUpOption: Sendable, Hashable {
    /// The group to grow.
    public var group: String
    /// Nodes to add.
    public var nodeCount: Int
    /// The pending pods (`namespace/name`) the new nodes would take.
    public var pods: [String]
    /// Workload requests placed on the new nodes.
    public var requested: ResourceVector
    /// Allocatable of the new nodes net of DaemonSet pods.
    public var allocatable: ResourceVector
    /// The instance type the option is planned with (for the price expander), when known.
    public var instanceType: String?

    /// An option.
    public init(
        group: String, nodeCount: Int, pods: [String], requested: ResourceVector, allocatable: ResourceVector,
        instanceType: String? = nil
    ) {
        self.group = group
        self.nodeCount = nodeCount
        self.pods = pods
        self.requested = requested
        self.allocatable = allocatable
        self.instanceType = instanceType
    }

    /// The share of CPU and of memory left idle on the new nodes, summed (0 is a perfect fit,
    /// 2 an idle node); the least-waste expander picks the lowest.
    public var waste: Double {
        func idle(_ used: Int64, _ total: Int64) -> Double {
            total > 0 ? Double(max(0, total - used)) / Double(total) : 0
        }
        return idle(requested.milliCPU, allocatable.milliCPU) + idle(requested.memory, allocatable.memory)
    }
}
