/// Carries out planned node removals: taint the node `ToBeDeletedByClusterAutoscaler:NoSchedule`,
/// evict its pods with the shared eviction code, then terminate its instance with the desired
/// capacity decremented. Empty nodes go in bulk, the others one at a time.
///
/// The run loop calls it with a ``ScaleDownPlan``'s removals; a removal the previous run left half
/// done arrives again as ``NodeRemoval/Kind/resumed`` and is finished.
public protocol NodeRemoving: Sendable {
    /// Removes the nodes; one result per removal, in the order given.
    func remove(_ removals: [NodeRemoval]) async -> [NodeRemovalResult]
}

/// What became of one planned removal.
public struct NodeRemovalResult: Sendable, Hashable {
    /// How a removal ended.
    public enum Outcome: Sendable, Hashable, CustomStringConvertible {
        /// The instance was terminated with the group's capacity decremented.
        case removed
        /// The removal stopped before the instance was terminated; the taint was taken off
        /// again so the node takes pods.
        case abandoned(reason: String)
        /// A call failed (reading the node, a taint change, the eviction API, the termination),
        /// or the taint of an abandoned removal could not be taken off; the reason says which,
        /// and whether the node was untainted.
        case failed(reason: String)

        public var description: String {
            switch self {
            case .removed: "removed"
            case .abandoned(let reason): "abandoned: \(reason)"
            case .failed(let reason): "failed: \(reason)"
            }
        }
    }

    /// The removal this result is for.
    public var removal: NodeRemoval
    /// How it ended.
    public var outcome: Outcome

    /// A result.
    public init(removal: NodeRemoval, outcome: Outcome) {
        self.removal = removal
        self.outcome = outcome
    }
}
