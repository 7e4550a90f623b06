import KubeModels

/// Where an ``EventRecorder`` writes. ``KubernetesClient`` writes to the API; a program's
/// dry-run path can supply a sink that logs instead.
public protocol EventSink: Sendable {
    /// Creates a new Event.
    func createEvent(_ event: CoreV1Event) async throws -> CoreV1Event
    /// Applies a JSON merge patch to an existing Event (used to bump `count` and `lastTimestamp`).
    func patchEvent(name: String, namespace: String, patch: JSONValue) async throws -> CoreV1Event
}

extension KubernetesClient: EventSink {
    public func createEvent(_ event: CoreV1Event) async throws -> CoreV1Event {
        try await create(event)
    }

    public func patchEvent(name: String, namespace: String, patch: JSONValue) async throws -> CoreV1Event {
        try await self.patch(CoreV1Event.self, name: name, namespace: namespace, patch: .merge(patch))
    }
}
