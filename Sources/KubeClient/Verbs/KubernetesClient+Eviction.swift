import Foundation
import KubeModels

/// What the Eviction API answered.
public enum EvictionOutcome: Sendable, Equatable, CustomStringConvertible {
    /// The pod is being deleted (graceful termination has begun).
    case evicted
    /// A PodDisruptionBudget does not allow the disruption now (429). Try again after `retryAfter`.
    case blockedByDisruptionBudget(message: String, retryAfter: Duration?)
    /// The pod is covered by more than one PodDisruptionBudget, which the API refuses (500).
    case multipleDisruptionBudgets(message: String)
    /// The pod does not exist (already gone).
    case notFound

    public var description: String {
        switch self {
        case .evicted: return "evicted"
        case .blockedByDisruptionBudget(let message, let retryAfter):
            return "blocked by PodDisruptionBudget: \(message)" + (retryAfter.map { " (retry after \($0.seconds)s)" } ?? "")
        case .multipleDisruptionBudgets(let message): return "several PodDisruptionBudgets match: \(message)"
        case .notFound: return "pod not found"
        }
    }
}

extension KubernetesClient {
    /// Evicts a pod through the `pods/eviction` subresource, which honours PodDisruptionBudgets.
    ///
    /// Never retried by the transport: a 429 here is an answer (a PDB blocks), not throttling.
    ///
    /// - Parameter deleteOptions: grace period and preconditions (e.g. the pod's uid, so a
    ///   replacement pod with the same name is not evicted by mistake).
    /// - Throws: ``KubeClientError`` for any other failure (403, 409 on a failed precondition, ...).
    public func evict(
        pod name: String, namespace: String, deleteOptions: DeleteOptions? = nil, dryRun: Bool = false
    ) async throws -> EvictionOutcome {
        var body: [String: JSONValue] = [
            "apiVersion": "policy/v1",
            "kind": "Eviction",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
        ]
        if var deleteOptions {
            deleteOptions.apiVersion = nil
            deleteOptions.kind = nil
            body["deleteOptions"] = try JSONValue(encoding: deleteOptions)
        }
        var request = KubeRequest(
            method: .POST, path: try path(.pods, namespace: namespace, name: name, subresource: "eviction"),
            body: try JSONValue.object(body).serialized(sortedKeys: false), retryClass: .never)
        if dryRun { request.query.append(("dryRun", "All")) }
        do {
            _ = try await transport.execute(request)
            return .evicted
        } catch let error as KubeClientError {
            guard let api = error.apiError else { throw error }
            if api.code == 429 {
                return .blockedByDisruptionBudget(message: api.message, retryAfter: api.retryAfter)
            }
            if api.code == 500 && api.message.contains("more than one PodDisruptionBudget") {
                return .multipleDisruptionBudgets(message: api.message)
            }
            if api.code == 404 && (api.kind == nil || api.kind == "pods") {
                return .notFound
            }
            throw error
        }
    }
}
