import Foundation
import KubeModels
import Testing

@testable import Autoscaler

@Suite("Balancing similar groups")
struct SimilarGroupBalancerTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func group(_ name: String, type: InstanceShape, zone: String, desired: Int = 0, max: Int = 10) -> Autoscaler.NodeGroup {
        Autoscaler.NodeGroup(
            id: name, minSize: 0, maxSize: max, desiredCapacity: desired,
            templateSource: TemplateSource(
                instanceTypes: [type],
                tags: NodeTemplateTags(labels: ["topology.kubernetes.io/zone": zone, "pool": "general"]), zones: [zone]))
    }

    private let large = InstanceShape(name: "m5.large", vCPUs: 2, memoryMiB: 8192, maxPods: 29)
    private let xlarge = InstanceShape(name: "m5.xlarge", vCPUs: 4, memoryMiB: 16384, maxPods: 58)

    private func plan(_ snapshot: ClusterSnapshot, group: String, nodes: Int) -> ScaleUpPlan {
        var plan = ScaleUpPlan()
        let from = snapshot.groups.first { $0.id == group }!.desiredCapacity
        plan.increases = [
            GroupIncrease(
                group: group, from: from, to: from + nodes,
                option: ScaleUpOption(
                    group: group, nodeCount: nodes, pods: ["default/p"], requested: ResourceVector(),
                    allocatable: ResourceVector(), instanceType: "m5.large"))
        ]
        return plan
    }

    @Test func anIncreaseIsSpreadOverSimilarGroupsInOtherZones() {
        let snapshot = ClusterSnapshot(
            nodes: [], pods: [],
            groups: [
                group("general-a", type: large, zone: "us-east-1a", desired: 1),
                group("general-b", type: large, zone: "us-east-1b"),
                group("big-c", type: xlarge, zone: "us-east-1c"),
            ])
        let balanced = SimilarGroupBalancer.balance(
            plan(snapshot, group: "general-a", nodes: 5), snapshot: snapshot, planner: ScaleUpPlanner(),
            backoff: GroupBackoff(), now: now, enabled: true)
        let sizes = Dictionary(uniqueKeysWithValues: balanced.increases.map { ($0.group, ($0.from, $0.to)) })
        #expect(sizes.count == 2)
        #expect(sizes["general-a"]! == (1, 3))
        #expect(sizes["general-b"]! == (0, 3))
        #expect(sizes["big-c"] == nil, "a different shape is not similar")
    }

    @Test func backedOffAndFullGroupsAreLeftOutAndDisabledChangesNothing() {
        let snapshot = ClusterSnapshot(
            nodes: [], pods: [],
            groups: [
                group("general-a", type: large, zone: "us-east-1a"),
                group("general-b", type: large, zone: "us-east-1b"),
                group("general-c", type: large, zone: "us-east-1c", desired: 2, max: 2),
            ])
        var backoff = GroupBackoff()
        backoff.recordFailure(group: "general-b", reason: "no capacity", now: now)
        let original = plan(snapshot, group: "general-a", nodes: 4)
        let balanced = SimilarGroupBalancer.balance(
            original, snapshot: snapshot, planner: ScaleUpPlanner(), backoff: backoff, now: now, enabled: true)
        #expect(balanced.increases.map(\.group) == ["general-a"])
        #expect(balanced.increases.first?.to == 4)
        let off = SimilarGroupBalancer.balance(
            original, snapshot: snapshot, planner: ScaleUpPlanner(), backoff: GroupBackoff(), now: now, enabled: false)
        #expect(off.increases == original.increases)
    }
}
