import KubeClient
import KubeModels

/// The event recorder writes through the write path, so dry-run covers Events too:
/// `EventRecorder(sink: writes, component: "mend-drainer")`.
extension WritePath: EventSink {
    public func patchEvent(name: String, namespace: String, patch: JSONValue) async throws -> CoreV1Event {
        try await patchEvent(name, namespace: namespace, patch: .merge(patch))
    }
}

/// Leader election's Lease calls: reads from the client, writes through the write path (so they
/// are counted in `mend_writes_total`).
public struct WritePathLeaseAPI: LeaseAPI {
    let reader: KubernetesClient
    let writes: WritePath

    public init(reader: KubernetesClient, writes: WritePath) {
        self.reader = reader
        self.writes = writes
    }

    public func getLease(name: String, namespace: String) async throws -> Lease? {
        try await reader.getLease(name: name, namespace: namespace)
    }

    public func createLease(_ lease: Lease) async throws -> Lease {
        try await writes.createLease(lease)
    }

    public func patchLease(name: String, namespace: String, patch: JSONValue) async throws -> Lease {
        try await writes.patchLease(name, namespace: namespace, patch: .merge(patch))
    }
}
