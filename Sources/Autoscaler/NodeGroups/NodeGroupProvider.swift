#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The autoscaler's view of a cloud: the node groups it may resize and the two writes it makes.
///
/// Implementations: the AWS Auto Scaling provider and the simulated cloud in tests. Callers
/// route the writes through the program's write path (so dry-run sends nothing).
public protocol NodeGroupProvider: Sendable {
    /// The managed node groups, freshly read (sizes, instances, template sources).
    func nodeGroups() async throws -> [NodeGroup]
    /// Sets the group's desired capacity (never outside its min/max: callers check).
    func setDesiredCapacity(group: String, to capacity: Int) async throws
    /// Terminates one instance of the group; with `decrementDesiredCapacity` the group does not
    /// replace it.
    func terminateInstance(_ instanceID: String, group: String, decrementDesiredCapacity: Bool) async throws
    /// Launch failures the group reported since `since` (from its scaling activities).
    func launchFailures(group: String, since: Date) async throws -> [LaunchFailure]
}
