import Foundation
import KubeClient
import KubeModels

/// Writes through the shared Kubernetes client: status patches, taints guarded by resourceVersion,
/// and Events through the client's de-duplicating ``EventRecorder``.
public struct KubernetesNodeWriter: NodeWriter {
    public let client: KubernetesClient
    public let recorder: EventRecorder
    public let metrics: DetectorMetrics

    public init(client: KubernetesClient, recorder: EventRecorder, metrics: DetectorMetrics) {
        self.client = client
        self.recorder = recorder
        self.metrics = metrics
    }

    public func node(named name: String) async throws -> Node {
        do { return try await client.get(Node.self, name: name) } catch {
            metrics.apiError("get")
            throw error
        }
    }

    public func patchStatus(node name: String, patch: JSONValue) async throws {
        do {
            _ = try await client.patchJSON(.nodes, name: name, patch: .strategicMerge(patch), subresource: "status")
        } catch {
            metrics.apiError("patch")
            throw error
        }
    }

    public func replaceTaints(node name: String, taints: [Taint], resourceVersion: String) async throws {
        let value = try JSONValue.parse(JSONEncoder().encode(taints))
        do {
            _ = try await client.patchJSON(.nodes, name: name, patch: .json([
                JSONPatchOperation(op: .test, path: "/metadata/resourceVersion", value: .string(resourceVersion)),
                JSONPatchOperation(op: .add, path: "/spec/taints", value: value),
            ]))
        } catch {
            metrics.apiError("patch")
            throw error
        }
    }

    public func recordEvent(node: Node, event: DetectorEvent) async {
        let outcome = await recorder.record(node, type: event.type, reason: event.reason, message: event.message)
        if case .failed = outcome { metrics.apiError("event") }
    }
}
