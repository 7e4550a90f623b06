import Foundation
import KubeClient
import KubeModels

/// Everything mend-drainer reads from and writes to the cluster: the seam tests and dry-run use.
///
/// Writes are merge patches (never a PUT of a decoded object) so fields the models do not know
/// survive.
public protocol DrainerCluster: Sendable {
    /// Reads one node fresh from the API (`nil` when it no longer exists).
    func node(named name: String) async throws -> Node?
    /// Applies a JSON merge patch to a node (spec and metadata).
    func patchNode(named name: String, patch: JSONValue) async throws
    /// Applies a strategic merge patch to a node's status (conditions merge by `type`).
    func patchNodeStatus(named name: String, patch: JSONValue) async throws
    /// The pods bound to `node`, in every namespace.
    func pods(onNode node: String) async throws -> [Pod]
    /// Asks the Eviction API to evict `pod` (PodDisruptionBudgets respected), guarded by its uid.
    func evict(_ pod: Pod, gracePeriodSeconds: Int64?) async throws -> EvictionOutcome
    /// Deletes `pod` directly (only for pods the policy names), guarded by its uid.
    func delete(_ pod: Pod, gracePeriodSeconds: Int64?) async throws
    /// The PodDisruptionBudgets of `namespace`.
    func disruptionBudgets(namespace: String) async throws -> [PodDisruptionBudget]
}

/// ``DrainerCluster`` over a ``KubernetesClient``. With `dryRun` every write is logged and skipped.
public struct KubeDrainerCluster: DrainerCluster {
    public let client: KubernetesClient

    public init(client: KubernetesClient) {
        self.client = client
    }

    public func node(named name: String) async throws -> Node? {
        do {
            return try await client.get(Node.self, name: name)
        } catch let error as KubeClientError where error.isNotFound {
            return nil
        }
    }

    public func patchNode(named name: String, patch: JSONValue) async throws {
        _ = try await client.patchJSON(.nodes, name: name, patch: .merge(patch))
    }

    public func patchNodeStatus(named name: String, patch: JSONValue) async throws {
        _ = try await client.patchJSON(.nodes, name: name, patch: .strategicMerge(patch), subresource: "status")
    }

    public func pods(onNode node: String) async throws -> [Pod] {
        let options = ListOptions(fieldSelector: "spec.nodeName=\(node)")
        return try await client.listAll(Pod.self, namespace: nil, options: options).items
    }

    public func evict(_ pod: Pod, gracePeriodSeconds: Int64?) async throws -> EvictionOutcome {
        let options = DeleteOptions(
            gracePeriodSeconds: gracePeriodSeconds, preconditions: DeleteOptions.Preconditions(uid: pod.metadata.uid))
        return try await client.evict(
            pod: pod.metadata.name ?? "", namespace: pod.metadata.namespace ?? "default", deleteOptions: options)
    }

    public func delete(_ pod: Pod, gracePeriodSeconds: Int64?) async throws {
        let options = DeleteOptions(
            gracePeriodSeconds: gracePeriodSeconds, preconditions: DeleteOptions.Preconditions(uid: pod.metadata.uid))
        try await client.delete(Pod.self, name: pod.metadata.name ?? "", namespace: pod.metadata.namespace, options: options)
    }

    public func disruptionBudgets(namespace: String) async throws -> [PodDisruptionBudget] {
        try await client.listAll(PodDisruptionBudget.self, namespace: namespace).items
    }
}
