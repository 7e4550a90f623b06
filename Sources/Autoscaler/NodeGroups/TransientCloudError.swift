import AWSClient

/// A provider failure that says nothing about the node group or the request: the cloud was
/// throttling, had a fault of its own, or could not be reached.
///
/// The autoscaler treats such a failure differently from a refusal: the group is not backed off
/// and no other group is chosen in its place; the same decision is made again on a quick retry
/// pass. Backing a group off for a throttled call would move capacity to a worse group, or leave
/// pods waiting out the backoff, for a reason that has nothing to do with the group.
public protocol TransientCloudError: Error {
    /// Whether this failure is passing (throttling, server fault, no answer).
    var isTransient: Bool { get }
}

/// AWS's throttling and server faults, and requests that got no answer, are passing.
extension AWSClientError: TransientCloudError {}

extension Error {
    /// Whether a node-group provider's failure is passing (see ``TransientCloudError``).
    public var isTransientCloudError: Bool {
        (self as? any TransientCloudError)?.isTransient ?? false
    }
}
