import KubeModels

@testable import Scheduling

/// Small constructors so each test states only what matters to it.
func node(
    _ name: String = "n1", cpu: Int64 = 4000, memory: Int64 = 8 << 30, pods: Int64 = 110,
    labels: [String: String] = [:],
    unschedulable: Bool = false, taints: [Taint] = [], scalars: [ScalarResource] = []
) -> SchedulingNode {
    SchedulingNode(
        name: name, labels: labels.merging(["kubernetes.io/hostname": name]) { a, _ in a },
        unschedulable: unschedulable,
        taints: taints,
        allocatable: ResourceVector(
            milliCPU: cpu, memory: memory, ephemeralStorage: 20 << 30, pods: pods, scalars: scalars))
}

func pod(
    _ name: String = "p", namespace: String = "default", cpu: Int64 = 100, memory: Int64 = 128 << 20,
    labels: [String: String] = [:], tolerations: [Toleration] = [], nodeSelector: [String: String] = [:],
    affinity: NodeSelector? = nil, hostPorts: [HostPort] = [], antiAffinity: [AffinityTerm] = [],
    scalars: [ScalarResource] = [], nodeName: String? = nil
) -> SchedulingPod {
    SchedulingPod(
        namespace: namespace, name: name, labels: labels, nodeName: nodeName,
        requests: ResourceVector(milliCPU: cpu, memory: memory, scalars: scalars), tolerations: tolerations,
        nodeSelector: nodeSelector, requiredNodeAffinity: affinity, hostPorts: hostPorts,
        antiAffinityTerms: antiAffinity)
}

func affinity(_ requirements: NodeSelectorRequirement..., fields: [NodeSelectorRequirement]? = nil) -> NodeSelector {
    NodeSelector(nodeSelectorTerms: [NodeSelectorTerm(matchExpressions: requirements, matchFields: fields)])
}

func antiAffinity(_ labels: [String: String], namespaces: Set<String> = ["default"]) -> AffinityTerm {
    AffinityTerm(selector: LabelSelector(matchLabels: labels), namespaces: namespaces)
}
