import KubeModels
import Testing
@testable import Drainer

@Suite("Surge fit check")
struct SurgeFitTests {
    static func node(_ name: String, milliCPU: Int64, labels: [String: String] = [:], unschedulable: Bool? = nil) -> Node {
        var node = Build.node(name, labels: labels, unschedulable: unschedulable)
        node.status.allocatable = ["cpu": Quantity(milli: milliCPU), "memory": Quantity(8_000_000_000), "pods": Quantity(110)]
        return node
    }

    static func pod(_ name: String, on node: String, milliCPU: Int64, nodeSelector: [String: String]? = nil, phase: PodPhase = .running) -> Pod {
        var pod = Build.pod(name, node: node, phase: phase)
        pod.spec.containers[0].resources = ResourceRequirements(requests: ["cpu": Quantity(milli: milliCPU)])
        pod.spec.nodeSelector = nodeSelector
        return pod
    }

    @Test func podsFitOnOtherNodesInSpiteOfTheirOwnNodeName() {
        let result = SurgeFit.check(
            evicting: [Self.pod("a", on: "bad", milliCPU: 1000), Self.pod("b", on: "bad", milliCPU: 1000)], from: "bad",
            nodes: [Self.node("bad", milliCPU: 4000), Self.node("n2", milliCPU: 2000)], placed: [])
        #expect(result.fits)
    }

    @Test func podsThatDoNotFitAreNamed() {
        let result = SurgeFit.check(
            evicting: [Self.pod("a", on: "bad", milliCPU: 1500), Self.pod("b", on: "bad", milliCPU: 1500)], from: "bad",
            nodes: [Self.node("bad", milliCPU: 4000), Self.node("n2", milliCPU: 2000)], placed: [])
        #expect(result.unplaced.count == 1)
        #expect(!result.fits)
    }

    @Test func runningPodsTakeRoomButCompletedOnesDoNot() {
        let nodes = [Self.node("bad", milliCPU: 4000), Self.node("n2", milliCPU: 2000)]
        let evicting = [Self.pod("a", on: "bad", milliCPU: 1000)]
        #expect(!SurgeFit.check(evicting: evicting, from: "bad", nodes: nodes, placed: [Self.pod("x", on: "n2", milliCPU: 1500)]).fits)
        #expect(SurgeFit.check(
            evicting: evicting, from: "bad", nodes: nodes, placed: [Self.pod("x", on: "n2", milliCPU: 1500, phase: .succeeded)]).fits)
    }

    @Test func cordonedNodesAndUnmatchedSelectorsOfferNoRoom() {
        let evicting = [Self.pod("a", on: "bad", milliCPU: 100, nodeSelector: ["pool": "gpu"])]
        #expect(!SurgeFit.check(
            evicting: evicting, from: "bad", nodes: [Self.node("n2", milliCPU: 4000, labels: ["pool": "cpu"])], placed: []).fits)
        #expect(!SurgeFit.check(
            evicting: evicting, from: "bad", nodes: [Self.node("n2", milliCPU: 4000, labels: ["pool": "gpu"], unschedulable: true)], placed: []).fits)
        #expect(SurgeFit.check(
            evicting: evicting, from: "bad", nodes: [Self.node("n2", milliCPU: 4000, labels: ["pool": "gpu"])], placed: []).fits)
    }

    @Test func largerPodsArePlacedFirst() {
        // First-fit in arrival order would put the small pod on n2 and strand the large one.
        let result = SurgeFit.check(
            evicting: [Self.pod("small", on: "bad", milliCPU: 500), Self.pod("large", on: "bad", milliCPU: 2000)], from: "bad",
            nodes: [Self.node("n2", milliCPU: 2000), Self.node("n3", milliCPU: 600)], placed: [])
        #expect(result.fits)
    }
}
