import ClusterSim
import Foundation
import KubeModels
import MendTime
import Testing

@Suite("Loading snapshots and scenarios")
struct SimLoadingTests {
    static let snapshotYAML = """
        apiVersion: v1
        kind: List
        metadata:
          resourceVersion: ""
        items:
        - apiVersion: v1
          kind: Node
          metadata:
            name: ip-10-0-1-10.ec2.internal
            uid: 0b5e4c2a-node
            resourceVersion: "1234"
            labels:
              kubernetes.io/hostname: ip-10-0-1-10.ec2.internal
          spec:
            providerID: aws:///us-east-1a/i-0abc
          status:
            capacity: {cpu: "2", memory: 8Gi, pods: "29"}
            allocatable: {cpu: 1930m, memory: 7Gi, pods: "29"}
            conditions:
            - type: Ready
              status: "True"
              reason: KubeletReady
        - apiVersion: apps/v1
          kind: ReplicaSet
          metadata:
            name: web-5d9c
            namespace: shop
            uid: old-rs-uid
          spec:
            replicas: 1
            selector: {matchLabels: {app: web}}
            template:
              metadata: {labels: {app: web}}
              spec:
                containers: [{name: main, image: nginx}]
        - apiVersion: v1
          kind: Pod
          metadata:
            name: web-5d9c-abcde
            namespace: shop
            uid: old-pod-uid
            labels: {app: web}
            ownerReferences:
            - {apiVersion: apps/v1, kind: ReplicaSet, name: web-5d9c, uid: old-rs-uid, controller: true}
          spec:
            nodeName: ip-10-0-1-10.ec2.internal
            containers:
            - name: main
              image: nginx
              ports: [{containerPort: 80, protocol: TCP}]
          status:
            phase: Running
            podIP: 10.0.1.55
        - apiVersion: policy/v1
          kind: PodDisruptionBudget
          metadata: {name: web, namespace: shop}
          spec:
            minAvailable: 1
            selector: {matchLabels: {app: web}}
        """

    @Test func kubectlListSnapshotLoadsWithStatusAndRepointedOwners() throws {
        let sim = SimFixtures.simulation(kubelets: false, scheduler: false, controllers: false, cloud: false)
        let summary = try SnapshotLoader.load(text: Self.snapshotYAML, file: "cluster.yaml", into: sim.store)

        #expect(summary.created == ["Node": 1, "ReplicaSet": 1, "Pod": 1, "PodDisruptionBudget": 1])
        #expect(summary.namespacesCreated == ["shop"])
        let pod = try #require(sim.pod("web-5d9c-abcde", namespace: "shop"))
        #expect(pod.phase == "Running")
        #expect(pod[path: ["status", "podIP"]]?.stringValue == "10.0.1.55")
        #expect(pod[path: ["spec", "containers"]]?.arrayValue?.first?["ports"]?.arrayValue?.first?["containerPort"]?.intValue == 80)
        let rs = try sim.store.get(sim.store.resource("replicasets", group: "apps")!, namespace: "shop", name: "web-5d9c")
        let ownerUID = pod[path: ["metadata", "ownerReferences"]]?.arrayValue?.first?["uid"]?.stringValue
        #expect(ownerUID == rs[path: ["metadata", "uid"]]?.stringValue)
        #expect(ownerUID != "old-rs-uid")
        let node = try #require(sim.node("ip-10-0-1-10.ec2.internal"))
        #expect(node.condition("Ready")?["status"]?.stringValue == "True")
        #expect(node[path: ["status", "allocatable", "cpu"]]?.stringValue == "1930m")
    }

    @Test func loadedReplicaSetAdoptsItsSnapshotPodInsteadOfMakingANewOne() throws {
        let sim = SimFixtures.simulation(cloud: false, startDelay: .zero)
        try SnapshotLoader.load(text: Self.snapshotYAML, file: "cluster.yaml", into: sim.store)
        try sim.settle()
        #expect(sim.allPods(namespace: "shop").count == 1)
    }

    @Test func jsonSnapshotLoadsToo() throws {
        let sim = SimFixtures.simulation(kubelets: false, scheduler: false, controllers: false, cloud: false)
        let json = """
            {"apiVersion":"v1","kind":"List","items":[
              {"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"},"status":{"allocatable":{"cpu":"4"}}},
              {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default"},
               "spec":{"containers":[{"name":"c","image":"i"}]}}
            ]}
            """
        let summary = try SnapshotLoader.load(text: json, file: "cluster.json", into: sim.store)
        #expect(summary.created == ["Node": 1, "Pod": 1])
        #expect(sim.pod("p") != nil)
    }

    @Test func snapshotWithAnUnservedKindIsRefusedBeforeAnythingIsCreated() throws {
        let sim = SimFixtures.simulation(kubelets: false, scheduler: false, controllers: false, cloud: false)
        let text = """
            apiVersion: v1
            kind: List
            items:
            - {apiVersion: v1, kind: Node, metadata: {name: n1}}
            - {apiVersion: networking.k8s.io/v1, kind: Ingress, metadata: {name: web}}
            """
        #expect(throws: SimulationLoadError.unsupportedKind(file: "bad.yaml", item: "items[1]", kind: "networking.k8s.io/v1 Ingress")) {
            try SnapshotLoader.load(text: text, file: "bad.yaml", into: sim.store)
        }
        #expect(sim.store.listValues(sim.nodesResource).isEmpty)
    }

    @Test func snapshotThatIsNotYAMLNamesTheFile() throws {
        let sim = SimFixtures.simulation(kubelets: false, scheduler: false, controllers: false, cloud: false)
        do {
            try SnapshotLoader.load(text: "{\"kind\": \"List\", \"items\": [{\"a\": 1}", file: "broken.yaml", into: sim.store)
            Issue.record("expected a syntax error")
        } catch {
            guard case .syntax(let file, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(file == "broken.yaml")
            #expect(error.description.hasPrefix("broken.yaml: not valid YAML or JSON"))
        }
    }

    @Test func missingSnapshotFileIsReportedAsUnreadable() throws {
        let sim = SimFixtures.simulation()
        #expect {
            try sim.loadSnapshot(path: "/nonexistent/cluster.yaml")
        } throws: { error in
            guard case .unreadable(let file, _) = error as? SimulationLoadError else { return false }
            return file == "/nonexistent/cluster.yaml"
        }
    }

    static var exampleScenarioPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/scenarios/small.yaml").path
    }

    @Test func exampleScenarioBuildsTheClusterItDescribes() throws {
        let clock = ManualClock()
        let sim = SimFixtures.simulation(clock: clock, startDelay: .seconds(1))
        try sim.loadScenario(path: Self.exampleScenarioPath)
        try sim.advance(clock, by: .seconds(2))

        let nodes = sim.store.listValues(sim.nodesResource)
        #expect(nodes.count == 3)
        #expect(nodes.allSatisfy { $0[path: ["status", "allocatable", "cpu"]]?.stringValue == "1930m" })
        let group = try #require(sim.cloud?.nodeGroup("general"))
        #expect(group.minSize == 1 && group.maxSize == 6 && group.desiredCapacity == 3)
        #expect(group.spec.bootDelay == .seconds(90))
        let shop = sim.allPods(namespace: "shop")
        #expect(shop.count == 4)
        #expect(shop.allSatisfy { $0.phase == "Running" })
        #expect(sim.allPods(namespace: "batch").count == 2)
        #expect(sim.allPods(namespace: "kube-system").count == 3)
        let pdb = try sim.store.get(sim.store.resource("poddisruptionbudgets", group: "policy")!, namespace: "shop", name: "web")
        #expect(pdb[path: ["spec", "maxUnavailable"]]?.intValue == 1)
        let worker = try #require(sim.allPods(namespace: "batch").first)
        #expect(worker[path: ["spec", "terminationGracePeriodSeconds"]]?.intValue == 60)
        #expect(worker[path: ["spec", "containers"]]?.arrayValue?.first?[path: ["resources", "requests", "memory"]]?.stringValue == "1Gi")
    }

    struct BadScenario: Sendable, CustomTestStringConvertible {
        var label: String
        var text: String
        var error: SimulationLoadError
        var testDescription: String { label }
    }

    static let badScenarios: [BadScenario] = [
        BadScenario(label: "bad quantity", text: """
            nodeGroups:
              - {name: general, count: 1, capacity: {cpu: two, memory: 8Gi}}
            """, error: .invalidField(file: "s.yaml", field: "nodeGroups[0].capacity.cpu", value: "\"two\"",
                                      expected: "a non-negative Kubernetes quantity such as 2, 500m or 8Gi")),
        BadScenario(label: "unknown field", text: """
            nodeGroups:
              - {name: general, count: 1, capacity: {cpu: 2, memory: 8Gi}}
            workloads:
              - {name: web, replica: 3}
            """, error: .unknownField(file: "s.yaml", field: "workloads[0].replica", allowed: [
                "name", "namespace", "replicas", "requests", "image", "labels", "nodeSelector", "tolerations",
                "terminationGracePeriodSeconds", "pdb",
            ])),
        BadScenario(label: "count above max", text: """
            nodeGroups:
              - {name: general, count: 5, maxSize: 3, capacity: {cpu: 2, memory: 8Gi}}
            """, error: .invalidField(file: "s.yaml", field: "nodeGroups[0].count", value: "5", expected: "at most maxSize (3)")),
        BadScenario(label: "missing capacity", text: """
            nodeGroups:
              - {name: general, count: 1}
            """, error: .missingField(file: "s.yaml", field: "nodeGroups[0].capacity",
                                      expected: "resource quantities including cpu and memory")),
        BadScenario(label: "bad taint effect", text: """
            nodeGroups:
              - {name: general, capacity: {cpu: 2, memory: 8Gi}, taints: [{key: a, effect: NoWay}]}
            """, error: .invalidField(file: "s.yaml", field: "nodeGroups[0].taints[0].effect", value: "\"NoWay\"",
                                      expected: "NoSchedule, PreferNoSchedule or NoExecute")),
        BadScenario(label: "both pdb bounds", text: """
            nodeGroups:
              - {name: general, capacity: {cpu: 2, memory: 8Gi}}
            workloads:
              - {name: web, replicas: 2, pdb: {minAvailable: 1, maxUnavailable: 1}}
            """, error: .invalidField(file: "s.yaml", field: "workloads[0].pdb", value: "2 bounds",
                                      expected: "exactly one of minAvailable or maxUnavailable, as an integer or a percentage such as \"50%\"")),
        BadScenario(label: "bad duration", text: """
            nodeGroups:
              - {name: general, bootDelay: soon, capacity: {cpu: 2, memory: 8Gi}}
            """, error: .invalidField(file: "s.yaml", field: "nodeGroups[0].bootDelay", value: "\"soon\"",
                                      expected: "a duration such as 90s, 2m, 1m30s or 500ms")),
        BadScenario(label: "bad name", text: """
            nodeGroups:
              - {name: General_Nodes, capacity: {cpu: 2, memory: 8Gi}}
            """, error: .invalidField(file: "s.yaml", field: "nodeGroups[0].name", value: "\"General_Nodes\"",
                                      expected: "a lowercase name of letters, digits and '-' (at most 63 characters, starting and ending with a letter or digit)")),
        BadScenario(label: "no node groups", text: "workloads: []", error: .missingField(
            file: "s.yaml", field: "nodeGroups", expected: "at least one node group")),
    ]

    @Test(arguments: badScenarios)
    func badScenarioIsRefusedWithFileFieldValueAndExpectationAndCreatesNothing(_ bad: BadScenario) throws {
        #expect(throws: bad.error) { try Scenario.parse(bad.text, file: "s.yaml") }
        let sim = SimFixtures.simulation()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("s-\(UUID().uuidString).yaml").path
        try bad.text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: SimulationLoadError.self) { try sim.loadScenario(path: path) }
        #expect(sim.cloud?.nodeGroups().isEmpty == true)
        #expect(sim.allPods().isEmpty)
    }

    @Test func errorMessagesReadAsOneActionableLine() {
        let error = SimulationLoadError.invalidField(file: "small.yaml", field: "nodeGroups[0].capacity.cpu", value: "\"two\"",
                                                     expected: "a Kubernetes quantity")
        #expect(error.description == "small.yaml: nodeGroups[0].capacity.cpu: invalid value \"two\": expected a Kubernetes quantity")
    }
}
