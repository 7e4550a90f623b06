import ClusterSim
import Foundation
import KubeModels
import MendTime
import Testing

@testable import Autoscaler

@Suite("Autoscaler loop: scale-down and state against ClusterSim", .serialized, .timeLimit(.minutes(3)))
struct ScaleDownLoopTests {
    @Test func aNodeDrainedByMendDrainerIsRemovedFirstWithoutWaiting() async throws {
        try await AutoscalerSim.with { sim in
            try sim.addGroup("general", cpu: 2, desired: 3)
            let names = try sim.nodes().compactMap(\.metadata.name).sorted()
            for (i, name) in names.enumerated() where i > 0 { try sim.addPod("busy-\(i)", cpu: "1500m", node: name) }
            try sim.annotateNode(names[0], [DrainerContract.drained: "2026-12-01T00:00:00Z"], unschedulable: true)
            let remover = RecordingRemover()
            let parts = sim.autoscaler(remover: remover)
            try await sim.running(parts) {
                let report = try await sim.pass(parts)
                let removal = try #require(report.scaleDown?.removals.first)
                #expect(removal.node == names[0])
                #expect(removal.kind == .drained)
                #expect(remover.requests.first?.first?.node == names[0], "handed to the remover in the first pass")
                let status = try #require(try sim.statusConfigMap()?.data?[StatusReport.dataKey])
                #expect(status.contains("LastScaleDown:"), "\(status)")
                #expect(status.contains("drained by mend-drainer"), "\(status)")
            }
        }
    }

    @Test func unneededTimeSurvivesARestartThroughTheStatusConfigMap() async throws {
        try await AutoscalerSim.with { sim in
            try sim.addGroup("general", cpu: 2, desired: 2)
            let names = try sim.nodes().compactMap(\.metadata.name).sorted()
            try sim.addPod("busy", cpu: "1500m", node: names[1])
            let first = sim.autoscaler(remover: RecordingRemover())
            try await sim.running(first) {
                let report = try await sim.pass(first)
                #expect(report.scaleDown?.unneededSince[names[0]] == sim.clock.now)
                #expect(report.scaleDown?.removals.isEmpty == true)
            }
            let saved = try #require(try sim.statusConfigMap()?.data?[AutoscalerState.dataKey])
            #expect(AutoscalerState.decode(saved)?.unneededSince[names[0]] != nil)

            // A new leader, eleven minutes later: the node has been unneeded long enough.
            try sim.advance(by: .seconds(660), step: .seconds(10))
            let remover = RecordingRemover()
            let second = sim.autoscaler(remover: remover)
            try await sim.running(second) {
                let report = try await sim.pass(second)
                #expect(report.scaleDown?.removals.map(\.node) == [names[0]])
                #expect(report.scaleDown?.removals.first?.kind == .empty)
            }
            #expect(remover.requests.count == 1)
        }
    }

    @Test func aFreshLoopWithoutSavedStateWaitsTheUnneededTime() async throws {
        try await AutoscalerSim.with { sim in
            try sim.addGroup("general", cpu: 2, desired: 2)
            let names = try sim.nodes().compactMap(\.metadata.name).sorted()
            try sim.addPod("busy", cpu: "1500m", node: names[1])
            let remover = RecordingRemover()
            let parts = sim.autoscaler(remover: remover)
            try await sim.running(parts) {
                try await sim.pass(parts)
                try sim.advance(by: .seconds(300), step: .seconds(10))
                let early = try await sim.pass(parts)
                if case .unneededForTooShort = early.scaleDown?.blocked[names[0]] {} else {
                    Issue.record("expected the node to wait: \(String(describing: early.scaleDown?.blocked[names[0]]))")
                }
                #expect(remover.requests.isEmpty)
            }
        }
    }

    @Test func theStatusConfigMapShowsHealthGroupsAndTheLastScaleUp() async throws {
        try await AutoscalerSim.with { sim in
            try sim.addGroup("small", cpu: 2, min: 0, max: 7)
            try sim.addPod("web", cpu: "1500m")
            let parts = sim.autoscaler()
            try await sim.running(parts) {
                try await sim.pass(parts)
            }
            let map = try #require(try sim.statusConfigMap())
            let status = try #require(map.data?[StatusReport.dataKey])
            #expect(status.contains("Health: Healthy"), "\(status)")
            #expect(status.contains("small: min=0 max=7 desired=1 registered=0 ready=0 provisioning=0->1"), "\(status)")
            #expect(status.contains("LastScaleUp:"), "\(status)")
            #expect(status.contains("small: 0 -> 1 for 1 pod(s) (m5.large)"), "\(status)")
            let state = try #require(AutoscalerState.decode(map.data?[AutoscalerState.dataKey] ?? ""))
            #expect(state.provisioning["small"]?.target == 1)
            #expect(state.lastScaleUp != nil)
        }
    }

    @Test func aBlockedNodeGetsOneEventPerReason() async throws {
        try await AutoscalerSim.with { sim in
            try sim.addGroup("general", cpu: 4, memory: "16Gi", desired: 2)
            let names = try sim.nodes().compactMap(\.metadata.name).sorted()
            try sim.addPod("lonely", cpu: "100m", node: names[0], owner: nil)
            try sim.addPod("big", cpu: "3900m", node: names[1])
            let settings = AutoscalerSim.settings { $0.scaleDown.unneededTime = .zero; $0.scaleDown.delayAfterScaleUp = .zero }
            let parts = sim.autoscaler(settings: settings, remover: RecordingRemover())
            try await sim.running(parts) {
                let report = try await sim.pass(parts)
                #expect(report.scaleDown?.blocked[names[0]] == .podNotReplicated(pod: "default/lonely"))
                try await sim.pass(parts)
                try await sim.pass(parts)
            }
            let events = try sim.events(reason: "ScaleDownBlocked").filter { $0.involvedObject.name == names[0] }
            #expect(events.count == 1)
            #expect(events.first?.count ?? 1 == 1, "not repeated on every pass")
            #expect(events.first?.message?.contains("no controller") == true)
        }
    }
}

@Suite("Autoscaler loop: reloaded settings", .serialized, .timeLimit(.minutes(3)))
struct ReloadedSettingsTests {
    @Test func appliedSettingsTakeEffectFromTheNextPassAndKeepTheState() async throws {
        try await AutoscalerSim.with { sim in
            try sim.addGroup("general", cpu: 2, desired: 3)
            let names = try sim.nodes().compactMap(\.metadata.name).sorted()
            for (i, name) in names.enumerated() where i > 0 { try sim.addPod("busy-\(i)", cpu: "1500m", node: name) }
            try sim.annotateNode(names[0], [DrainerContract.drained: "2026-12-01T00:00:00Z"], unschedulable: true)
            let remover = RecordingRemover()
            let parts = sim.autoscaler(settings: AutoscalerSim.settings { $0.scaleDownEnabled = false }, remover: remover)
            try await sim.running(parts) {
                let before = try await sim.pass(parts)
                #expect(before.scaleDown == nil, "scale-down is off")
                #expect(remover.requests.isEmpty)

                await parts.loop.apply(AutoscalerSim.settings { $0.scaleDownEnabled = true })
                #expect(await parts.loop.settings.scaleDownEnabled)
                let after = try await sim.pass(parts)
                #expect(after.scaleDown?.removals.first?.node == names[0], "the reloaded settings remove the drained node")
                #expect(remover.requests.first?.first?.node == names[0])
            }
        }
    }
}
