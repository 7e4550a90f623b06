import Autoscaler
import KubeClient
import Logging
import MendCore

/// The node remover the program uses: taint, drain with the shared eviction code, terminate with
/// the group's capacity decremented, every write through `writes`.
func makeRemover(
    client: KubernetesClient, provider: any NodeGroupProvider, writes: WritePath, events: EventRecorder?, logger: Logger
) -> any NodeRemoving {
    NodeRemover(client: client, provider: provider, writes: writes, events: events, logger: logger)
}

/// The remover of an offline plan: plans never remove, and this one refuses if asked.
struct PlanOnlyRemover: NodeRemoving {
    func remove(_ removals: [NodeRemoval]) async -> [NodeRemovalResult] {
        removals.map { NodeRemovalResult(removal: $0, outcome: .failed(reason: "a plan removes nothing")) }
    }
}
