import ClusterSim
import Foundation
import KubeModels
import MendTime
import Testing

@Suite("Simulated kubelets")
struct SimKubeletTests {
    @Test func boundPodBecomesRunningAndReadyOnlyAfterTheStartDelay() throws {
        let clock = ManualClock()
        let audit = AuditLog()
        let sim = SimFixtures.simulation(clock: clock, controllers: false, cloud: false, startDelay: .seconds(5), audit: audit)
        try sim.addNode(SimFixtures.node("n1"))
        try sim.addPod(SimFixtures.pod("web", cpu: "100m"))

        try sim.settle()
        #expect(sim.pod("web")?.nodeName == "n1")
        #expect(sim.pod("web")?.phase == "Pending")

        try sim.advance(clock, by: .seconds(4))
        #expect(sim.pod("web")?.phase == "Pending")
        try sim.advance(clock, by: .seconds(1))

        let pod = try #require(sim.pod("web"))
        #expect(pod.phase == "Running")
        for type in ["Initialized", "ContainersReady", "Ready", "PodScheduled"] {
            #expect(pod.condition(type)?["status"]?.stringValue == "True", "condition \(type)")
        }
        #expect(pod[path: ["status", "startTime"]]?.stringValue != nil)
        #expect(pod[path: ["status", "hostIP"]]?.stringValue?.isEmpty == false)
        #expect(pod[path: ["status", "podIP"]]?.stringValue?.isEmpty == false)
        let containers = try #require(pod[path: ["status", "containerStatuses"]]?.arrayValue)
        #expect(containers.count == 1)
        #expect(containers.first?["ready"]?.boolValue == true)
        #expect(audit.entries.contains { $0.user == "system:node:n1" && $0.subresource == "status" && $0.name == "web" })
    }

    @Test func gracefulDeletionIsFinishedOnlyAfterTheGracePeriod() throws {
        let clock = ManualClock()
        let sim = SimFixtures.simulation(clock: clock, controllers: false, cloud: false, startDelay: .zero)
        try sim.addNode(SimFixtures.node("n1"))
        try sim.addPod(SimFixtures.pod("web", grace: 30))
        try sim.settle()
        #expect(sim.pod("web")?.phase == "Running")

        try sim.store.delete(sim.podsResource, namespace: "default", name: "web")
        try sim.settle()
        #expect(sim.pod("web")?[path: ["metadata", "deletionTimestamp"]] != nil)

        try sim.advance(clock, by: .seconds(29))
        #expect(sim.pod("web") != nil)
        try sim.advance(clock, by: .seconds(1))
        #expect(sim.pod("web") == nil)
    }

    @Test func gracePeriodScaleZeroFinishesDeletionsAtOnce() throws {
        let sim = SimFixtures.simulation(controllers: false, cloud: false, startDelay: .zero, graceScale: 0)
        try sim.addNode(SimFixtures.node("n1"))
        try sim.addPod(SimFixtures.pod("web", grace: 600))
        try sim.settle()
        try sim.store.delete(sim.podsResource, namespace: "default", name: "web")
        try sim.settle()
        #expect(sim.pod("web") == nil)
    }

    @Test func nodeStatusIsPostedWithAHeartbeatThatMovesWithTheClock() throws {
        let clock = ManualClock()
        let sim = SimFixtures.simulation(clock: clock, scheduler: false, controllers: false, cloud: false)
        try sim.addNode(["apiVersion": "v1", "kind": "Node", "metadata": ["name": "bare"]])
        try sim.settle()

        let node = try #require(sim.node("bare"))
        let ready = try #require(node.condition("Ready"))
        #expect(ready["status"]?.stringValue == "True")
        #expect(ready["reason"]?.stringValue == "KubeletReady")
        #expect(node[path: ["status", "allocatable", "cpu"]]?.stringValue == "4")
        #expect(node[path: ["status", "capacity", "pods"]]?.stringValue == "110")
        let firstBeat = try #require(ready["lastHeartbeatTime"]?.stringValue)

        try sim.advance(clock, by: .seconds(10))
        let laterBeat = try #require(sim.node("bare")?.condition("Ready")?["lastHeartbeatTime"]?.stringValue)
        #expect(laterBeat > firstBeat)
        #expect(sim.node("bare")?.condition("Ready")?["lastTransitionTime"]?.stringValue == ready["lastTransitionTime"]?.stringValue)
    }

    @Test func conditionsOfOtherWritersAreKeptByTheHeartbeat() throws {
        let clock = ManualClock()
        let sim = SimFixtures.simulation(clock: clock, scheduler: false, controllers: false, cloud: false)
        var node = SimFixtures.node("n1")
        node["status"]?["conditions"] = [["type": "KernelDeadlock", "status": "True", "reason": "DockerHung"]]
        try sim.addNode(node)
        try sim.advance(clock, by: .seconds(20))
        #expect(sim.node("n1")?.condition("KernelDeadlock")?["status"]?.stringValue == "True")
        #expect(sim.node("n1")?.condition("Ready")?["status"]?.stringValue == "True")
    }

    @Test func stoppedKubeletTurnsTheNodeUnknownAfterTheGracePeriodAndRecoversWhenStarted() throws {
        let clock = ManualClock()
        let sim = SimFixtures.simulation(clock: clock, scheduler: false, controllers: false, cloud: false)
        try sim.addNode(SimFixtures.node("n1"))
        try sim.settle()
        let kubelets = try #require(sim.kubelets)
        kubelets.stopKubelet(node: "n1")

        try sim.advance(clock, by: .seconds(30))
        #expect(sim.node("n1")?.condition("Ready")?["status"]?.stringValue == "True")
        try sim.advance(clock, by: .seconds(15))
        let node = try #require(sim.node("n1"))
        #expect(node.condition("Ready")?["status"]?.stringValue == "Unknown")
        #expect(node.condition("Ready")?["reason"]?.stringValue == "NodeStatusUnknown")
        let taints = node[path: ["spec", "taints"]]?.arrayValue ?? []
        #expect(taints.contains { $0["key"]?.stringValue == "node.kubernetes.io/unreachable" })

        kubelets.startKubelet(node: "n1")
        try sim.settle()
        let healed = try #require(sim.node("n1"))
        #expect(healed.condition("Ready")?["status"]?.stringValue == "True")
        #expect((healed[path: ["spec", "taints"]]?.arrayValue ?? []).isEmpty)
    }

    @Test func podsOnAStoppedKubeletDoNotStart() throws {
        let clock = ManualClock()
        let sim = SimFixtures.simulation(clock: clock, controllers: false, cloud: false, startDelay: .zero)
        try sim.addNode(SimFixtures.node("n1"))
        sim.kubelets?.stopKubelet(node: "n1")
        try sim.addPod(SimFixtures.pod("web", nodeName: "n1"))
        try sim.advance(clock, by: .seconds(5))
        #expect(sim.pod("web")?.phase == "Pending")
    }

    @Test func injectedKernelLinesAreKeptInOrderAsKmsgRecords() throws {
        let clock = ManualClock()
        let sim = SimFixtures.simulation(clock: clock, scheduler: false, controllers: false, cloud: false)
        try sim.addNode(SimFixtures.node("n1"))
        try sim.settle()
        let kubelets = try #require(sim.kubelets)
        clock.advance(by: .seconds(2))
        let first = kubelets.inject(node: "n1", line: "INFO: task kworker/0:1:123 blocked for more than 120 seconds.")
        clock.advance(by: .milliseconds(500))
        let second = kubelets.inject(node: "n1", line: "eth0: link up", level: .info)

        #expect(first.sequence == 0)
        #expect(second.sequence == 1)
        #expect(first.microsecondsSinceBoot == 2_000_000)
        #expect(second.microsecondsSinceBoot == 2_500_000)
        #expect(first.description == "3,0,2000000,-;INFO: task kworker/0:1:123 blocked for more than 120 seconds.")
        let log = kubelets.kernelLog(node: "n1")
        #expect(log.records == [first, second])
        #expect(log.records(from: 1) == [second])
        #expect(log.records(from: 2).isEmpty)
    }

    @Test func podsOfADeletedNodeAreGarbageCollected() throws {
        let sim = SimFixtures.simulation(controllers: false, cloud: false, startDelay: .zero)
        try sim.addNode(SimFixtures.node("n1"))
        try sim.addPod(SimFixtures.pod("web", nodeName: "n1"))
        try sim.settle()
        try sim.store.delete(sim.nodesResource, namespace: nil, name: "n1")
        try sim.settle()
        #expect(sim.pod("web") == nil)
    }
}
