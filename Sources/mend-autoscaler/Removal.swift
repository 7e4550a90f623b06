import Autoscaler
import KubeClient
import Logging
import MendCore

/// The node remover the program uses.
///
/// Interim: this build has no node remover yet (it lands with the `NodeRemover` work), so every
/// planned removal is reported as abandoned with that reason, in the status and the logs. The
/// scale-down decisions themselves are made and shown.
func makeRemover(
    client: KubernetesClient, provider: any NodeGroupProvider, writes: WritePath, events: EventRecorder?, logger: Logger
) -> any NodeRemoving {
    RemovalUnavailable(logger: logger)
}

struct RemovalUnavailable: NodeRemoving {
    let logger: Logger

    func remove(_ removals: [NodeRemoval]) async -> [NodeRemovalResult] {
        removals.map { removal in
            logger.warning("node removal is not available in this build", metadata: ["node": "\(removal.node)"])
            return NodeRemovalResult(removal: removal, outcome: .abandoned(reason: "node removal is not available in this build"))
        }
    }
}
