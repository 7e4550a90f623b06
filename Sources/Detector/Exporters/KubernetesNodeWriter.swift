import Foundation
import KubeClient
import KubeModels
import MendCore

/// Reads the node through the shared Kubernetes client and sends every write through MendCore's
/// one ``WritePath`` (so `--dry-run` is the write path's switch, and writes are logged and counted
/// like every other program's): status patches, taints guarded by resourceVersion, and Events
/// through a de-duplicating ``EventRecorder`` whose sink is that same write path.
public struct KubernetesNodeWriter: NodeWriter {
    public let client: KubernetesClient
    public let writes: WritePath
    public let recorder: EventRecorder
    public let metrics: DetectorMetrics

    /// - Parameter recorder: build it with `EventRecorder(sink: writes, ...)` so Events obey dry-run.
    public init(client: KubernetesClient, writes: WritePath, recorder: EventRecorder, metrics: DetectorMetrics) {
        self.client = client
        self.writes = writes
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
            _ = try await writes.patchNodeStatus(name, patch: .strategicMerge(patch))
        } catch {
            metrics.apiError("patch")
            throw error
        }
    }

    public func replaceTaints(node name: String, taints: [Taint], resourceVersion: String) async throws {
        let value = try JSONValue.parse(JSONEncoder().encode(taints))
        do {
            _ = try await writes.patchNode(name, patch: .json([
                JSONPatchOperation(op: .test, path: "/metadata/resourceVersion", value: .string(resourceVersion)),
                JSONPatchOperation(op: .add, path: "/spec/taints", value: value),
            ]))
        } catch {
            metrics.apiError("patch")
            throw error
        }
    }

    public func annotate(node name: String, key: String, value: String) async throws {
        do {
            _ = try await writes.patchNode(name, patch: .merge(.object(["metadata": .object(["annotations": .object([key: .string(value)])])])))
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
