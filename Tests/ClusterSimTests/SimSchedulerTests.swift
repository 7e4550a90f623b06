import ClusterSim
import Foundation
import KubeModels
import MendTime
import Testing

@Suite("Simulated scheduler")
struct SimSchedulerTests {
    private func schedulerOnly(audit: AuditLog? = nil) -> ClusterSimulation {
        SimFixtures.simulation(kubelets: false, controllers: false, cloud: false, audit: audit)
    }

    @Test func pendingPodIsBoundToTheLeastAllocatedFeasibleNodeThroughTheBindingSubresource() throws {
        let audit = AuditLog()
        let sim = schedulerOnly(audit: audit)
        try sim.addNode(SimFixtures.node("busy", cpu: "4"))
        try sim.addNode(SimFixtures.node("idle", cpu: "4"))
        try sim.addPod(SimFixtures.pod("resident", cpu: "3", nodeName: "busy"))
        try sim.addPod(SimFixtures.pod("web", cpu: "500m"))

        try sim.settle()

        let pod = try #require(sim.pod("web"))
        #expect(pod.nodeName == "idle")
        #expect(pod.condition("PodScheduled")?["status"]?.stringValue == "True")
        let binding = try #require(audit.entries.first { $0.subresource == "binding" && $0.name == "web" })
        #expect(binding.user == "system:kube-scheduler")
        #expect(binding.code == 200)
    }

    @Test func podThatFitsNowhereGetsUnschedulableConditionAndOneFailedSchedulingEvent() throws {
        let sim = schedulerOnly()
        try sim.addNode(SimFixtures.node("a", cpu: "1"))
        try sim.addNode(SimFixtures.node("b", cpu: "1"))
        try sim.addPod(SimFixtures.pod("big", cpu: "2"))

        try sim.settle()
        try sim.settle()  // A second pass with the same outcome writes nothing new.

        let pod = try #require(sim.pod("big"))
        #expect(pod.nodeName.isEmpty)
        let condition = try #require(pod.condition("PodScheduled"))
        #expect(condition["status"]?.stringValue == "False")
        #expect(condition["reason"]?.stringValue == "Unschedulable")
        #expect(condition["message"]?.stringValue == "0/2 nodes are available: 2 Insufficient cpu.")
        let events = sim.store.listValues(sim.store.resource("events")!, filter: ObjectFilter(namespace: "default"))
        #expect(events.count == 1)
        #expect(events.first?["reason"]?.stringValue == "FailedScheduling")
        #expect(events.first?["type"]?.stringValue == "Warning")
        #expect(events.first?[path: ["involvedObject", "name"]]?.stringValue == "big")
        #expect(events.first?["message"]?.stringValue == "0/2 nodes are available: 2 Insufficient cpu.")
    }

    /// One case per predicate: the node, the pod, and the scheduler's message.
    struct PredicateCase: Sendable, CustomTestStringConvertible {
        var label: String
        var node: JSONValue
        var resident: JSONValue?
        var pod: JSONValue
        var message: String
        var testDescription: String { label }
    }

    static let predicateCases: [PredicateCase] = [
        PredicateCase(label: "cordoned", node: SimFixtures.node("n", unschedulable: true), pod: SimFixtures.pod("p"),
                      message: "0/1 nodes are available: 1 node(s) were unschedulable."),
        PredicateCase(label: "taint", node: SimFixtures.node("n", taints: [["key": "dedicated", "value": "gpu", "effect": "NoSchedule"]]),
                      pod: SimFixtures.pod("p"),
                      message: "0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}."),
        PredicateCase(label: "node selector", node: SimFixtures.node("n", labels: ["disk": "hdd"]),
                      pod: SimFixtures.pod("p", nodeSelector: ["disk": "ssd"]),
                      message: "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector."),
        PredicateCase(label: "host port", node: SimFixtures.node("n"),
                      resident: SimFixtures.pod("r", nodeName: "n", hostPort: 8080), pod: SimFixtures.pod("p", hostPort: 8080),
                      message: "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports."),
        PredicateCase(label: "pod count", node: SimFixtures.node("n", pods: "1"),
                      resident: SimFixtures.pod("r", nodeName: "n"), pod: SimFixtures.pod("p"),
                      message: "0/1 nodes are available: 1 Too many pods."),
        PredicateCase(label: "memory", node: SimFixtures.node("n", memory: "1Gi"), pod: SimFixtures.pod("p", memory: "2Gi"),
                      message: "0/1 nodes are available: 1 Insufficient memory."),
        PredicateCase(label: "anti-affinity", node: SimFixtures.node("n"),
                      resident: SimFixtures.pod("r", labels: ["app": "db"], nodeName: "n"),
                      pod: SimFixtures.pod("p", labels: ["app": "db"], antiAffinityTo: ["app": "db"]),
                      message: "0/1 nodes are available: 1 node(s) didn't match pod anti-affinity rules."),
    ]

    @Test(arguments: predicateCases)
    func eachPredicateKeepsThePodOffWithTheSchedulersMessage(_ c: PredicateCase) throws {
        let sim = schedulerOnly()
        try sim.addNode(c.node)
        if let resident = c.resident { try sim.addPod(resident) }
        try sim.addPod(c.pod)
        try sim.settle()
        let pod = try #require(sim.pod("p"))
        #expect(pod.nodeName.isEmpty)
        #expect(pod.condition("PodScheduled")?["message"]?.stringValue == c.message)
    }

    @Test func podsPassingEveryPredicateAreBound() throws {
        let sim = schedulerOnly()
        try sim.addNode(SimFixtures.node("n", labels: ["disk": "ssd"],
                                         taints: [["key": "dedicated", "value": "gpu", "effect": "NoSchedule"]]))
        try sim.addPod(SimFixtures.pod("p", nodeSelector: ["disk": "ssd"],
                                       tolerations: [["key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"]],
                                       hostPort: 9090))
        try sim.settle()
        #expect(sim.pod("p")?.nodeName == "n")
    }

    @Test func unschedulablePodIsRetriedAndBoundWhenANodeAppears() throws {
        let sim = schedulerOnly()
        try sim.addNode(SimFixtures.node("small", cpu: "1"))
        try sim.addPod(SimFixtures.pod("big", cpu: "2"))
        try sim.settle()
        #expect(sim.pod("big")?.condition("PodScheduled")?["reason"]?.stringValue == "Unschedulable")

        try sim.addNode(SimFixtures.node("large", cpu: "8"))
        try sim.settle()

        let pod = try #require(sim.pod("big"))
        #expect(pod.nodeName == "large")
        #expect(pod.condition("PodScheduled")?["status"]?.stringValue == "True")
    }

    @Test func withNoNodesTheMessageSaysSo() throws {
        let sim = schedulerOnly()
        try sim.addPod(SimFixtures.pod("p"))
        try sim.settle()
        #expect(sim.pod("p")?.condition("PodScheduled")?["message"]?.stringValue == "no nodes available to schedule pods")
    }

    @Test func higherPriorityPodIsPlacedFirstWhenOnlyOneFits() throws {
        let sim = schedulerOnly()
        try sim.addNode(SimFixtures.node("n", cpu: "1"))
        var low = SimFixtures.pod("low", cpu: "800m")
        low["spec"]?["priority"] = 0
        var high = SimFixtures.pod("high", cpu: "800m")
        high["spec"]?["priority"] = 1000
        try sim.addPod(low)
        try sim.addPod(high)
        try sim.settle()
        #expect(sim.pod("high")?.nodeName == "n")
        #expect(sim.pod("low")?.nodeName.isEmpty == true)
    }
}
