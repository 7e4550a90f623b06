import Foundation
import KubeModels

/// What a node's annotations say about Mend's work on it (read back after a restart).
public struct MendNodeState: Sendable, Hashable {
    /// Mend cordoned this node (`mend.dev/cordoned-by: mend-drainer`).
    public var ownedByMend: Bool
    /// `spec.unschedulable`.
    public var cordoned: Bool
    public var cordonReason: String?
    public var cordonedAt: Date?
    public var drainStartedAt: Date?
    public var outcome: String?
    public var drainedAt: Date?
    /// When Mend asked for replacement capacity before draining (``MendNodeKeys/surgeRequested``).
    public var surgeRequestedAt: Date?

    public init(_ node: Node) {
        let annotations = node.metadata.annotations ?? [:]
        func time(_ key: String) -> Date? { annotations[key].flatMap { try? KubeTime(parsing: $0).date } }
        ownedByMend = annotations[MendNodeKeys.cordonedBy] == MendNodeKeys.component
        cordoned = node.isUnschedulable
        cordonReason = annotations[MendNodeKeys.cordonReason]
        cordonedAt = time(MendNodeKeys.cordonedAt)
        drainStartedAt = time(MendNodeKeys.drainStartedAt)
        outcome = annotations[MendNodeKeys.drainOutcome]
        drainedAt = time(MendNodeKeys.drained)
        surgeRequestedAt = time(MendNodeKeys.surgeRequested)
    }

    /// Cordoned by Mend, drain started, no outcome yet: a drain to run (or resume after a restart).
    public var drainInFlight: Bool { ownedByMend && cordoned && drainStartedAt != nil && outcome == nil }

    /// Cordoned by Mend and waiting for a drain slot.
    public var drainPending: Bool { ownedByMend && cordoned && drainStartedAt == nil && outcome == nil }

    /// Mend's cordon counts against the budget (cordoned by Mend, whatever the drain's state).
    public var countsAgainstBudget: Bool { ownedByMend && cordoned }
}

/// The merge patches mend-drainer applies to nodes.
public enum NodePatches {
    static func stamp(_ date: Date) -> JSONValue { .string(KubeTime(date).description) }

    /// Cordon and record why (clearing any earlier episode's drain annotations). With
    /// `startingDrain` the drain start is recorded in the same patch (one write instead of two).
    public static func cordon(reason: String, at date: Date, startingDrain: Bool = false) -> JSONValue {
        [
            "spec": ["unschedulable": true],
            "metadata": [
                "annotations": [
                    MendNodeKeys.cordonedBy: .string(MendNodeKeys.component),
                    MendNodeKeys.cordonReason: .string(reason),
                    MendNodeKeys.cordonedAt: stamp(date),
                    MendNodeKeys.drainStartedAt: startingDrain ? stamp(date) : .null,
                    MendNodeKeys.drainOutcome: .null,
                    MendNodeKeys.drained: .null,
                    MendNodeKeys.surgeRequested: .null,
                ]
            ],
        ]
    }

    /// Record the drain start.
    public static func drainStarted(at date: Date) -> JSONValue {
        [
            "metadata": [
                "annotations": [MendNodeKeys.drainStartedAt: stamp(date), MendNodeKeys.drainOutcome: .null, MendNodeKeys.surgeRequested: .null]
            ]
        ]
    }

    /// Ask the autoscaler for replacement capacity: the node's pods do not fit elsewhere.
    public static func surgeRequested(at date: Date) -> JSONValue {
        ["metadata": ["annotations": [MendNodeKeys.surgeRequested: stamp(date)]]]
    }

    /// The surge wait ran out and the policy says stay cordoned: record it as the drain's outcome
    /// (the node stays cordoned for a person; the request stays so capacity may still come).
    public static func surgeTimedOut() -> JSONValue {
        ["metadata": ["annotations": [MendNodeKeys.drainOutcome: .string(MendNodeKeys.surgeTimedOutOutcome)]]]
    }

    /// Record how the drain ended; a successful drain also gets `mend.dev/drained` (the autoscaler's signal).
    public static func drainFinished(_ outcome: DrainOutcome, at date: Date) -> JSONValue {
        var annotations: [String: JSONValue] = [MendNodeKeys.drainOutcome: .string(outcome.annotationValue)]
        if case .succeeded = outcome { annotations[MendNodeKeys.drained] = stamp(date) }
        return ["metadata": ["annotations": .object(annotations)]]
    }

    /// Uncordon a node Mend cordoned and drop every Mend annotation.
    public static func uncordon() -> JSONValue {
        ["spec": ["unschedulable": .null], "metadata": ["annotations": .object(clearedAnnotations())]]
    }

    /// Someone else uncordoned the node: give it up (no cordon-by-Mend claim), remember the cancel
    /// so Mend does not cordon it again until it heals.
    public static func givenUp() -> JSONValue {
        var annotations = clearedAnnotations()
        annotations[MendNodeKeys.drainOutcome] = .string("cancelled")
        return ["metadata": ["annotations": .object(annotations)]]
    }

    /// Drop every Mend annotation (spec untouched).
    public static func forget() -> JSONValue {
        ["metadata": ["annotations": .object(clearedAnnotations())]]
    }

    static func clearedAnnotations() -> [String: JSONValue] {
        Dictionary(uniqueKeysWithValues: MendNodeKeys.stateAnnotations.map { ($0, JSONValue.null) })
    }

    /// The `DrainScheduled` condition (status subresource, strategic merge by `type`).
    public static func condition(status: ConditionStatus, reason: String, message: String, at date: Date) -> JSONValue {
        [
            "status": [
                "conditions": [
                    [
                        "type": .string(MendNodeKeys.drainConditionType),
                        "status": .string(status.rawValue),
                        "reason": .string(reason),
                        "message": .string(message),
                        "lastHeartbeatTime": stamp(date),
                        "lastTransitionTime": stamp(date),
                    ]
                ]
            ]
        ]
    }
}
