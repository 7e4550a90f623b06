#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import Autoscaler
import KubeModels
import Scheduling

/// Hand-built nodes, pods and groups for the autoscaler's tests.
enum Fixture {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func resources(cpu: Int64, memoryMiB: Int64 = 0, pods: Int64 = 0) -> ResourceVector {
        ResourceVector(milliCPU: cpu, memory: memoryMiB << 20, pods: pods)
    }

    /// A ready node of `group` on instance `i-<name>`.
    static func node(
        _ name: String, group: String? = nil, cpu: Int64 = 1000, memoryMiB: Int64 = 4096, pods: Int64 = 110,
        labels: [String: String] = [:], taints: [Taint]? = nil, ready: Bool = true, unschedulable: Bool? = nil,
        annotations: [String: String]? = nil, created: Date = now.addingTimeInterval(-86_400)
    ) -> Node {
        let allocatable: [String: Quantity] = [
            "cpu": Quantity(milli: cpu), "memory": Quantity(memoryMiB << 20), "pods": Quantity(pods),
        ]
        return Node(
            metadata: ObjectMeta(
                name: name, creationTimestamp: KubeTime(created),
                labels: labels.merging([NodeLabels.hostname: name]) { a, _ in a }, annotations: annotations),
            spec: NodeSpec(
                providerID: group == nil ? nil : "aws:///us-east-1a/i-\(name)", unschedulable: unschedulable,
                taints: taints),
            status: NodeStatus(
                capacity: allocatable, allocatable: allocatable,
                conditions: [NodeCondition(type: .ready, status: ready ? .true : .false)]))
    }

    /// A pod summary; pending (unschedulable) unless `node` is given.
    static func pod(
        _ name: String, namespace: String = "default", cpu: Int64 = 100, memoryMiB: Int64 = 0, node: String? = nil,
        owner: String? = "ReplicaSet", priority: Int32 = 0, created: Date = now.addingTimeInterval(-60),
        nodeSelector: [String: String] = [:], tolerations: [Toleration] = []
    ) -> PodSummary {
        var pod = PodSummary(Pod(metadata: ObjectMeta(name: name, namespace: namespace)))
        pod.requests = ResourceVector(milliCPU: cpu, memory: memoryMiB << 20)
        pod.nodeName = node
        pod.phase = node == nil ? .pending : .running
        pod.isUnschedulable = node == nil
        pod.controllerKind = owner
        pod.controllerName = owner.map { _ in "\(name)-owner" }
        pod.priority = priority
        pod.creationTimestamp = KubeTime(created)
        pod.nodeSelector = nodeSelector
        pod.tolerations = tolerations
        return pod
    }

    /// A group whose instances are `i-<node>` for each node name given.
    static func group(
        _ id: String, min: Int = 0, max: Int = 10, desired: Int? = nil, nodes: [String] = [],
        types: [InstanceShape] = [InstanceShape(name: "m5.large", vCPUs: 2, memoryMiB: 8192, maxPods: 29)],
        tags: NodeTemplateTags = NodeTemplateTags()
    ) -> NodeGroup {
        NodeGroup(
            id: id, minSize: min, maxSize: max, desiredCapacity: desired ?? nodes.count,
            instances: nodes.map { GroupInstance(id: "i-\($0)", zone: "us-east-1a") },
            templateSource: TemplateSource(instanceTypes: types, tags: tags, zones: ["us-east-1a"]))
    }

    /// A plain template node: `cpu` millicores, `pods` pod slots, 64 GiB.
    static func template(cpu: Int64, pods: Int64, memoryMiB: Int64 = 65536, group: String = "g") -> NodeTemplate {
        NodeTemplate(
            group: group,
            node: SchedulingNode(name: "template-\(group)", allocatable: resources(cpu: cpu, memoryMiB: memoryMiB, pods: pods)),
            origin: .tags)
    }

    static func schedulingPod(_ name: String, cpu: Int64, memoryMiB: Int64 = 0) -> SchedulingPod {
        SchedulingPod(namespace: "default", name: name, requests: resources(cpu: cpu, memoryMiB: memoryMiB))
    }
}
