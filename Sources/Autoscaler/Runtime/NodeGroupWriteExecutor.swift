import MendCore

/// A live write executor whose capacity writes go to a ``NodeGroupProvider`` (the simulated
/// cloud, or any provider that is not the AWS client) and whose Kubernetes writes go to `base`.
///
/// With AWS the program uses MendCore's `LiveWriteExecutor` over the Auto Scaling client; this
/// is for the other providers (their `CloudCall`s still go to `base`), so their writes still pass through the one `WritePath` (logged,
/// counted, and replaced wholesale by the dry-run executor).
public struct NodeGroupWriteExecutor: WriteExecutor {
    let base: any WriteExecutor
    let provider: any NodeGroupProvider

    public init(base: any WriteExecutor, provider: any NodeGroupProvider) {
        self.base = base
        self.provider = provider
    }

    public func execute(_ request: WriteRequest) async throws -> WriteResult {
        switch request {
        case .setDesiredCapacity(let group, let capacity, _):
            try await provider.setDesiredCapacity(group: group, to: capacity)
            return .done
        case .terminateInstance(let instanceID, let decrement):
            let groups = try await provider.nodeGroups()
            guard let group = groups.first(where: { $0.instances.contains { $0.id == instanceID } }) else {
                throw NodeGroupWriteError.instanceNotInAnyGroup(instanceID)
            }
            try await provider.terminateInstance(instanceID, group: group.id, decrementDesiredCapacity: decrement)
            return .scalingActivity(nil)
        default:
            return try await base.execute(request)
        }
    }
}

/// A capacity write the provider cannot place.
public enum NodeGroupWriteError: Error, Sendable, Hashable, CustomStringConvertible {
    case instanceNotInAnyGroup(String)

    public var description: String {
        switch self {
        case .instanceNotInAnyGroup(let id): "instance \(id) belongs to no managed node group"
        }
    }
}
