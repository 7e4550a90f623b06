import Foundation
import KubeModels

/// The detector's one seam to the cluster: every read and write of the node goes through it, so
/// dry-run is one switch (``DryRunNodeWriter``) and tests can count writes.
public protocol NodeWriter: Sendable {
    /// Reads the node (start-up adoption of its conditions, taint updates).
    func node(named name: String) async throws -> Node
    /// Sends a strategic-merge patch to `nodes/<name>/status`.
    func patchStatus(node name: String, patch: JSONValue) async throws
    /// Replaces the node's taint list, guarded by `resourceVersion` (taints are not merged by key).
    func replaceTaints(node name: String, taints: [Taint], resourceVersion: String) async throws
    /// Emits an Event about the node (best effort).
    func recordEvent(node: Node, event: DetectorEvent) async
}

/// Prints what would be written and writes nothing; reads go to `reader`.
public struct DryRunNodeWriter: NodeWriter {
    public let reader: any NodeWriter
    public let output: @Sendable (String) -> Void

    public init(reader: any NodeWriter, output: @escaping @Sendable (String) -> Void = { print($0) }) {
        self.reader = reader
        self.output = output
    }

    public func node(named name: String) async throws -> Node { try await reader.node(named: name) }

    public func patchStatus(node name: String, patch: JSONValue) async throws {
        let body = (try? patch.serialized(sortedKeys: true)).map { String(decoding: $0, as: UTF8.self) } ?? "\(patch)"
        output("dry-run: PATCH nodes/\(name)/status (strategic merge) \(body)")
    }

    public func replaceTaints(node name: String, taints: [Taint], resourceVersion: String) async throws {
        output("dry-run: PATCH nodes/\(name) spec.taints = [\(taints.map(\.description).joined(separator: ", "))]")
    }

    public func recordEvent(node: Node, event: DetectorEvent) async {
        output("dry-run: Event \(event.type) \(event.reason) on node \(node.metadata.name ?? ""): \(event.message)")
    }
}
