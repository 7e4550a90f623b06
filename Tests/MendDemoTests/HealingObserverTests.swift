import Foundation
import KubeModels
import MendDemo
import Testing

/// Hand-made cluster looks for the observer.
private enum Look {
    static func node(_ name: String, ready: Bool = true, cordoned: Bool = false, deadlock: Bool = false) throws -> Node {
        let json: [String: Any] = [
            "apiVersion": "v1", "kind": "Node", "metadata": ["name": name],
            "spec": ["unschedulable": cordoned],
            "status": ["conditions": [
                ["type": "Ready", "status": ready ? "True" : "False"],
                ["type": "KernelDeadlock", "status": deadlock ? "True" : "False"],
            ]],
        ]
        return try JSONDecoder().decode(Node.self, from: JSONSerialization.data(withJSONObject: json))
    }

    static func pod(_ name: String, on node: String?, phase: String = "Running", daemon: Bool = false) throws -> PodSummary {
        var meta: [String: Any] = ["name": name, "namespace": "shop", "uid": "uid-\(name)"]
        meta["ownerReferences"] = [[
            "apiVersion": "apps/v1", "kind": daemon ? "DaemonSet" : "ReplicaSet", "name": daemon ? "agent" : "web",
            "uid": "owner", "controller": true,
        ]]
        var spec: [String: Any] = ["containers": [["name": "c", "image": "pause"]]]
        if let node { spec["nodeName"] = node }
        let json: [String: Any] = ["apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": ["phase": phase]]
        return try JSONDecoder().decode(PodSummary.self, from: JSONSerialization.data(withJSONObject: json))
    }

    static func at(_ seconds: Double, nodes: [Node], pods: [PodSummary], size: Int) -> ClusterObservation {
        ClusterObservation(time: Date(timeIntervalSince1970: seconds), nodes: nodes, pods: pods, groupSizes: ["general": size])
    }
}

@Suite struct HealingObserverTests {
    @Test func aFullHealingIsToldStepByStepAndEndsHealthy() throws {
        var observer = HealingObserver(conditionType: "KernelDeadlock")
        let healthyPods = [try Look.pod("a", on: "n1"), try Look.pod("b", on: "n2")]
        #expect(observer.observe(Look.at(0, nodes: [try Look.node("n1"), try Look.node("n2")], pods: healthyPods, size: 2)).isEmpty)
        _ = observer.faultInjected(at: Date(timeIntervalSince1970: 1), text: "fault")

        // Before the detector reacts the cluster still looks healthy: that must not count as healed.
        #expect(observer.observe(Look.at(2, nodes: [try Look.node("n1"), try Look.node("n2")], pods: healthyPods, size: 2)).isEmpty)
        #expect(observer.healedAt == nil)

        let sick = [try Look.node("n1", cordoned: true, deadlock: true), try Look.node("n2")]
        let steps1 = observer.observe(Look.at(3, nodes: sick, pods: healthyPods, size: 2)).map(\.kind)
        #expect(steps1 == [.conditionSet, .cordoned])

        let evicted = [try Look.pod("a2", on: nil, phase: "Pending"), try Look.pod("b", on: "n2")]
        let steps2 = observer.observe(Look.at(4, nodes: sick, pods: evicted, size: 3)).map(\.kind)
        #expect(steps2 == [.scaledUp, .podEvicted, .podsPending])
        #expect(observer.podsDisrupted == 1)

        let grown = sick + [try Look.node("n3")]
        let moved = [try Look.pod("a2", on: "n3"), try Look.pod("b", on: "n2")]
        let steps3 = observer.observe(Look.at(5, nodes: grown, pods: moved, size: 3)).map(\.kind)
        #expect(steps3 == [.nodeRegistered, .nodeReady, .podsScheduled])
        #expect(observer.healedAt == nil, "the sick node is still there")

        let final = [try Look.node("n2"), try Look.node("n3")]
        let steps4 = observer.observe(Look.at(6, nodes: final, pods: moved, size: 2)).map(\.kind)
        #expect(steps4 == [.scaledDown, .nodeRemoved, .healthy])
        #expect(observer.healedAt == Date(timeIntervalSince1970: 6))
        #expect(observer.capacityAdded == 1)
        #expect(observer.nodesRemoved == 1)
    }

    @Test func fewerRunningPodsThanBeforeTheFaultIsNotHealthy() throws {
        var observer = HealingObserver(conditionType: "KernelDeadlock")
        let two = [try Look.pod("a", on: "n1"), try Look.pod("b", on: "n2")]
        _ = observer.observe(Look.at(0, nodes: [try Look.node("n1"), try Look.node("n2")], pods: two, size: 2))
        _ = observer.faultInjected(at: Date(timeIntervalSince1970: 1), text: "fault")
        _ = observer.observe(Look.at(2, nodes: [try Look.node("n1", deadlock: true), try Look.node("n2")], pods: two, size: 2))
        let steps = observer.observe(Look.at(3, nodes: [try Look.node("n2")], pods: [try Look.pod("b", on: "n2")], size: 1))
        #expect(!steps.map(\.kind).contains(.healthy))
        #expect(observer.healedAt == nil)
    }

    @Test func daemonSetPodsDoNotCountAsWorkload() throws {
        var observer = HealingObserver(conditionType: "KernelDeadlock")
        let pods = [try Look.pod("a", on: "n1"), try Look.pod("agent-1", on: "n1", daemon: true)]
        _ = observer.observe(Look.at(0, nodes: [try Look.node("n1", cordoned: true, deadlock: true)], pods: pods, size: 1))
        // The DaemonSet pod vanishing from a sick node is not a disruption the demo reports.
        let steps = observer.observe(Look.at(1, nodes: [try Look.node("n1", cordoned: true, deadlock: true)],
                                             pods: [try Look.pod("a", on: "n1")], size: 1))
        #expect(steps.isEmpty)
        #expect(observer.podsDisrupted == 0)
    }
}
