import ClusterSim
import Foundation
import KubeModels
import MendTime
import Testing

@Suite("Simulated workload controllers")
struct SimControllerTests {
    private func replicaSets(_ sim: ClusterSimulation) -> ResourceDescriptor { sim.store.resource("replicasets", group: "apps")! }
    private func daemonSets(_ sim: ClusterSimulation) -> ResourceDescriptor { sim.store.resource("daemonsets", group: "apps")! }

    private func owned(_ sim: ClusterSimulation, by owner: JSONValue) -> [JSONValue] {
        let uid = owner[path: ["metadata", "uid"]]?.stringValue
        return sim.allPods().filter { pod in
            (pod[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []).contains { $0["uid"]?.stringValue == uid }
        }
    }

    @Test func replicaSetKeepsItsReplicasRunningAndReportsStatus() throws {
        let sim = SimFixtures.simulation(startDelay: .zero, graceScale: 0)
        try sim.addNode(SimFixtures.node("n1"))
        try sim.addNode(SimFixtures.node("n2"))
        let rs = try sim.store.create(replicaSets(sim), namespace: "default", object: SimFixtures.replicaSet("web", replicas: 3))
        try sim.settle()

        let pods = owned(sim, by: rs)
        #expect(pods.count == 3)
        #expect(pods.allSatisfy { $0.phase == "Running" && $0.name.hasPrefix("web-") })
        let reference = try #require(pods.first?[path: ["metadata", "ownerReferences"]]?.arrayValue?.first)
        #expect(reference["controller"]?.boolValue == true)
        #expect(reference["kind"]?.stringValue == "ReplicaSet")
        let status = try #require(try sim.store.get(replicaSets(sim), namespace: "default", name: "web")["status"])
        #expect(status["replicas"]?.intValue == 3)
        #expect(status["readyReplicas"]?.intValue == 3)
        #expect(status["availableReplicas"]?.intValue == 3)
    }

    @Test func evictedReplicaIsRecreatedAndScheduledElsewhereWhenItsNodeIsCordoned() throws {
        let sim = SimFixtures.simulation(startDelay: .zero, graceScale: 0)
        try sim.addNode(SimFixtures.node("n1"))
        try sim.addNode(SimFixtures.node("n2"))
        let rs = try sim.store.create(replicaSets(sim), namespace: "default", object: SimFixtures.replicaSet("web", replicas: 2))
        try sim.settle()
        let victim = try #require(owned(sim, by: rs).first)
        let drained = victim.nodeName
        try sim.store.modify(sim.nodesResource, namespace: nil, name: drained) { node in
            var node = node
            node["spec"]?["unschedulable"] = true
            return node
        }

        try sim.store.evict(namespace: "default", name: victim.name)
        try sim.settle()

        let pods = owned(sim, by: rs)
        #expect(pods.count == 2)
        #expect(!pods.contains { $0.name == victim.name })
        #expect(pods.allSatisfy { $0.phase == "Running" })
        let replacement = try #require(pods.first { $0.name != victim.name && $0.nodeName != drained } ?? pods.last)
        #expect(replacement.nodeName != drained)
    }

    @Test func scalingDownDeletesTheExtraReplicas() throws {
        let sim = SimFixtures.simulation(startDelay: .zero, graceScale: 0)
        try sim.addNode(SimFixtures.node("n1"))
        let rs = try sim.store.create(replicaSets(sim), namespace: "default", object: SimFixtures.replicaSet("web", replicas: 4))
        try sim.settle()
        try sim.store.modify(replicaSets(sim), namespace: "default", name: "web") { rs in
            var rs = rs
            rs["spec"]?["replicas"] = 1
            return rs
        }
        try sim.settle()
        #expect(owned(sim, by: rs).count == 1)
        #expect(try sim.store.get(replicaSets(sim), namespace: "default", name: "web")[path: ["status", "replicas"]]?.intValue == 1)
    }

    @Test func daemonSetRunsOnePodOnEveryEligibleNodeIncludingANewOne() throws {
        let sim = SimFixtures.simulation(startDelay: .zero, graceScale: 0)
        try sim.addNode(SimFixtures.node("n1"))
        try sim.addNode(SimFixtures.node("cordoned", unschedulable: true))
        try sim.addNode(SimFixtures.node("gpu", taints: [["key": "dedicated", "value": "gpu", "effect": "NoSchedule"]]))
        let ds = try sim.store.create(daemonSets(sim), namespace: "kube-system", object: SimFixtures.daemonSet("agent"))
        try sim.settle()

        var pods = owned(sim, by: ds)
        #expect(Set(pods.map(\.nodeName)) == ["n1", "cordoned"])
        #expect(pods.allSatisfy { $0.phase == "Running" })
        let tolerations = pods.first?[path: ["spec", "tolerations"]]?.arrayValue ?? []
        #expect(tolerations.contains { $0["key"]?.stringValue == "node.kubernetes.io/unschedulable" })
        let pinned = pods.first?[path: ["spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
                                        "nodeSelectorTerms"]]?.arrayValue?.first?["matchFields"]
        #expect(pinned != nil)

        try sim.addNode(SimFixtures.node("n3"))
        try sim.settle()
        pods = owned(sim, by: ds)
        #expect(pods.map(\.nodeName).sorted() == ["cordoned", "n1", "n3"])
        let status = try #require(try sim.store.get(daemonSets(sim), namespace: "kube-system", name: "agent")["status"])
        #expect(status["desiredNumberScheduled"]?.intValue == 3)
        #expect(status["numberReady"]?.intValue == 3)
    }

    @Test func daemonSetPodOfARemovedNodeIsNotReplacedElsewhere() throws {
        let sim = SimFixtures.simulation(startDelay: .zero, graceScale: 0)
        try sim.addNode(SimFixtures.node("n1"))
        try sim.addNode(SimFixtures.node("n2"))
        let ds = try sim.store.create(daemonSets(sim), namespace: "kube-system", object: SimFixtures.daemonSet("agent"))
        try sim.settle()
        try sim.store.delete(sim.nodesResource, namespace: nil, name: "n2")
        try sim.settle()
        #expect(owned(sim, by: ds).map(\.nodeName) == ["n1"])
    }
}
