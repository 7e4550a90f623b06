import CoreMetrics
import KubeClient
import Logging
import MendCore
import MendTime

/// A live write executor whose capacity writes go to a ``NodeGroupProvider`` (AWS Auto Scaling
/// or the simulated cloud) and whose Kubernetes writes go to `base`.
///
/// Every capacity write of the autoscaler passes through it, so they all go through the one
/// `WritePath` (logged, counted, and replaced wholesale by the dry-run executor).
public struct NodeGroupWriteExecutor: WriteExecutor {
    let base: any WriteExecutor
    let provider: any NodeGroupProvider

    public init(base: any WriteExecutor, provider: any NodeGroupProvider) {
        self.base = base
        self.provider = provider
    }

    public func execute(_ request: WriteRequest) async throws -> WriteResult {
        switch request {
        case .setDesiredCapacity(let group, let capacity):
            try await provider.setDesiredCapacity(group: group, to: capacity)
            return .done
        case .terminateInstance(let known, let instanceID, let decrement):
            // The group is named by the caller (NodeRemover always does); else found by listing.
            var group = known
            if group == nil {
                group = try await provider.nodeGroups().first { $0.instances.contains { $0.id == instanceID } }?.id
            }
            guard let group else { throw NodeGroupWriteError.instanceNotInAnyGroup(instanceID) }
            try await provider.terminateInstance(instanceID, group: group, decrementDesiredCapacity: decrement)
            return .done
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

extension WritePath {
    /// The autoscaler's write path: live, capacity writes go to `provider` and Kubernetes writes
    /// to `kubernetes`; with `dryRun`, nothing is sent.
    public static func forNodeGroups(
        _ provider: any NodeGroupProvider, kubernetes: KubernetesClient?, dryRun: Bool,
        clock: any MendClock = SystemClock(), logger: Logger, factory: (any MetricsFactory)? = nil
    ) -> WritePath {
        let executor: any WriteExecutor =
            dryRun
            ? DryRunWriteExecutor(reader: kubernetes, clock: clock)
            : NodeGroupWriteExecutor(base: LiveWriteExecutor(kubernetes: kubernetes), provider: provider)
        return WritePath(executor: executor, dryRun: dryRun, logger: logger, factory: factory)
    }
}
