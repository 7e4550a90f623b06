import Drainer
import KubeClient
import KubeModels
import Synchronization

/// The cluster as a dry run sees it: writes still go (to a dry-run write path, which only logs
/// them), and pods whose eviction was "accepted" are hidden from later reads, so the drain ends
/// as it would live instead of waiting for pods that never leave.
final class DryRunDrainView: DrainerCluster {
    private let base: any DrainerCluster
    private let gone = Mutex<Set<String>>([])

    init(base: any DrainerCluster) { self.base = base }

    private static func key(_ pod: Pod) -> String {
        pod.metadata.uid ?? "\(pod.metadata.namespace ?? "")/\(pod.metadata.name ?? "")"
    }

    func node(named name: String) async throws -> Node? { try await base.node(named: name) }

    func patchNode(named name: String, patch: JSONValue) async throws { try await base.patchNode(named: name, patch: patch) }

    func patchNodeStatus(named name: String, patch: JSONValue) async throws {
        try await base.patchNodeStatus(named: name, patch: patch)
    }

    func pods(onNode node: String) async throws -> [Pod] {
        let hidden = gone.withLock { $0 }
        return try await base.pods(onNode: node).filter { !hidden.contains(Self.key($0)) }
    }

    func evict(_ pod: Pod, gracePeriodSeconds: Int64?) async throws -> EvictionOutcome {
        let outcome = try await base.evict(pod, gracePeriodSeconds: gracePeriodSeconds)
        if case .evicted = outcome { _ = gone.withLock { $0.insert(Self.key(pod)) } }
        return outcome
    }

    func delete(_ pod: Pod, gracePeriodSeconds: Int64?) async throws {
        try await base.delete(pod, gracePeriodSeconds: gracePeriodSeconds)
        _ = gone.withLock { $0.insert(Self.key(pod)) }
    }

    func disruptionBudgets(namespace: String) async throws -> [PodDisruptionBudget] {
        try await base.disruptionBudgets(namespace: namespace)
    }
}
