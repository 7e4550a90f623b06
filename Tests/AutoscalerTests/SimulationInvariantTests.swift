#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import Autoscaler
import KubeModels
import Scheduling
import Testing

/// What the fast paths of the estimator and the scale-down simulation must not change: every
/// predicate still applies, and a failed trial leaves no trace.
@Suite("Simulation invariants")
struct SimulationInvariantTests {
    static let webGuard = AffinityTerm(selector: LabelSelector(matchLabels: ["app": "web"]), namespaces: ["default"])

    @Test func placedPodsAntiAffinityKeepsPlainPodsOffTheirNode() {
        // The guard (sorted first, larger) repels app=web; the web pods have no terms of their own.
        let pods = [
            SchedulingPod(namespace: "default", name: "web", labels: ["app": "web"], requests: Fixture.resources(cpu: 100)),
            SchedulingPod(
                namespace: "default", name: "guard", requests: Fixture.resources(cpu: 2000),
                antiAffinityTerms: [Self.webGuard]),
        ]
        let estimate = BinPackingEstimator.estimate(pods, template: Fixture.template(cpu: 4000, pods: 110))
        #expect(estimate.newNodes == 2)
        #expect(estimate.placement[1] == 0)
        #expect(estimate.placement[0] == 1)
    }

    @Test func aPodRefusedForAntiAffinityDoesNotHideTheNodeFromEqualRequests() {
        // web and other ask for the same resources; only web is repelled from the guard's node,
        // so other must still go there (first fit), not after web.
        let pods = [
            SchedulingPod(
                namespace: "default", name: "guard", requests: Fixture.resources(cpu: 2000),
                antiAffinityTerms: [Self.webGuard]),
            SchedulingPod(namespace: "default", name: "web", labels: ["app": "web"], requests: Fixture.resources(cpu: 100)),
            SchedulingPod(
                namespace: "default", name: "other", labels: ["app": "other"], requests: Fixture.resources(cpu: 100)),
        ]
        let estimate = BinPackingEstimator.estimate(pods, template: Fixture.template(cpu: 4000, pods: 110))
        #expect(estimate.placement == [0, 1, 0])
        #expect(estimate.newNodes == 2)
    }

    @Test func hostPortConflictsStillOpenNewNodesForEqualRequests() {
        let port = HostPort(port: 8080, protocol: "TCP", hostIP: "0.0.0.0")
        let pods = (0..<3).map {
            SchedulingPod(namespace: "default", name: "p\($0)", requests: Fixture.resources(cpu: 100), hostPorts: [port])
        }
        let estimate = BinPackingEstimator.estimate(pods, template: Fixture.template(cpu: 4000, pods: 110))
        #expect(estimate.placement == [0, 1, 2])
    }

    @Test func aBlockedCandidateLeavesNoTrialPlacementsBehind() {
        // a's big pod fits only on c, but a's pinned pod fits nowhere: a stays, and c must keep the
        // room a's big pod briefly took, so b's pod (which also fits only on c) moves there.
        let receiver = ["role": "receiver"]
        let snapshot = ClusterSnapshot(
            nodes: [
                Fixture.node("a", group: "g"), Fixture.node("b", group: "g"),
                Fixture.node("c", group: "g", labels: receiver),
            ],
            pods: [
                Fixture.pod("big", cpu: 400, node: "a", nodeSelector: receiver),
                Fixture.pod("pinned", cpu: 10, node: "a", nodeSelector: ["disk": "ssd"]),
                Fixture.pod("b-pod", cpu: 450, node: "b", nodeSelector: receiver),
                Fixture.pod("c-pod", cpu: 500, node: "c"),
            ],
            groups: [Fixture.group("g", nodes: ["a", "b", "c"])])
        let planner = ScaleDownPlanner(settings: ScaleDownSettings(unneededTime: .zero))
        let plan = planner.plan(snapshot, now: Fixture.now)
        #expect(plan.removals.map(\.node) == ["b"])
        #expect(plan.removals.first?.podsToEvict == ["default/b-pod"])
        guard case .podFitsNowhereElse(let pod, _) = plan.blocked["a"] else {
            Issue.record("a should be blocked by its pinned pod, got \(String(describing: plan.blocked["a"]))")
            return
        }
        #expect(pod == "default/pinned")
    }

    @Test func anEmptyNodeRemovedFirstTakesNoPodsLater() {
        // e is empty and goes first; d's pod fits only on e (by label), so d must stay.
        let snapshot = ClusterSnapshot(
            nodes: [
                Fixture.node("d", group: "g"), Fixture.node("e", group: "g", labels: ["role": "spare"]),
                Fixture.node("f", group: "g", cpu: 1000),
            ],
            pods: [
                Fixture.pod("d-pod", cpu: 100, node: "d", nodeSelector: ["role": "spare"]),
                Fixture.pod("f-pod", cpu: 900, node: "f"),
            ],
            groups: [Fixture.group("g", nodes: ["d", "e", "f"])])
        let plan = ScaleDownPlanner(settings: ScaleDownSettings(unneededTime: .zero)).plan(snapshot, now: Fixture.now)
        #expect(plan.removals.map(\.node) == ["e"])
        guard case .podFitsNowhereElse(let pod, _) = plan.blocked["d"] else {
            Issue.record("d should be blocked, got \(String(describing: plan.blocked["d"]))")
            return
        }
        #expect(pod == "default/d-pod")
    }
}
