import Foundation
import KubeModels

/// The detector's one seam to the cluster: every read and write of the node goes through it, so
/// tests can count writes. ``KubernetesNodeWriter`` sends the writes through MendCore's
/// `WritePath`, whose dry-run switch logs each intended write and sends none.
public protocol NodeWriter: Sendable {
    /// Reads the node (start-up adoption of its conditions, taint updates).
    func node(named name: String) async throws -> Node
    /// Sends a strategic-merge patch to `nodes/<name>/status`.
    func patchStatus(node name: String, patch: JSONValue) async throws
    /// Replaces the node's taint list, guarded by `resourceVersion` (taints are not merged by key).
    func replaceTaints(node name: String, taints: [Taint], resourceVersion: String) async throws
    /// Sets one annotation on the node (a merge patch of its metadata).
    func annotate(node name: String, key: String, value: String) async throws
    /// Emits an Event about the node (best effort).
    func recordEvent(node: Node, event: DetectorEvent) async
}
