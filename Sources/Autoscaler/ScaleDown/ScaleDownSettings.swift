import Drainer
/// The knobs of scale-down (defaults as the cluster-autoscaler's).
public struct ScaleDownSettings: Sendable, Hashable {
    /// A node whose requests / allocatable (the larger of CPU and memory) stay below this is unneeded.
    public var utilizationThreshold: Double
    /// How long a node must stay unneeded before it is removed (drained nodes do not wait).
    public var unneededTime: Duration
    /// No scale-down this soon after a scale-up.
    public var delayAfterScaleUp: Duration
    /// Empty (and drained) nodes removed together in one decision, at most.
    public var maxEmptyBulk: Int
    /// Nodes with pods to move removed in one decision, at most.
    public var maxNonEmptyPerDecision: Int
    /// Whether a pod with local storage (`emptyDir`) blocks its node's removal unless it is
    /// annotated safe to evict.
    public var skipNodesWithLocalStorage: Bool
    /// Whether a `kube-system` pod without a PDB blocks its node's removal unless annotated safe.
    public var skipNodesWithSystemPods: Bool

    /// Settings.
    public init(
        utilizationThreshold: Double = 0.5, unneededTime: Duration = .seconds(600),
        delayAfterScaleUp: Duration = .seconds(600), maxEmptyBulk: Int = 10, maxNonEmptyPerDecision: Int = 1,
        skipNodesWithLocalStorage: Bool = true, skipNodesWithSystemPods: Bool = true
    ) {
        self.utilizationThreshold = utilizationThreshold
        self.unneededTime = unneededTime
        self.delayAfterScaleUp = delayAfterScaleUp
        self.maxEmptyBulk = maxEmptyBulk
        self.maxNonEmptyPerDecision = maxNonEmptyPerDecision
        self.skipNodesWithLocalStorage = skipNodesWithLocalStorage
        self.skipNodesWithSystemPods = skipNodesWithSystemPods
    }
}

/// The node annotations mend-drainer and the autoscaler agree on (one definition: the drainer's
/// ``MendNodeKeys``): a cordoned node carrying ``drained`` has been emptied on purpose and goes
/// first; a node carrying ``surgeRequested`` waits for replacement capacity before its drain.
public enum DrainerContract {
    /// RFC 3339 time mend-drainer finished draining the node.
    public static let drained = MendNodeKeys.drained
    /// RFC 3339 time mend-drainer asked for replacement capacity: the node's pods count as
    /// pending demand for scale-up.
    public static let surgeRequested = MendNodeKeys.surgeRequested
}
