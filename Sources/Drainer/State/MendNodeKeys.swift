/// The annotations, condition and Event reasons mend-drainer writes on nodes: its state in the
/// cluster (so a restarted or newly elected drainer continues) and its contract with the autoscaler.
///
/// **Autoscaler contract.** When a drain finishes, the node keeps `spec.unschedulable: true` and
/// gets ``drained`` = the RFC 3339 time the last evictable pod was gone. mend-autoscaler treats a
/// cordoned node carrying ``drained`` as empty and removes it first (no scale-down delay); if the
/// node heals and mend-drainer uncordons it, ``drained`` is removed in the same patch, so the
/// autoscaler never removes a node that is back in service.
public enum MendNodeKeys {
    /// `mend-drainer`: set when Mend cordoned the node. Only such nodes are ever uncordoned by Mend.
    public static let cordonedBy = "mend.dev/cordoned-by"
    /// Why: the rule and the condition that matched, e.g. `KernelDeadlock=True,10m0s`.
    public static let cordonReason = "mend.dev/cordon-reason"
    /// RFC 3339 time of the cordon.
    public static let cordonedAt = "mend.dev/cordoned-at"
    /// RFC 3339 time the drain started (kept across restarts: a resumed drain keeps its start).
    public static let drainStartedAt = "mend.dev/drain-started-at"
    /// How the drain ended: `succeeded`, `timed-out`, `blocked`, or `cancelled`.
    public static let drainOutcome = "mend.dev/drain-outcome"
    /// RFC 3339 time the drain finished: the autoscaler's signal that the node is empty.
    public static let drained = "mend.dev/drained"
    /// RFC 3339 time Mend asked for replacement capacity before draining (surge): the node's
    /// evictable pods would not fit on the other schedulable nodes. mend-autoscaler counts those
    /// pods as pending demand while the annotation is present. Removed when the drain starts or
    /// the node heals.
    public static let surgeRequested = "mend.dev/surge-requested"
    /// The ``drainOutcome`` of a node left cordoned because no room appeared within the surge timeout.
    public static let surgeTimedOutOutcome = "surge-timed-out"
    /// Default node opt-out annotation: a node with `mend.dev/drain-disabled: "true"` is never touched.
    public static let defaultOptOut = "mend.dev/drain-disabled"
    /// Default protected-pod annotation: a pod with `mend.dev/drain-protected: "true"` blocks the drain.
    public static let defaultProtectedPod = "mend.dev/drain-protected"
    /// The value of ``cordonedBy``.
    public static let component = "mend-drainer"
    /// The node condition shown by `kubectl describe node` (like Draino's `DrainScheduled`).
    public static let drainConditionType = "DrainScheduled"

    /// Every state annotation, removed together when Mend hands a node back.
    public static let stateAnnotations = [cordonedBy, cordonReason, cordonedAt, drainStartedAt, drainOutcome, drained, surgeRequested]
}

/// Event reasons mend-drainer records (on the node unless stated).
public enum DrainEventReason {
    public static let cordoned = "MendCordoned"
    public static let drainStarted = "MendDrainStarted"
    public static let drainSucceeded = "MendDrainSucceeded"
    public static let drainTimedOut = "MendDrainTimedOut"
    public static let drainBlocked = "MendDrainBlocked"
    public static let drainCancelled = "MendDrainCancelled"
    public static let evictionBlocked = "MendEvictionBlocked"
    public static let multiplePDBs = "MendMultiplePodDisruptionBudgets"
    public static let uncordoned = "MendUncordoned"
    public static let budgetExhausted = "MendDrainBudgetExhausted"
    /// Replacement capacity was requested before draining (surge).
    public static let surgeRequested = "MendSurgeRequested"
    /// No room appeared within the surge timeout.
    public static let surgeTimedOut = "MendSurgeTimedOut"
}
