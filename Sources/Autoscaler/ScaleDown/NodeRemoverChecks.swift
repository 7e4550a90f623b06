#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import KubeModels

/// The `ToBeDeletedByClusterAutoscaler:NoSchedule` taint, whose value is the unix time it was
/// set (the convention the cluster-autoscaler and the tools around it read), and the merge
/// patches that add or remove it. Each patch carries the node's `resourceVersion`, so it fails
/// with 409 rather than overwrite a taint someone else changed meanwhile.
enum DeletionTaint {
    static func taint(at now: Date) -> Taint {
        Taint(
            key: NodeTaints.toBeDeletedByClusterAutoscaler, value: String(Int64(now.timeIntervalSince1970)),
            effect: .noSchedule)
    }

    /// Whether the node carries the taint (with any value or effect).
    static func isPresent(on node: Node) -> Bool {
        node.spec.taints?.contains { $0.key == NodeTaints.toBeDeletedByClusterAutoscaler } ?? false
    }

    /// The patch that adds the taint, keeping the others; nil when it is already there.
    static func adding(to node: Node, at now: Date) throws -> JSONValue? {
        if isPresent(on: node) { return nil }
        return try patch(node, taints: (node.spec.taints ?? []) + [taint(at: now)])
    }

    /// The patch that removes the taint, keeping the others; nil when it is not there.
    static func removing(from node: Node) throws -> JSONValue? {
        guard isPresent(on: node) else { return nil }
        return try patch(node, taints: (node.spec.taints ?? []).filter { $0.key != NodeTaints.toBeDeletedByClusterAutoscaler })
    }

    private static func patch(_ node: Node, taints: [Taint]) throws -> JSONValue {
        let list: JSONValue = taints.isEmpty ? .null : try JSONValue(encoding: taints)
        return [
            "metadata": ["resourceVersion": .string(node.metadata.resourceVersion ?? "")],
            "spec": ["taints": list],
        ]
    }
}

/// The simple re-check made before tainting and again before terminating: the node may still go.
enum RemovalCheck {
    /// Why the node must stay, or nil when it may go.
    ///
    /// - Parameters:
    ///   - node: the node as read now (nil: it is gone).
    ///   - pods: the pods bound to it now.
    ///   - expected: pods (`namespace/name`) allowed on it (the plan's pods to evict before the
    ///     drain; none before terminating). Any other pod that is not a DaemonSet or mirror pod,
    ///     not finished and not already terminating, stops the removal.
    static func refusal(node: Node?, pods: [Pod], instanceID: String, expected: Set<String>) -> String? {
        guard let node else { return "the node no longer exists" }
        if node.metadata.annotations?[NodeAnnotations.scaleDownDisabled] == "true" {
            return "the node is annotated \(NodeAnnotations.scaleDownDisabled)=true"
        }
        if let providerID = node.spec.providerID, let parsed = ProviderID(parsing: providerID),
            parsed.instanceID != instanceID
        {
            return "the node now runs on instance \(parsed.instanceID), not \(instanceID)"
        }
        let newcomers = pods.filter { pod in
            !pod.isTerminal && !pod.isDaemonSetPod && !pod.isMirrorPod && !pod.metadata.isBeingDeleted
                && !expected.contains(key(pod))
        }
        if !newcomers.isEmpty {
            let names = newcomers.map(key).sorted()
            return "pod\(names.count == 1 ? "" : "s") \(names.joined(separator: ", ")) landed on the node after the plan"
        }
        return nil
    }

    static func key(_ pod: Pod) -> String { "\(pod.metadata.namespace ?? "default")/\(pod.metadata.name ?? "")" }
}
