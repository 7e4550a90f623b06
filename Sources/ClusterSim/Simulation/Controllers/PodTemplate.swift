import Foundation
import KubeModels

/// Making pods from a workload's pod template, as the workload controllers do.
enum PodTemplate {
    /// A new pod from `owner`'s `spec.template`: `generateName` `<owner>-`, the template's
    /// labels, annotations and spec, and a controller owner reference to `owner`.
    static func pod(from owner: JSONValue, kind: String, apiVersion: String = "apps/v1") -> JSONValue {
        let template = owner[path: ["spec", "template"]] ?? .object([:])
        var metadata = template["metadata"]?.objectValue ?? [:]
        metadata["name"] = nil
        metadata["namespace"] = .string(owner.simNamespace)
        metadata["generateName"] = .string(owner.simName + "-")
        metadata["ownerReferences"] = [[
            "apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(owner.simName),
            "uid": .string(owner.simUID), "controller": true, "blockOwnerDeletion": true,
        ]]
        return [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": .object(metadata),
            "spec": template["spec"] ?? .object([:]),
        ]
    }

    /// The owner's `spec.selector`, or nil when it is missing or malformed (such an owner
    /// selects nothing).
    static func selector(of owner: JSONValue) -> LabelSelector? {
        owner[path: ["spec", "selector"]]?.simDecode(LabelSelector.self)
    }

    /// Whether a pod counts as a live replica: not finished, not being deleted.
    static func isActive(_ pod: JSONValue) -> Bool {
        let phase = pod.simPhase
        return !pod.simIsTerminating && phase != "Succeeded" && phase != "Failed"
    }

    /// Whether the pod is `Ready=True`.
    static func isReady(_ pod: JSONValue) -> Bool {
        pod.simCondition("Ready")?["status"]?.stringValue == "True"
    }
}
