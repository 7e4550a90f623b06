import ClusterSim
import Foundation
import KubeModels
import Logging
import MendCore
import MendTime
import Testing

@testable import Autoscaler

@Suite("Autoscaler loop with the real node remover", .serialized, .timeLimit(.minutes(3)))
struct NodeRemoverLoopTests {
    private func remover(_ sim: AutoscalerSim) -> NodeRemover {
        var logger = Logger(label: "autoscaler-tests.remover")
        logger.logLevel = .warning
        let provider = SimulatedNodeGroupProvider(cloud: sim.cloud)
        let writes = WritePath.forNodeGroups(provider, kubernetes: sim.client, dryRun: false, clock: sim.clock, logger: logger)
        return NodeRemover(client: sim.client, provider: provider, writes: writes, clock: sim.clock, logger: logger)
    }

    @Test func aDrainedNodeIsTerminatedWithTheGroupDecremented() async throws {
        try await AutoscalerSim.with { sim in
            try sim.addGroup("general", cpu: 2, desired: 3)
            let names = try sim.nodes().compactMap(\.metadata.name).sorted()
            for name in names.dropFirst() { try sim.addPod("busy-\(name)", cpu: "1500m", node: name) }
            try sim.annotateNode(names[0], [DrainerContract.drained: "2026-12-01T00:00:00Z"], unschedulable: true)
            let parts = sim.autoscaler(remover: remover(sim))
            try await sim.running(parts) {
                let report = try await sim.pass(parts)
                #expect(report.removals.map(\.outcome) == [.removed], "\(report.removals)")
            }
            #expect(sim.desired("general") == 2)
            try sim.advance(by: .seconds(120), step: .seconds(10))
            #expect(try !sim.nodes().contains { $0.metadata.name == names[0] })
        }
    }

    @Test func aRemovalLeftHalfDoneByAnEarlierLeaderIsFinishedAfterARestart() async throws {
        try await AutoscalerSim.with { sim in
            try sim.addGroup("general", cpu: 2, desired: 3)
            let names = try sim.nodes().compactMap(\.metadata.name).sorted()
            for name in names.dropFirst() { try sim.addPod("busy-\(name)", cpu: "1500m", node: name) }
            // The previous leader tainted the node for deletion, then stopped before terminating it.
            let taint: JSONValue = [
                "key": .string(NodeTaints.toBeDeletedByClusterAutoscaler),
                "value": .string(String(Int(sim.clock.now.timeIntervalSince1970))), "effect": "NoSchedule",
            ]
            _ = try sim.store.modify(sim.store.resource("nodes")!, namespace: nil, name: names[0]) { object throws(APIError) in
                var object = object
                var spec = object["spec"] ?? [:]
                spec["taints"] = .array((spec["taints"]?.arrayValue ?? []) + [taint])
                object["spec"] = spec
                return object
            }
            try sim.sim.settle()
            let parts = sim.autoscaler(settings: AutoscalerSim.settings { $0.scaleDown.unneededTime = .seconds(3600) },
                                       remover: remover(sim))
            try await sim.running(parts) {
                let report = try await sim.pass(parts)
                #expect(report.scaleDown?.removals.first?.kind == .resumed)
                #expect(report.removals.first?.outcome == .removed, "\(report.removals)")
            }
            #expect(sim.desired("general") == 2)
            #expect(!sim.cloud.instances(group: "general").contains { $0.nodeName == names[0] })
        }
    }
}
