import Foundation
import KubeModels

/// Which condition types on the node are the detector's, remembered on the Node itself in the
/// annotation ``annotation`` (comma-separated, sorted), so a later run still knows about types its
/// rule files no longer configure.
///
/// Removing such leftovers is opt-in. Only types recorded in the annotation are ever removed, and
/// never the kubelet's own (``protectedTypes``), whatever the annotation says.
public struct ConditionOwnership: Sendable, Equatable {
    /// The Node annotation holding the condition types the detector owns.
    public static let annotation = "mend.dev/detector-conditions"
    /// Condition types the kubelet owns: never removed.
    public static let protectedTypes: Set<String> = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable"]

    /// Leftover types to remove from `status.conditions` now (sorted).
    public var remove: [String]
    /// Leftover types kept because removal is not enabled (sorted).
    public var kept: [String]
    /// The annotation's new value: the configured types plus leftovers still on the node.
    public var annotationValue: String
    /// Whether the annotation must be written.
    public var annotationChanged: Bool

    /// Parses the annotation's value.
    public static func parse(_ value: String?) -> Set<String> {
        Set((value ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }

    /// Decides what to remove and what to record.
    ///
    /// - Parameters:
    ///   - recorded: the annotation's current value (nil when absent).
    ///   - configured: the condition types the loaded monitor files own.
    ///   - onNode: the condition types currently in the node's status.
    ///   - removeUnconfigured: the opt-in.
    public init(recorded: String?, configured: some Sequence<String>, onNode: some Sequence<String>, removeUnconfigured: Bool) {
        let configured = Set(configured)
        let present = Set(onNode)
        let leftovers = Self.parse(recorded).subtracting(configured).subtracting(Self.protectedTypes).intersection(present)
        remove = removeUnconfigured ? leftovers.sorted() : []
        kept = removeUnconfigured ? [] : leftovers.sorted()
        annotationValue = configured.union(kept).sorted().joined(separator: ",")
        annotationChanged = annotationValue != (recorded ?? "") && !(recorded == nil && annotationValue.isEmpty)
    }

    /// A strategic-merge patch of `nodes/<name>/status` deleting ``remove`` (conditions merge by type).
    public var removalPatch: JSONValue {
        .object(["status": .object(["conditions": .array(remove.map {
            .object(["type": .string($0), "$patch": .string("delete")])
        })])])
    }
}
