#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import MendTime

/// Follows a capacity increase until its nodes register: pure logic, the loop supplies what it
/// read (the group now, its registered nodes, the launch failures since the request).
///
/// A launch failure ends the wait at once (the cluster-autoscaler would wait for the whole
/// provision timeout); so does the timeout. Either way the desired capacity is lowered back to
/// what is really coming, so the group does not keep asking for nodes it cannot launch.
public enum ProvisioningTracker {
    /// What became of one request.
    public enum Verdict: Sendable, Hashable {
        /// Still coming.
        case waiting
        /// Every node asked for registered (or the request no longer applies).
        case done
        /// The group failed: back it off, and lower its desired capacity to `lowerTo` when set.
        case failed(reason: String, lowerTo: Int?)
    }

    /// Judges `request` for `group` (nil: the group is gone).
    ///
    /// - Parameters:
    ///   - registered: nodes of the group registered with the cluster now.
    ///   - failures: launch failures the provider reported since the request.
    public static func verdict(
        _ request: ProvisionRequest, group: NodeGroup?, registered: Int, failures: [LaunchFailure], now: Date,
        timeout: Duration
    ) -> Verdict {
        guard let group else { return .done }
        if let failure = failures.max(by: { $0.time < $1.time }) {
            // Only the instances that did start are coming.
            let coming = max(group.minSize, group.instances.count, registered)
            return .failed(
                reason: "launch failed: \(failure.message)",
                lowerTo: coming < group.desiredCapacity ? coming : nil)
        }
        if registered >= request.target { return .done }
        if group.desiredCapacity < request.target && registered >= group.desiredCapacity { return .done }
        if now.timeIntervalSince(request.requestedAt) >= timeout.seconds {
            let coming = max(group.minSize, registered)
            let missing = max(0, min(request.target, group.desiredCapacity) - registered)
            return .failed(
                reason: "\(missing) node(s) did not register within \(Int(timeout.seconds)) s",
                lowerTo: coming < group.desiredCapacity ? coming : nil)
        }
        return .waiting
    }
}
