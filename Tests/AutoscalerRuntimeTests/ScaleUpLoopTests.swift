import ClusterSim
import Foundation
import KubeModels
import MendTime
import MetricsTestKit
import Testing

@testable import Autoscaler

@Suite("Autoscaler loop: scale-up against ClusterSim", .serialized, .timeLimit(.minutes(3)))
struct ScaleUpLoopTests {
    @Test func pendingPodsRaiseTheGroupTheExpanderChoosesAndGetScheduledOnItsNodes() async throws {
        try await AutoscalerSim.with { sim in
            try sim.addGroup("large", cpu: 8, memory: "32Gi", instanceType: "m5.2xlarge")
            try sim.addGroup("small", cpu: 2, memory: "8Gi")
            for i in 0..<3 { try sim.addPod("web-\(i)", cpu: "1500m") }
            #expect(try sim.pods().allSatisfy { $0.spec.nodeName == nil })

            let parts = sim.autoscaler()
            try await sim.running(parts) {
                let report = try await sim.pass(parts)
                // Least waste: three 2-CPU nodes idle 25 %, one 8-CPU node 44 %.
                #expect(report.scaleUp.increases.map(\.group) == ["small"])
                #expect(sim.desired("small") == 3)
                #expect(sim.desired("large") == 0)
                #expect(await parts.loop.currentState.provisioning["small"]?.target == 3)

                try sim.advance(by: .seconds(61))
                #expect(try sim.nodes().count == 3)
                #expect(try sim.pods().allSatisfy { $0.spec.nodeName != nil }, "every pod scheduled on a new node")

                let after = try await sim.pass(parts)
                #expect(after.scaleUp.increases.isEmpty)
                #expect(after.registered["small"] == 3)
                #expect(await parts.loop.currentState.provisioning.isEmpty, "the request is done once the nodes registered")
                #expect(try sim.events(reason: "TriggeredScaleUp").count == 3)
            }
        }
    }

    @Test func podsThatFitOnNodesAlreadyComingUpDoNotRaiseTheGroupAgain() async throws {
        try await AutoscalerSim.with { sim in
            try sim.addGroup("small", cpu: 2)
            try sim.addPod("a", cpu: "1500m")
            let parts = sim.autoscaler()
            try await sim.running(parts) {
                try await sim.pass(parts)
                #expect(sim.desired("small") == 1)
                try sim.advance(by: .seconds(10))
                let second = try await sim.pass(parts)
                #expect(second.scaleUp.increases.isEmpty)
                #expect(sim.desired("small") == 1, "the node being launched is not asked for twice")
            }
        }
    }

    @Test func theGroupMaximumAndTheClusterNodeLimitAreNeverExceeded() async throws {
        try await AutoscalerSim.with { sim in
            try sim.addGroup("capped", cpu: 2, max: 2)
            for i in 0..<6 { try sim.addPod("batch-\(i)", cpu: "1500m") }
            let parts = sim.autoscaler()
            try await sim.running(parts) {
                let report = try await sim.pass(parts)
                #expect(sim.desired("capped") == 2)
                #expect(report.scaleUp.noScaleUp.count == 4)
                let message = report.scaleUp.noScaleUpMessage(for: report.scaleUp.noScaleUp.keys.sorted()[0]) ?? ""
                #expect(message.contains("max node group size reached") || message.contains("maximum size"), "\(message)")
            }
        }
        try await AutoscalerSim.with { sim in
            try sim.addGroup("general", cpu: 2, max: 10, desired: 1)
            for i in 0..<6 { try sim.addPod("batch-\(i)", cpu: "1500m") }
            let settings = AutoscalerSim.settings { $0.scaleUp.limits.maxNodes = 3 }
            let parts = sim.autoscaler(settings: settings)
            try await sim.running(parts) {
                try await sim.pass(parts)
                #expect(sim.desired("general") == 3, "one node exists, the cluster may hold three")
                try sim.advance(by: .seconds(61))
                try await sim.pass(parts)
                #expect(sim.desired("general") == 3)
                #expect(try sim.nodes().count == 3)
            }
        }
    }

    @Test func aLaunchFailureBacksTheGroupOffWithinOnePassAndTheNextBestGroupIsUsed() async throws {
        try await AutoscalerSim.with { sim in
            try sim.addGroup("a-small", cpu: 2)
            try sim.addGroup("b-large", cpu: 8, memory: "32Gi", instanceType: "m5.2xlarge")
            try sim.cloud.setLaunchFailure(
                group: "a-small", message: "We currently do not have sufficient m5.large capacity (InsufficientInstanceCapacity).")
            for i in 0..<3 { try sim.addPod("web-\(i)", cpu: "1500m") }
            let parts = sim.autoscaler()
            try await sim.running(parts) {
                try await sim.pass(parts)
                #expect(sim.desired("a-small") == 3)

                // The cloud tries, fails, and reports it in its scaling activities.
                try sim.advance(by: .seconds(10))
                let report = try await sim.pass(parts)
                let reason = try #require(report.provisioningFailures["a-small"])
                #expect(reason.contains("InsufficientInstanceCapacity"))
                #expect(sim.desired("a-small") == 0, "desired lowered back to what is really coming")
                #expect(report.scaleUp.increases.map(\.group) == ["b-large"], "the next best group in the same pass")
                #expect(sim.desired("b-large") == 1)
                let state = await parts.loop.currentState
                #expect(state.backoff.backoff(group: "a-small", now: sim.clock.now) != nil)

                try sim.advance(by: .seconds(61))
                #expect(try sim.pods().allSatisfy { $0.spec.nodeName != nil })
                try await sim.pass(parts)
                #expect(sim.desired("a-small") == 0)
                let status = try #require(try sim.statusConfigMap()?.data?[StatusReport.dataKey])
                #expect(status.contains("a-small: min=0 max=10 desired=0 registered=0 ready=0 backedOffUntil="), "\(status)")
                #expect(status.contains("InsufficientInstanceCapacity"), "\(status)")
            }
        }
    }

    @Test func nodesThatNeverRegisterBackTheGroupOffAfterTheProvisionTimeout() async throws {
        try await AutoscalerSim.with { sim in
            try sim.addGroup("slow", cpu: 2, boot: .seconds(3600))
            try sim.addGroup("spare", cpu: 4, memory: "16Gi", instanceType: "m5.xlarge")
            try sim.addPod("web", cpu: "1500m")
            let settings = AutoscalerSim.settings { $0.provisionTimeout = .seconds(120) }
            let parts = sim.autoscaler(settings: settings)
            try await sim.running(parts) {
                try await sim.pass(parts)
                #expect(sim.desired("slow") == 1)
                try sim.advance(by: .seconds(60))
                let waiting = try await sim.pass(parts)
                #expect(waiting.provisioningFailures.isEmpty)
                try sim.advance(by: .seconds(61))
                let report = try await sim.pass(parts)
                #expect(report.provisioningFailures["slow"]?.contains("did not register") == true)
                #expect(sim.desired("slow") == 0)
                #expect(sim.desired("spare") == 1)
            }
        }
    }

    @Test func aPriorityConfigMapPicksTheGroup() async throws {
        try await AutoscalerSim.with { sim in
            try sim.addGroup("on-demand", cpu: 2)
            try sim.addGroup("spot", cpu: 8, memory: "32Gi", instanceType: "m5.2xlarge")
            let map = ConfigMap(
                metadata: ObjectMeta(name: "cluster-autoscaler-priority-expander", namespace: "kube-system"),
                data: ["priorities": "10:\n  - on-demand\n50:\n  - ^spot$\n"])
            try sim.store.create(sim.store.resource("configmaps")!, namespace: "kube-system", object: try JSONValue(encoding: map))
            try sim.addPod("web", cpu: "1")
            let settings = AutoscalerSim.settings { $0.expanders = [.priority, .leastWaste] }
            let parts = sim.autoscaler(settings: settings)
            try await sim.running(parts) {
                try await sim.pass(parts)
                #expect(sim.desired("spot") == 1)
                #expect(sim.desired("on-demand") == 0)
            }
        }
    }

    @Test func theUnreadyClusterHaltStopsScalingAndSaysSo() async throws {
        try await AutoscalerSim.with { sim in
            try sim.addGroup("general", cpu: 2, desired: 5)
            try sim.advance(by: .seconds(700))
            let names = try sim.nodes().compactMap(\.metadata.name).sorted()
            for name in names.prefix(4) { sim.sim.kubelets!.stopKubelet(node: name) }
            try sim.advance(by: .seconds(60), step: .seconds(5))
            for i in 0..<10 { try sim.addPod("web-\(i)", cpu: "1500m") }
            let parts = sim.autoscaler()
            try await sim.running(parts) {
                let report = try await sim.pass(parts)
                #expect(report.scaleUp.halted?.contains("4 of 5 nodes unready") == true, "\(report.scaleUp.halted ?? "")")
                #expect(report.scaleUp.increases.isEmpty)
                #expect(sim.desired("general") == 5)
                let status = try #require(try sim.statusConfigMap()?.data?[StatusReport.dataKey])
                #expect(status.contains("Health: Unhealthy"), "\(status)")
            }
        }
    }

    @Test func dryRunWritesNothingButStillDecides() async throws {
        try await AutoscalerSim.with { sim in
            try sim.addGroup("small", cpu: 2)
            for i in 0..<2 { try sim.addPod("web-\(i)", cpu: "1500m") }
            sim.audit.clear()
            let logs = LogCapture()
            let parts = sim.autoscaler(dryRun: true, logs: logs)
            try await sim.running(parts) {
                let report = try await sim.pass(parts)
                #expect(report.scaleUp.increases.map(\.group) == ["small"])
                #expect(report.scaleUp.increases.first?.to == 2)
                try await sim.pass(parts)
            }
            #expect(sim.desired("small") == 0)
            #expect(sim.clientWrites().isEmpty, "\(sim.clientWrites())")
            #expect(try sim.statusConfigMap() == nil)
            #expect(try sim.events(reason: "TriggeredScaleUp").isEmpty)
            let wouldScale = logs.lines.filter { $0.hasPrefix("dry-run: would write") && $0.contains("object=asg/small") }
            #expect(wouldScale.first?.contains("desiredCapacity=2") == true, "\(logs.lines)")
            #expect(logs.lines.contains { $0.hasPrefix("scale-up ") && $0.contains("group=small") && $0.contains("to=2") })
        }
    }

    @Test func podsOfANodeAskingForASurgeCountAsDemand() async throws {
        try await AutoscalerSim.with { sim in
            try sim.addGroup("general", cpu: 2, desired: 1)
            let node = try #require(try sim.nodes().first?.metadata.name)
            try sim.addPod("db", cpu: "1500m", node: node)
            try sim.annotateNode(node, [DrainerContract.surgeRequested: "2026-12-01T00:00:00Z"])
            let parts = sim.autoscaler()
            try await sim.running(parts) {
                let report = try await sim.pass(parts)
                #expect(report.surgePods == ["default/db"])
                #expect(sim.desired("general") == 2)
            }
        }
    }

    @Test func aNewlyUnschedulablePodWakesTheLoopAfterTheBatchingWindow() async throws {
        try await AutoscalerSim.with { sim in
            try sim.addGroup("small", cpu: 2)
            let settings = AutoscalerSim.settings {
                $0.scanInterval = .seconds(3600)
                $0.batchingWindow = .seconds(2)
            }
            let parts = sim.autoscaler(settings: settings)
            try await sim.running(parts) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await parts.loop.run(wakeups: parts.source) }
                    defer { group.cancelAll() }
                    // The first pass runs at once; then the periodic timer sleeps an hour.
                    #expect(await sim.clock.waitForSleepers(count: 1, timeout: .seconds(20)))
                    #expect(await eventually { parts.loop.liveness.lastPass != nil }, "the first pass is done")
                    try sim.addPod("web", cpu: "1")
                    #expect(await sim.clock.waitForSleepers(count: 2, timeout: .seconds(20)), "the batching window started")
                    #expect(sim.desired("small") == 0)
                    sim.clock.advance(by: .seconds(2))
                    #expect(await eventually { sim.desired("small") == 1 }, "woken by the pod, not by the hourly scan")
                }
            }
        }
    }
}

@Suite("Autoscaler loop: metrics", .serialized, .timeLimit(.minutes(2)))
struct LoopMetricsTests {
    @Test func aPassReportsPendingPodsScaleUpsAndBackoffUnderTheDocumentedNames() async throws {
        try await AutoscalerSim.with { sim in
            try sim.addGroup("small", cpu: 2, max: 1)
            for i in 0..<3 { try sim.addPod("web-\(i)", cpu: "1500m") }
            let metrics = TestMetrics()
            let parts = sim.autoscaler(metrics: AutoscalerMetrics(factory: metrics))
            try await sim.running(parts) {
                await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await parts.loop.run() }
                    defer { group.cancelAll() }
                    #expect(await eventually { sim.desired("small") == 1 })
                    #expect(await eventually { (try? metrics.expectTimer("mend_autoscaler_loop_duration_seconds").values.count) ?? 0 >= 1 })
                }
            }
            #expect(try metrics.expectCounter("mend_autoscaler_scale_ups_total", [("group", "small"), ("result", "requested")]).totalValue == 1)
            #expect(try metrics.expectGauge("mend_autoscaler_unschedulable_pods").lastValue == 3)
            #expect(try metrics.expectGauge("mend_autoscaler_cluster_halted").lastValue == 0)
            #expect(try metrics.expectGauge("mend_autoscaler_node_groups_backed_off").lastValue == 0)
            #expect(try metrics.expectGauge("mend_autoscaler_node_group_backed_off", [("group", "small")]).lastValue == 0)
            #expect(try metrics.expectGauge("mend_autoscaler_last_loop_timestamp_seconds").lastValue == sim.clock.now.timeIntervalSince1970)
            #expect(try metrics.expectCounter("mend_autoscaler_decisions_total", [("decision", "scale_up"), ("reason", "least_waste")]).totalValue == 1)
            #expect(try metrics.expectCounter("mend_autoscaler_decisions_total", [("decision", "no_scale_up"), ("reason", "max_size")]).totalValue >= 1)
        }
    }
}
