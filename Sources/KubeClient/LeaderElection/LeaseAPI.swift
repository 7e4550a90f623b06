import KubeModels

/// The three Lease calls leader election needs. ``KubernetesClient`` provides them; a wrapper can
/// route them through a program's write path or (in tests) delay or cut them off.
public protocol LeaseAPI: Sendable {
    /// The Lease, or `nil` when it does not exist.
    func getLease(name: String, namespace: String) async throws -> Lease?
    /// Creates the Lease (fails with AlreadyExists if another candidate was first).
    func createLease(_ lease: Lease) async throws -> Lease
    /// Applies a JSON merge patch (which carries `metadata.resourceVersion`, so a stale write fails
    /// with 409 Conflict).
    func patchLease(name: String, namespace: String, patch: JSONValue) async throws -> Lease
}

extension KubernetesClient: LeaseAPI {
    public func getLease(name: String, namespace: String) async throws -> Lease? {
        do {
            return try await get(Lease.self, name: name, namespace: namespace)
        } catch let error as KubeClientError where error.isNotFound {
            return nil
        }
    }

    public func createLease(_ lease: Lease) async throws -> Lease {
        try await create(lease)
    }

    public func patchLease(name: String, namespace: String, patch: JSONValue) async throws -> Lease {
        try await self.patch(Lease.self, name: name, namespace: namespace, patch: .merge(patch))
    }
}
