import Foundation
import KubeModels

extension Scenario {
    /// The Kubernetes objects of the workloads: namespaces, ReplicaSets, PodDisruptionBudgets
    /// and DaemonSets, in creation order.
    public func objects() -> [JSONValue] {
        var objects: [JSONValue] = []
        let namespaces = Set(workloads.map(\.namespace) + daemonSets.map(\.namespace))
        for namespace in namespaces.sorted() {
            objects.append(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]])
        }
        for w in workloads {
            let labels = JSONValue.object(w.labels.mapValues { .string($0) })
            objects.append([
                "apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": ["name": .string(w.name), "namespace": .string(w.namespace), "labels": labels],
                "spec": [
                    "replicas": .int(Int64(w.replicas)),
                    "selector": ["matchLabels": labels],
                    "template": Self.template(labels: labels, image: w.image, requests: w.requests,
                                              nodeSelector: w.nodeSelector, tolerations: w.tolerations,
                                              grace: w.terminationGracePeriodSeconds),
                ],
            ])
            if let budget = w.budget {
                var spec: JSONValue = ["selector": ["matchLabels": labels]]
                switch budget {
                case .minAvailable(let v): spec["minAvailable"] = v
                case .maxUnavailable(let v): spec["maxUnavailable"] = v
                }
                objects.append([
                    "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                    "metadata": ["name": .string(w.name), "namespace": .string(w.namespace)], "spec": spec,
                ])
            }
        }
        for d in daemonSets {
            let labels = JSONValue.object(d.labels.mapValues { .string($0) })
            objects.append([
                "apiVersion": "apps/v1", "kind": "DaemonSet",
                "metadata": ["name": .string(d.name), "namespace": .string(d.namespace), "labels": labels],
                "spec": [
                    "selector": ["matchLabels": labels],
                    "template": Self.template(labels: labels, image: d.image, requests: d.requests,
                                              nodeSelector: d.nodeSelector, tolerations: d.tolerations, grace: 30),
                ],
            ])
        }
        return objects
    }

    private static func template(labels: JSONValue, image: String, requests: [String: Quantity],
                                 nodeSelector: [String: String], tolerations: [JSONValue], grace: Int) -> JSONValue {
        var container: JSONValue = ["name": "main", "image": .string(image)]
        if !requests.isEmpty {
            container["resources"] = ["requests": .object(requests.mapValues { .string($0.description) })]
        }
        var spec: JSONValue = ["containers": [container], "terminationGracePeriodSeconds": .int(Int64(grace))]
        if !nodeSelector.isEmpty { spec["nodeSelector"] = .object(nodeSelector.mapValues { .string($0) }) }
        if !tolerations.isEmpty { spec["tolerations"] = .array(tolerations) }
        return ["metadata": ["labels": labels], "spec": spec]
    }
}

extension ClusterSimulation {
    /// Loads a snapshot file (`kubectl get nodes,pods,pdb -A -o yaml`) into the store.
    @discardableResult
    public func loadSnapshot(path: String) throws(SimulationLoadError) -> SnapshotLoader.Summary {
        try SnapshotLoader.load(path: path, into: store)
    }

    /// Loads a scenario file: its node groups go to the cloud (their initial nodes already
    /// booted) and its workloads to the store.
    public func loadScenario(path: String) throws(SimulationLoadError) {
        try load(Scenario.load(path: path), file: path)
    }

    /// Applies a parsed scenario; `file` names it in errors.
    public func load(_ scenario: Scenario, file: String) throws(SimulationLoadError) {
        guard let cloud else { throw .partDisabled(file: file, part: "cloud") }
        for (i, group) in scenario.nodeGroups.enumerated() {
            do {
                try cloud.addNodeGroup(group, startBooted: true)
            } catch {
                throw .invalidField(file: file, field: "nodeGroups[\(i)].name", value: "\"\(group.name)\"", expected: "a group that does not exist yet (\(error))")
            }
        }
        _ = try SnapshotLoader.load(documents: [["apiVersion": "v1", "kind": "List", "items": .array(scenario.objects())]],
                                    file: file, into: store)
    }
}
