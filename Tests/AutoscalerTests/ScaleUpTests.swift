#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import Autoscaler
import KubeModels
import Scheduling
import Testing

@Suite("Scale-up planning")
struct ScaleUpTests {
    let now = Fixture.now
    let planner = ScaleUpPlanner(settings: ScaleUpSettings(reserved: .none))

    @Test func pendingPodsRaiseTheGroupByTheNodesTheyNeed() {
        let snapshot = ClusterSnapshot(
            nodes: [Fixture.node("n1", group: "g", cpu: 1000)],
            pods: [Fixture.pod("run", cpu: 900, node: "n1")] + (0..<4).map { Fixture.pod("p\($0)", cpu: 500) },
            groups: [Fixture.group("g", nodes: ["n1"])])
        let plan = planner.plan(snapshot, now: now)
        #expect(plan.increases.map(\.group) == ["g"])
        #expect(plan.increases.first?.from == 1)
        #expect(plan.increases.first?.to == 3)
    }

    @Test func filtersLeaveOutDaemonSetExpendableNominatedAndYoungPods() {
        var nominated = Fixture.pod("nominated")
        nominated.nominatedNodeName = "n1"
        let settings = ScaleUpSettings(newPodDelay: .seconds(120), reserved: .none)
        let snapshot = ClusterSnapshot(
            nodes: [],
            pods: [
                Fixture.pod("ds", owner: "DaemonSet"), Fixture.pod("cheap", priority: -11), nominated,
                Fixture.pod("young", created: now.addingTimeInterval(-10)),
            ],
            groups: [Fixture.group("g")])
        let plan = ScaleUpPlanner(settings: settings).plan(snapshot, now: now)
        #expect(plan.increases.isEmpty)
        #expect(plan.skippedPods["default/ds"] == .daemonSet)
        #expect(plan.skippedPods["default/cheap"] == .expendable(priority: -11))
        #expect(plan.skippedPods["default/nominated"] == .nominated(node: "n1"))
        #expect(plan.skippedPods["default/young"] == .tooYoung)
    }

    @Test func podsThatFitOnUpcomingNodesTriggerNothing() {
        // Desired 2, one node registered: one node is coming up with 2 CPUs free.
        let snapshot = ClusterSnapshot(
            nodes: [Fixture.node("n1", group: "g", cpu: 2000)],
            pods: [Fixture.pod("a", cpu: 1000), Fixture.pod("b", cpu: 1000)],
            groups: [Fixture.group("g", desired: 2, nodes: ["n1"])])
        let plan = planner.plan(snapshot, now: now)
        #expect(plan.increases.isEmpty)
        #expect(plan.skippedPods["default/a"] == .fitsOnUpcomingNode(group: "g"))
    }

    @Test func desiredCapacityNeverExceedsTheGroupMax() {
        let snapshot = ClusterSnapshot(
            nodes: [], pods: (0..<10).map { Fixture.pod("p\($0)", cpu: 1500) },
            groups: [Fixture.group("g", max: 3)])
        let plan = planner.plan(snapshot, now: now)
        #expect(plan.increases.first?.to == 3)
        #expect(plan.noScaleUp.count == 7)
        #expect(plan.noScaleUpMessage(for: "default/p9")?.contains("max node group size reached") == true)
    }

    @Test func clusterCoreLimitCapsTheIncrease() {
        // 2-CPU nodes; 1 existing node of 2 cores; limit 6 cores → at most 2 more nodes.
        let settings = ScaleUpSettings(limits: ClusterLimits(maxCores: 6), reserved: .none)
        let snapshot = ClusterSnapshot(
            nodes: [Fixture.node("n1", group: "g", cpu: 2000)],
            pods: [Fixture.pod("run", cpu: 2000, node: "n1")] + (0..<5).map { Fixture.pod("p\($0)", cpu: 1500) },
            groups: [Fixture.group("g", nodes: ["n1"])])
        let plan = ScaleUpPlanner(settings: settings).plan(snapshot, now: now)
        #expect(plan.increases.first?.to == 3)
    }

    @Test func groupAtMaxIsSkippedWithItsReason() {
        let snapshot = ClusterSnapshot(
            nodes: [], pods: [Fixture.pod("p")], groups: [Fixture.group("g", max: 2, desired: 2)])
        let plan = planner.plan(snapshot, now: now)
        #expect(plan.increases.isEmpty)
        #expect(plan.skippedGroups["g"] == "at its maximum size 2")
    }

    @Test func podsNeedingDifferentGroupsGrowEachGroupOnce() {
        let gpuTags = NodeTemplateTags(
            labels: ["pool": "gpu"], taints: [Taint(key: "gpu", effect: .noSchedule)], resources: ["nvidia.com/gpu": 1])
        var gpuPod = Fixture.pod("train", cpu: 1000, nodeSelector: ["pool": "gpu"], tolerations: [Toleration(key: "gpu", operator: .exists)])
        gpuPod.requests[scalar: "nvidia.com/gpu"] = 1
        let snapshot = ClusterSnapshot(
            nodes: [],
            pods: [gpuPod, Fixture.pod("web-1", cpu: 500), Fixture.pod("web-2", cpu: 500)],
            groups: [
                Fixture.group("general"),
                Fixture.group(
                    "gpu", types: [InstanceShape(name: "g4dn.xlarge", vCPUs: 4, memoryMiB: 16384)], tags: gpuTags),
            ])
        let plan = planner.plan(snapshot, now: now)
        #expect(Set(plan.increases.map(\.group)) == ["general", "gpu"])
        #expect(plan.increases.first { $0.group == "gpu" }?.option.pods == ["default/train"])
        #expect(plan.noScaleUp.isEmpty)
    }

    @Test func backedOffGroupIsSkippedAndTheNextBestIsChosenAtOnce() {
        var backoff = GroupBackoff()
        backoff.recordFailure(group: "a-cheap", reason: "InsufficientInstanceCapacity", now: now)
        let snapshot = ClusterSnapshot(
            nodes: [], pods: [Fixture.pod("p", cpu: 500)], groups: [Fixture.group("a-cheap"), Fixture.group("b-other")])
        let plan = planner.plan(snapshot, backoff: backoff, now: now)
        #expect(plan.increases.map(\.group) == ["b-other"])
        #expect(plan.skippedGroups["a-cheap"]?.contains("InsufficientInstanceCapacity") == true)
        let later = planner.plan(snapshot, backoff: backoff, now: now.addingTimeInterval(301))
        #expect(later.increases.map(\.group) == ["a-cheap"])
    }

    @Test func backoffDoublesUpToThirtyMinutesAndResetsAfterQuietHours() {
        var backoff = GroupBackoff()
        let durations = (0..<5).map { backoff.recordFailure(group: "g", reason: "x", now: now.addingTimeInterval(Double($0))) }
        #expect(durations == [.seconds(300), .seconds(600), .seconds(1200), .seconds(1800), .seconds(1800)])
        #expect(backoff.recordFailure(group: "g", reason: "x", now: now.addingTimeInterval(4 * 3600)) == .seconds(300))
    }

    @Test func unreadyClusterHaltsScaleUp() {
        let nodes = (0..<8).map { Fixture.node("n\($0)", group: "g", ready: $0 < 4) }
        let snapshot = ClusterSnapshot(
            nodes: nodes, pods: [Fixture.pod("p", cpu: 2000)], groups: [Fixture.group("g", nodes: nodes.map { $0.metadata.name! })])
        let plan = planner.plan(snapshot, now: now)
        #expect(plan.increases.isEmpty)
        #expect(plan.halted?.contains("4 of 8 nodes unready") == true)
    }

    @Test func zeroSizedGroupScalesFromItsInstanceType() {
        let snapshot = ClusterSnapshot(
            nodes: [], pods: (0..<3).map { Fixture.pod("p\($0)", cpu: 1000) }, groups: [Fixture.group("g", desired: 0)])
        let plan = planner.plan(snapshot, now: now)
        // m5.large: 2 vCPU → 2 pods of 1 CPU per node.
        #expect(plan.increases.first?.to == 2)
    }
}
