import Foundation
import KubeModels
@testable import Drainer

/// Small builders for nodes and pods in tests.
enum Build {
    static func node(
        _ name: String, labels: [String: String] = [:], annotations: [String: String]? = nil,
        conditions: [NodeCondition] = [], unschedulable: Bool? = nil
    ) -> Node {
        Node(
            metadata: ObjectMeta(name: name, labels: labels, annotations: annotations),
            spec: NodeSpec(unschedulable: unschedulable),
            status: NodeStatus(conditions: [NodeCondition(type: .ready, status: .true)] + conditions))
    }

    static func condition(_ type: String, _ status: ConditionStatus = .true, since: Date) -> NodeCondition {
        NodeCondition(
            type: NodeConditionType(rawValue: type), status: status, lastHeartbeatTime: KubeTime(since),
            lastTransitionTime: KubeTime(since), reason: "Test", message: "set by a test")
    }

    static func pod(
        _ name: String, namespace: String = "default", node: String? = "n1", owner: String? = "ReplicaSet",
        labels: [String: String] = ["app": "web"], annotations: [String: String]? = nil, emptyDir: Bool = false,
        phase: PodPhase = .running, grace: Int64? = nil
    ) -> Pod {
        var meta = ObjectMeta(name: name, namespace: namespace, labels: labels, annotations: annotations)
        if let owner {
            meta.ownerReferences = [OwnerReference(apiVersion: "apps/v1", kind: owner, name: "\(name)-owner", uid: "uid-\(name)-owner", controller: true)]
        }
        var spec = PodSpec(containers: [Container(name: "app", image: "registry.example/app:1")])
        spec.nodeName = node
        spec.terminationGracePeriodSeconds = grace
        if emptyDir { spec.volumes = [Volume(name: "scratch", emptyDir: EmptyDirVolumeSource())] }
        return Pod(metadata: meta, spec: spec, status: PodStatus(phase: phase))
    }
}
