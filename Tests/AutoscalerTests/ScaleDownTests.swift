#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import Autoscaler
import KubeModels
import Testing

@Suite("Scale-down planning")
struct ScaleDownTests {
    let now = Fixture.now
    let planner = ScaleDownPlanner()
    let longAgo: [String: Date] = ["n1": Fixture.now.addingTimeInterval(-3600), "n2": Fixture.now.addingTimeInterval(-3600)]

    /// n1 lightly used (its pods given), n2 with room for them.
    func cluster(_ podsOnN1: [PodSummary], pdbs: [PodDisruptionBudget] = [], min: Int = 0, n1Annotations: [String: String]? = nil)
        -> ClusterSnapshot
    {
        ClusterSnapshot(
            nodes: [
                Fixture.node("n1", group: "g", cpu: 4000, annotations: n1Annotations),
                Fixture.node("n2", group: "g", cpu: 4000),
            ],
            pods: podsOnN1 + [Fixture.pod("busy", cpu: 2500, node: "n2")],
            podDisruptionBudgets: pdbs,
            groups: [Fixture.group("g", min: min, nodes: ["n1", "n2"])])
    }

    @Test func underutilizedNodeIsRemovedOnceUnneededLongEnough() {
        let snapshot = cluster([Fixture.pod("a", cpu: 500, node: "n1")])
        let first = planner.plan(snapshot, now: now)
        #expect(first.removals.isEmpty)
        #expect(first.blocked["n1"] == .unneededForTooShort(since: now, needed: .seconds(600)))
        let later = planner.plan(snapshot, unneededSince: first.unneededSince, now: now.addingTimeInterval(601))
        #expect(later.removals.map(\.node) == ["n1"])
        #expect(later.removals.first?.podsToEvict == ["default/a"])
        #expect(later.removals.first?.instanceID == "i-n1")
    }

    @Test func busyNodeStays() {
        let plan = planner.plan(cluster([Fixture.pod("a", cpu: 3000, node: "n1")]), unneededSince: longAgo, now: now)
        #expect(plan.removals.isEmpty)
        #expect(plan.blocked["n1"] == .utilizationAboveThreshold(utilization: 0.75, threshold: 0.5))
    }

    @Test func podsThatFitNowhereElseKeepTheirNode() {
        let plan = planner.plan(cluster([Fixture.pod("a", cpu: 1900, node: "n1")]), unneededSince: longAgo, now: now)
        #expect(plan.removals.isEmpty)
        #expect(plan.blocked["n1"] == .podFitsNowhereElse(pod: "default/a", reason: "Insufficient cpu"))
    }

    @Test func eachBlockingPodReasonIsReported() {
        var unsafe = Fixture.pod("unsafe", cpu: 100, node: "n1")
        unsafe.safeToEvict = false
        var local = Fixture.pod("local", cpu: 100, node: "n1")
        local.usesLocalStorage = true
        let bare = Fixture.pod("bare", cpu: 100, node: "n1", owner: nil)
        let system = Fixture.pod("dns", namespace: "kube-system", cpu: 100, node: "n1")
        #expect(planner.plan(cluster([unsafe]), unneededSince: longAgo, now: now).blocked["n1"] == .podNotSafeToEvict(pod: "default/unsafe"))
        #expect(planner.plan(cluster([local]), unneededSince: longAgo, now: now).blocked["n1"] == .podWithLocalStorage(pod: "default/local"))
        #expect(planner.plan(cluster([bare]), unneededSince: longAgo, now: now).blocked["n1"] == .podNotReplicated(pod: "default/bare"))
        #expect(planner.plan(cluster([system]), unneededSince: longAgo, now: now).blocked["n1"] == .kubeSystemPodWithoutPDB(pod: "kube-system/dns"))
        // safe-to-evict=true overrides local storage.
        local.safeToEvict = true
        #expect(planner.plan(cluster([local]), unneededSince: longAgo, now: now).removals.map(\.node) == ["n1"])
    }

    @Test func exhaustedPodDisruptionBudgetBlocksAndABudgetOfOneAllowsOne() {
        var pod = Fixture.pod("web", cpu: 100, node: "n1")
        pod.labels = ["app": "web"]
        func pdb(allowed: Int32) -> PodDisruptionBudget {
            PodDisruptionBudget(
                metadata: ObjectMeta(name: "web", namespace: "default"),
                spec: .init(selector: LabelSelector(matchLabels: ["app": "web"])),
                status: .init(disruptionsAllowed: allowed))
        }
        let blocked = planner.plan(cluster([pod], pdbs: [pdb(allowed: 0)]), unneededSince: longAgo, now: now)
        #expect(blocked.blocked["n1"] == .podDisruptionBudget(pod: "default/web", budget: "default/web"))
        let allowed = planner.plan(cluster([pod], pdbs: [pdb(allowed: 1)]), unneededSince: longAgo, now: now)
        #expect(allowed.removals.map(\.node) == ["n1"])
    }

    @Test func scaleDownDisabledAnnotationAndGroupMinimumKeepNodes() {
        let disabled = planner.plan(
            cluster([], n1Annotations: [NodeAnnotations.scaleDownDisabled: "true"]), unneededSince: longAgo, now: now)
        #expect(disabled.blocked["n1"] == .scaleDownDisabled)
        let atMin = planner.plan(cluster([], min: 2), unneededSince: longAgo, now: now)
        #expect(atMin.removals.isEmpty)
        #expect(atMin.blocked["n1"] == .groupAtMinimum(group: "g", min: 2))
    }

    @Test func drainedNodeGoesFirstWithoutWaiting() {
        let snapshot = ClusterSnapshot(
            nodes: [
                Fixture.node("drained", group: "g", unschedulable: true, annotations: [DrainerContract.drained: "2027-01-15T08:00:00Z"]),
                Fixture.node("n2", group: "g"),
            ],
            pods: [Fixture.pod("ds", cpu: 100, node: "drained", owner: "DaemonSet")],
            groups: [Fixture.group("g", nodes: ["drained", "n2"])])
        let plan = planner.plan(snapshot, lastScaleUp: now, now: now)
        #expect(plan.removals.first?.node == "drained")
        #expect(plan.removals.first?.kind == .drained)
        #expect(plan.removals.first?.podsToEvict == [])
    }

    @Test func nodeAlreadyTaintedForDeletionIsResumedAfterRestart() {
        let snapshot = ClusterSnapshot(
            nodes: [
                Fixture.node(
                    "n1", group: "g",
                    taints: [Taint(key: NodeTaints.toBeDeletedByClusterAutoscaler, value: "1800000000", effect: .noSchedule)]),
                Fixture.node("n2", group: "g"),
            ],
            pods: [Fixture.pod("a", cpu: 100, node: "n1")],
            groups: [Fixture.group("g", nodes: ["n1", "n2"])])
        let plan = planner.plan(snapshot, now: now)
        #expect(plan.removals.map(\.kind) == [.resumed])
        #expect(plan.removals.first?.podsToEvict == ["default/a"])
    }

    @Test func noScaleDownSoonAfterAScaleUp() {
        let plan = planner.plan(
            cluster([Fixture.pod("a", cpu: 100, node: "n1")]), unneededSince: longAgo, lastScaleUp: now.addingTimeInterval(-60),
            now: now)
        #expect(plan.blocked["n1"] == .recentScaleUp(until: now.addingTimeInterval(540)))
    }

    @Test func onlyOneNonEmptyNodePerDecisionAndCapacityIsNotCountedTwice() {
        // Three nodes at 30 %: after n1's pod moves, n2's would still fit, but only one busy
        // node goes per decision.
        let snapshot = ClusterSnapshot(
            nodes: (1...3).map { Fixture.node("n\($0)", group: "g", cpu: 1000) },
            pods: (1...3).map { Fixture.pod("p\($0)", cpu: 300, node: "n\($0)") },
            groups: [Fixture.group("g", nodes: ["n1", "n2", "n3"])])
        let since = Dictionary(uniqueKeysWithValues: (1...3).map { ("n\($0)", now.addingTimeInterval(-3600)) })
        let plan = planner.plan(snapshot, unneededSince: since, now: now)
        #expect(plan.removals.count == 1)
        #expect(plan.blocked.values.contains(.removalLimitReached))
    }

    @Test func unreadyClusterHaltsScaleDown() {
        let nodes = (0..<10).map { Fixture.node("n\($0)", group: "g", ready: $0 < 5) }
        let snapshot = ClusterSnapshot(nodes: nodes, pods: [], groups: [Fixture.group("g", nodes: nodes.map { $0.metadata.name! })])
        let plan = planner.plan(snapshot, unneededSince: longAgo, now: now)
        #expect(plan.removals.isEmpty)
        #expect(plan.halted != nil)
    }
}
