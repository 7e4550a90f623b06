import ClusterSim
import Foundation
import KubeModels
import MendTime

/// Builders for the simulation tests.
enum SimFixtures {
    static func node(_ name: String, cpu: String = "4", memory: String = "8Gi", pods: String = "110",
                     labels: [String: String] = [:], taints: [JSONValue] = [], unschedulable: Bool = false) -> JSONValue {
        var allLabels = labels
        allLabels["kubernetes.io/hostname"] = name
        var spec: JSONValue = [:]
        if !taints.isEmpty { spec["taints"] = .array(taints) }
        if unschedulable { spec["unschedulable"] = true }
        let resources: JSONValue = ["cpu": .string(cpu), "memory": .string(memory), "pods": .string(pods)]
        return [
            "apiVersion": "v1", "kind": "Node",
            "metadata": ["name": .string(name), "labels": .object(allLabels.mapValues { .string($0) })],
            "spec": spec,
            "status": ["capacity": resources, "allocatable": resources],
        ]
    }

    static func pod(_ name: String, namespace: String = "default", cpu: String? = nil, memory: String? = nil,
                    labels: [String: String] = [:], nodeName: String? = nil, nodeSelector: [String: String]? = nil,
                    tolerations: [JSONValue]? = nil, hostPort: Int64? = nil, antiAffinityTo: [String: String]? = nil,
                    grace: Int64? = nil) -> JSONValue {
        var container: JSONValue = ["name": "main", "image": "registry.k8s.io/pause:3.10"]
        var requests: [String: JSONValue] = [:]
        if let cpu { requests["cpu"] = .string(cpu) }
        if let memory { requests["memory"] = .string(memory) }
        if !requests.isEmpty { container["resources"] = ["requests": .object(requests)] }
        if let hostPort { container["ports"] = [["containerPort": .int(hostPort), "hostPort": .int(hostPort), "protocol": "TCP"]] }
        var spec: JSONValue = ["containers": [container]]
        if let nodeName { spec["nodeName"] = .string(nodeName) }
        if let nodeSelector { spec["nodeSelector"] = .object(nodeSelector.mapValues { .string($0) }) }
        if let tolerations { spec["tolerations"] = .array(tolerations) }
        if let grace { spec["terminationGracePeriodSeconds"] = .int(grace) }
        if let antiAffinityTo {
            spec["affinity"] = ["podAntiAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": [[
                "labelSelector": ["matchLabels": .object(antiAffinityTo.mapValues { .string($0) })],
                "topologyKey": "kubernetes.io/hostname",
            ]]]]
        }
        return [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": .string(name), "namespace": .string(namespace),
                         "labels": .object(labels.mapValues { .string($0) })],
            "spec": spec,
        ]
    }

    static func replicaSet(_ name: String, namespace: String = "default", replicas: Int64, cpu: String = "100m") -> JSONValue {
        [
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": [
                "replicas": .int(replicas),
                "selector": ["matchLabels": ["app": .string(name)]],
                "template": [
                    "metadata": ["labels": ["app": .string(name)]],
                    "spec": ["containers": [["name": "main", "image": "registry.k8s.io/pause:3.10",
                                             "resources": ["requests": ["cpu": .string(cpu)]]]]],
                ],
            ],
        ]
    }

    static func daemonSet(_ name: String, namespace: String = "kube-system", tolerations: [JSONValue] = []) -> JSONValue {
        var podSpec: JSONValue = ["containers": [["name": "agent", "image": "registry.k8s.io/pause:3.10"]]]
        if !tolerations.isEmpty { podSpec["tolerations"] = .array(tolerations) }
        return [
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": [
                "selector": ["matchLabels": ["app": .string(name)]],
                "template": ["metadata": ["labels": ["app": .string(name)]], "spec": podSpec],
            ],
        ]
    }

    /// A simulation on a manual clock with the chosen parts.
    static func simulation(clock: ManualClock = ManualClock(), kubelets: Bool = true, scheduler: Bool = true,
                           controllers: Bool = true, cloud: Bool = true, startDelay: Duration = .seconds(2),
                           graceScale: Double = 1, audit: AuditLog? = nil) -> ClusterSimulation {
        var configuration = ClusterSimulation.Configuration(clock: clock)
        configuration.runsKubelets = kubelets
        configuration.runsScheduler = scheduler
        configuration.runsReplicaSetController = controllers
        configuration.runsDaemonSetController = controllers
        configuration.runsCloud = cloud
        configuration.kubelets.podStartDelay = startDelay
        configuration.kubelets.gracePeriodScale = graceScale
        return ClusterSimulation(configuration, audit: audit)
    }
}

extension ClusterSimulation {
    var podsResource: ResourceDescriptor { store.resource("pods")! }
    var nodesResource: ResourceDescriptor { store.resource("nodes")! }

    func pod(_ name: String, namespace: String = "default") -> JSONValue? {
        try? store.get(podsResource, namespace: namespace, name: name)
    }

    func allPods(namespace: String? = nil) -> [JSONValue] {
        store.listValues(podsResource, filter: ObjectFilter(namespace: namespace))
    }

    func node(_ name: String) -> JSONValue? { try? store.get(nodesResource, namespace: nil, name: name) }

    func addNode(_ node: JSONValue) throws { try store.create(nodesResource, namespace: nil, object: node) }

    func addPod(_ pod: JSONValue) throws {
        try store.create(podsResource, namespace: pod[path: ["metadata", "namespace"]]?.stringValue, object: pod)
    }
}

extension JSONValue {
    var name: String { self[path: ["metadata", "name"]]?.stringValue ?? "" }
    var nodeName: String { self[path: ["spec", "nodeName"]]?.stringValue ?? "" }
    var phase: String { self[path: ["status", "phase"]]?.stringValue ?? "" }
    func condition(_ type: String) -> JSONValue? {
        self[path: ["status", "conditions"]]?.arrayValue?.first { $0["type"]?.stringValue == type }
    }
}
