import ClusterSim
import Foundation
import KubeModels
import MetricsTestKit
import Testing

@testable import Autoscaler

@Suite("Autoscaler loop: how long pods have waited", .serialized, .timeLimit(.minutes(2)))
struct PendingAgeLoopTests {
    /// A pod created two minutes ago that became unschedulable 20 s ago has waited 20 s: the
    /// metric and the status count from the PodScheduled=False transition, not from creation.
    @Test func theOldestPendingAgeCountsFromThePodScheduledTransition() async throws {
        try await AutoscalerSim.with { sim in
            try sim.addGroup("small", cpu: 2, max: 1)
            try sim.addPod("big", cpu: "3")
            #expect(try sim.pod("big")?.isUnschedulable == true)
            try sim.advance(by: .seconds(120), step: .seconds(10))
            let since = sim.clock.now.addingTimeInterval(-20)
            _ = try sim.store.modify(sim.store.resource("pods")!, namespace: "default", name: "big", subresource: .status) { object throws(APIError) in
                var object = object
                let conditions = (object[path: ["status", "conditions"]]?.arrayValue ?? []).map { condition -> JSONValue in
                    var condition = condition
                    if condition["type"]?.stringValue == "PodScheduled" { condition["lastTransitionTime"] = .string("\(KubeTime(since))") }
                    return condition
                }
                object["status"]?["conditions"] = .array(conditions)
                return object
            }
            try sim.sim.settle()
            let metrics = TestMetrics()
            let parts = sim.autoscaler(metrics: AutoscalerMetrics(factory: metrics))
            try await sim.running(parts) {
                let report = try await sim.pass(parts)
                #expect(report.pending.count == 1)
                #expect(report.pending.oldestSince == KubeTime(since).date)
            }
            #expect(try metrics.expectGauge("mend_autoscaler_oldest_unschedulable_pod_age_seconds").lastValue == 20)
            let status = try #require(try sim.statusConfigMap()?.data?[StatusReport.dataKey])
            #expect(status.contains("UnschedulablePods: 1 (oldest unschedulable since \(KubeTime(since)))"), "\(status)")
        }
    }
}
