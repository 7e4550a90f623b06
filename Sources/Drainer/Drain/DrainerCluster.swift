import Foundation
import KubeClient
import KubeModels
import MendCore

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
    /// The pods bound to any of `nodes` (for the surge fit check). The default asks node by node.
    func pods(onNodes nodes: [String]) async throws -> [Pod]
}

extension DrainerCluster {
    public func pods(onNodes nodes: [String]) async throws -> [Pod] {
        var pods: [Pod] = []
        for node in nodes { pods += try await self.pods(onNode: node) }
        return pods
    }
}

/// ``DrainerCluster`` over a ``KubernetesClient`` for reads and MendCore's `WritePath` for every
/// write, so a dry-run `WritePath` logs each cordon, eviction and annotation and sends nothing.
public struct KubeDrainerCluster: DrainerCluster {
    public let client: KubernetesClient
    public let writes: WritePath

    public init(client: KubernetesClient, writes: WritePath) {
        self.client = client
        self.writes = writes
    }

    public func node(named name: String) async throws -> Node? {
        do {
            return try await client.get(Node.self, name: name)
        } catch let error as KubeClientError where error.isNotFound {
            return nil
        }
    }

    public func patchNode(named name: String, patch: JSONValue) async throws {
        _ = try await writes.patchNode(name, patch: .merge(patch))
    }

    public func patchNodeStatus(named name: String, patch: JSONValue) async throws {
        _ = try await writes.patchNodeStatus(name, patch: .strategicMerge(patch))
    }

    public func pods(onNode node: String) async throws -> [Pod] {
        let options = ListOptions(fieldSelector: "spec.nodeName=\(node)")
        return try await client.listAll(Pod.self, namespace: nil, options: options).items
    }

    public func evict(_ pod: Pod, gracePeriodSeconds: Int64?) async throws -> EvictionOutcome {
        let options = DeleteOptions(
            gracePeriodSeconds: gracePeriodSeconds, preconditions: DeleteOptions.Preconditions(uid: pod.metadata.uid))
        return try await writes.evictPod(pod.metadata.name ?? "", namespace: pod.metadata.namespace ?? "default", options: options)
    }

    public func delete(_ pod: Pod, gracePeriodSeconds: Int64?) async throws {
        let options = DeleteOptions(
            gracePeriodSeconds: gracePeriodSeconds, preconditions: DeleteOptions.Preconditions(uid: pod.metadata.uid))
        try await writes.deletePod(pod.metadata.name ?? "", namespace: pod.metadata.namespace ?? "default", options: options)
    }

    public func disruptionBudgets(namespace: String) async throws -> [PodDisruptionBudget] {
        try await client.listAll(PodDisruptionBudget.self, namespace: namespace).items
    }

    /// One list of every bound pod, filtered to `nodes` here.
    public func pods(onNodes nodes: [String]) async throws -> [Pod] {
        let wanted = Set(nodes)
        let options = ListOptions(fieldSelector: "spec.nodeName!=")
        return try await client.listAll(Pod.self, namespace: nil, options: options).items
            .filter { $0.spec.nodeName.map(wanted.contains) ?? false }
    }
}
