#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import Autoscaler
import KubeModels
import Scheduling
import Testing

@Suite("BinPackingEstimator")
struct EstimatorTests {
    @Test func largestPodsGoFirstAndSmallOnesFillTheGaps() {
        // 3 × 600m and 3 × 400m on 1-CPU nodes: first-fit decreasing pairs them on 3 nodes.
        let pods = (0..<3).map { Fixture.schedulingPod("small-\($0)", cpu: 400) }
            + (0..<3).map { Fixture.schedulingPod("big-\($0)", cpu: 600) }
        let estimate = BinPackingEstimator.estimate(pods, template: Fixture.template(cpu: 1000, pods: 110))
        #expect(estimate.newNodes == 3)
        #expect(estimate.placedCount == 6)
        #expect(estimate.newNodesRequested.milliCPU == 3000)
    }

    @Test func podCountLimitsAPodDenseNode() {
        let pods = (0..<25).map { Fixture.schedulingPod("p-\($0)", cpu: 1) }
        let estimate = BinPackingEstimator.estimate(pods, template: Fixture.template(cpu: 4000, pods: 10))
        #expect(estimate.newNodes == 3)
    }

    @Test func daemonSetPodsTakeTheirShareOfEveryNewNode() {
        var template = Fixture.template(cpu: 1000, pods: 110)
        template.daemonSetPods = [Fixture.schedulingPod("ds", cpu: 200)]
        let pods = (0..<4).map { Fixture.schedulingPod("p-\($0)", cpu: 400) }
        // 800m free per node: two pods each.
        #expect(BinPackingEstimator.estimate(pods, template: template).newNodes == 2)
    }

    @Test func podTooBigForTheTemplateIsReportedNotPlaced() {
        let pods = [Fixture.schedulingPod("huge", cpu: 2000), Fixture.schedulingPod("ok", cpu: 500)]
        let estimate = BinPackingEstimator.estimate(pods, template: Fixture.template(cpu: 1000, pods: 110))
        #expect(estimate.newNodes == 1)
        #expect(estimate.placement[0] == nil)
        #expect(estimate.unplacedReasons[0] == .some(.insufficient(resource: "cpu")))
    }

    @Test func untoleratedTemplateTaintPlacesNothing() {
        var template = Fixture.template(cpu: 1000, pods: 110)
        template.node = SchedulingNode(
            name: "t", taints: [Taint(key: "gpu", value: "true", effect: .noSchedule)],
            allocatable: template.node.allocatable)
        let estimate = BinPackingEstimator.estimate([Fixture.schedulingPod("p", cpu: 100)], template: template)
        #expect(estimate.newNodes == 0)
        #expect(estimate.unplacedReasons[0] == .some(.untoleratedTaint(key: "gpu", value: "true")))
    }

    @Test func maxNewNodesCapsTheEstimateAndSaysSo() {
        let pods = (0..<10).map { Fixture.schedulingPod("p-\($0)", cpu: 500) }
        let estimate = BinPackingEstimator.estimate(pods, template: Fixture.template(cpu: 1000, pods: 110), maxNewNodes: 2)
        #expect(estimate.newNodes == 2)
        #expect(estimate.placedCount == 4)
        #expect(estimate.hitNodeLimit)
    }

    @Test func openNodesAreFilledBeforeNewOnes() {
        let pods = (0..<3).map { Fixture.schedulingPod("p-\($0)", cpu: 500) }
        let estimate = BinPackingEstimator.estimate(
            pods, template: Fixture.template(cpu: 1000, pods: 110), openNodes: 1, maxNewNodes: 0)
        #expect(estimate.newNodes == 0)
        #expect(estimate.placedCount == 2)
    }

    @Test func hostnameAntiAffinitySpreadsReplicasOnePerNode() {
        let term = AffinityTerm(
            selector: LabelSelector(matchLabels: ["app": "web"]), namespaces: ["default"])
        let pods = (0..<3).map {
            SchedulingPod(
                namespace: "default", name: "web-\($0)", labels: ["app": "web"],
                requests: Fixture.resources(cpu: 100), antiAffinityTerms: [term])
        }
        #expect(BinPackingEstimator.estimate(pods, template: Fixture.template(cpu: 4000, pods: 110)).newNodes == 3)
    }

    @Test func benchmarkSizedCaseMatchesFirstFitDecreasingAndIsFast() {
        // 50,000 × 50m and 1,000 × 95m onto 1-CPU / 100-pod nodes (the estimator goal).
        var pods: [SchedulingPod] = []
        pods.reserveCapacity(51_000)
        for i in 0..<50_000 { pods.append(Fixture.schedulingPod("small-\(i)", cpu: 50)) }
        for i in 0..<1_000 { pods.append(Fixture.schedulingPod("big-\(i)", cpu: 95)) }
        let template = Fixture.template(cpu: 1000, pods: 100)
        let start = ContinuousClock.now
        let estimate = BinPackingEstimator.estimate(pods, template: template)
        let elapsed = ContinuousClock.now - start
        // 95m pods: 10 per node → 100 nodes with 50m left each, which take one 50m pod each;
        // the other 49,900 × 50m go 20 per node → 2,495 nodes.
        #expect(estimate.newNodes == 2_595)
        #expect(estimate.placedCount == 51_000)
        // Debug builds are far slower than release; this bound only catches quadratic behaviour.
        #expect(elapsed < .seconds(10))
    }
}
