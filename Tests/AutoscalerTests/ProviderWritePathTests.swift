import ClusterSim
import Foundation
import KubeModels
import Logging
import MendCore
import MendTime
import MetricsTestKit
import Testing

@testable import Autoscaler

/// Capacity writes to a provider other than the AWS client, through the one write path: sent to
/// the provider live, only logged in dry-run, counted under their verb either way.
@Suite("Node-group writes through the write path")
struct ProviderWritePathTests {
    static func setUp(dryRun: Bool, logs: LogRecorder? = nil, metrics: TestMetrics) throws -> (ClusterSimulation, WritePath) {
        let sim = try SimulatedNodeGroupProviderTests.simulation(ManualClock(), desired: 2, min: 1)
        var logger = logs.map { recorder in Logger(label: "autoscaler-tests") { _ in recorder.handler() } } ?? Logger(label: "t")
        logger.logLevel = .info
        let provider = SimulatedNodeGroupProvider(cloud: sim.cloud!)
        // No Kubernetes client: terminations never reach the API server.
        let writes = WritePath.forNodeGroups(provider, kubernetes: nil, dryRun: dryRun, logger: logger, factory: metrics)
        return (sim, writes)
    }

    @Test func liveTerminationReachesTheProviderForTheNamedGroupAndIsCounted() async throws {
        let metrics = TestMetrics()
        let logs = LogRecorder()
        let (sim, writes) = try Self.setUp(dryRun: false, logs: logs, metrics: metrics)
        let victim = try #require(sim.cloud!.instances(group: "general").first)

        try await writes.terminateInstance(victim.id, group: "general", decrementDesiredCapacity: true)

        #expect(sim.cloud!.nodeGroup("general")?.desiredCapacity == 1)
        #expect(!sim.cloud!.instances(group: "general").contains { $0.id == victim.id })
        let counted = try metrics.expectCounter(
            "mend_writes_total", [("verb", "terminate_instance"), ("result", "success"), ("mode", "live")])
        #expect(counted.totalValue == 1)
        #expect(logs.lines.contains { $0.metadata["object"] == "asg/general/instance/\(victim.id)" })
    }

    @Test func liveTerminationWithoutAGroupFindsItsGroup() async throws {
        let (sim, writes) = try Self.setUp(dryRun: false, metrics: TestMetrics())
        let victim = try #require(sim.cloud!.instances(group: "general").first)
        try await writes.terminateInstance(victim.id, decrementDesiredCapacity: true)
        #expect(sim.cloud!.nodeGroup("general")?.desiredCapacity == 1)
        await #expect(throws: NodeGroupWriteError.instanceNotInAnyGroup("i-0000000000000dead")) {
            try await writes.terminateInstance("i-0000000000000dead", decrementDesiredCapacity: true)
        }
    }

    @Test func dryRunTerminationIsLoggedButNeverSent() async throws {
        let metrics = TestMetrics()
        let logs = LogRecorder()
        let (sim, writes) = try Self.setUp(dryRun: true, logs: logs, metrics: metrics)
        let victim = try #require(sim.cloud!.instances(group: "general").first)

        try await writes.terminateInstance(victim.id, group: "general", decrementDesiredCapacity: true)

        #expect(sim.cloud!.instances(group: "general").count == 2)
        #expect(sim.cloud!.nodeGroup("general")?.desiredCapacity == 2)
        let logged = try #require(logs.lines.first { $0.message.contains("dry-run: would write") })
        #expect(logged.metadata["verb"] == "terminate_instance")
        #expect(logged.metadata["change"]?.contains("decrementDesiredCapacity=true") == true)
        let counted = try metrics.expectCounter("mend_writes_total", [("verb", "terminate_instance"), ("result", "dry_run"), ("mode", "dry_run")])
        #expect(counted.totalValue == 1)
    }

    @Test func aRefusedTerminationIsRethrownAndCountedAsAnError() async throws {
        let metrics = TestMetrics()
        let (sim, writes) = try Self.setUp(dryRun: false, metrics: metrics)
        let instances = sim.cloud!.instances(group: "general")
        try await writes.terminateInstance(instances[0].id, group: "general", decrementDesiredCapacity: true)

        await #expect(throws: CloudError.belowMinimum(group: "general", minSize: 1)) {
            try await writes.terminateInstance(instances[1].id, group: "general", decrementDesiredCapacity: true)
        }
        let errors = try metrics.expectCounter("mend_writes_total", [("verb", "terminate_instance"), ("result", "error"), ("mode", "live")])
        #expect(errors.totalValue == 1)
    }

    @Test func theRequestDescribesItsGroupAndInstance() {
        let named = WriteRequest.terminateInstance(group: "general", instanceID: "i-0abc", decrementDesiredCapacity: true)
        #expect(named.verb == "terminate_instance")
        #expect(named.target == "asg/general/instance/i-0abc")
        #expect(named.summary == "decrementDesiredCapacity=true")
        #expect(WriteRequest.terminateInstance(group: nil, instanceID: "i-0abc", decrementDesiredCapacity: false).target == "instance/i-0abc")
    }
}
