import KubeModels

/// What the scheduling predicates need to know about a node, precomputed once.
public struct SchedulingNode: Sendable, Hashable {
    /// `metadata.name` (also what `matchFields` on `metadata.name` compares).
    public var name: String
    public var labels: [String: String]
    /// `spec.unschedulable` (cordoned).
    public var unschedulable: Bool
    /// The taints that keep pods off the node (`NoSchedule` and `NoExecute`), in node order.
    /// `PreferNoSchedule` taints never block scheduling and are not kept.
    public private(set) var blockingTaints: [Taint]
    /// `status.allocatable` in scheduler units.
    public var allocatable: ResourceVector

    /// A node view; `taints` may hold every taint, only blocking ones are kept.
    public init(
        name: String, labels: [String: String] = [:], unschedulable: Bool = false, taints: [Taint] = [],
        allocatable: ResourceVector
    ) {
        self.name = name
        self.labels = labels
        self.unschedulable = unschedulable
        self.blockingTaints = taints.filter { $0.effect == .noSchedule || $0.effect == .noExecute }
        self.allocatable = allocatable
    }

    /// The view of a Node. Allocatable comes from `status.allocatable`, or `status.capacity`
    /// when a (template) node has no allocatable.
    public init(_ node: Node) {
        self.init(
            name: node.metadata.name ?? "", labels: node.metadata.labels ?? [:],
            unschedulable: node.spec.unschedulable ?? false, taints: node.spec.taints ?? [],
            allocatable: ResourceVector(node.status.allocatable ?? node.status.capacity ?? [:]))
    }
}
