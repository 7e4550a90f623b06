#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import KubeModels

/// The pods waiting for capacity, as the metrics, the status and `plan` count them: how many,
/// and since when the longest-waiting one has been unschedulable.
public struct PendingPods: Sendable, Hashable {
    /// Pods pending for want of capacity (``InformerClusterSource/wantsCapacity(_:)``).
    public var count: Int
    /// When the longest-waiting of them became unschedulable; nil when none (or no times known).
    public var oldestSince: Date?

    /// The count and the oldest pending time of `pods`.
    public init(pods: [PodSummary]) {
        var count = 0
        var oldest: Date?
        for pod in pods where InformerClusterSource.wantsCapacity(pod) {
            count += 1
            if let since = Self.pendingSince(pod), oldest.map({ since < $0 }) ?? true { oldest = since }
        }
        self.count = count
        self.oldestSince = oldest
    }

    /// Since when `pod` has waited: the `lastTransitionTime` of its `PodScheduled=False`
    /// condition, else (no such time recorded) its creation.
    public static func pendingSince(_ pod: PodSummary) -> Date? {
        (pod.unschedulableSince ?? pod.creationTimestamp)?.date
    }

    /// Seconds the oldest pod has waited at `now` (0 when none).
    public func oldestAge(now: Date) -> Double {
        oldestSince.map { max(0, now.timeIntervalSince($0)) } ?? 0
    }
}
