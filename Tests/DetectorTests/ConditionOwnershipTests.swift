import ClusterSim
import Foundation
import KubeClient
import KubeModels
import Testing
@testable import Detector

/// Conditions the detector once owned and no monitor configures any more: recorded on the node,
/// removed only when opted in, and never anyone else's.
@Suite(.serialized) struct ConditionOwnershipTests {
    @Test func leftoversAreRemovedOnlyWhenOptedInAndNeverTheKubeletsOrUnrecordedOnes() {
        let onNode = ["Ready", "OldDeadlock", "VendorProblem", "KernelDeadlock"]
        let recorded = "KernelDeadlock,OldDeadlock,Ready"
        let off = ConditionOwnership(recorded: recorded, configured: ["KernelDeadlock"], onNode: onNode, removeUnconfigured: false)
        #expect(off.remove.isEmpty)
        #expect(off.kept == ["OldDeadlock"])
        #expect(off.annotationValue == "KernelDeadlock,OldDeadlock", "leftovers stay recorded for a later opted-in run")
        let on = ConditionOwnership(recorded: recorded, configured: ["KernelDeadlock"], onNode: onNode, removeUnconfigured: true)
        #expect(on.remove == ["OldDeadlock"], "Ready is the kubelet's and VendorProblem was never recorded")
        #expect(on.annotationValue == "KernelDeadlock")
    }

    @Test func aRecordedTypeNoLongerOnTheNodeIsForgottenAndAnUnchangedRecordIsNotRewritten() {
        let gone = ConditionOwnership(recorded: "A,Old", configured: ["A"], onNode: ["A"], removeUnconfigured: false)
        #expect(gone.remove.isEmpty && gone.kept.isEmpty)
        #expect(gone.annotationValue == "A" && gone.annotationChanged)
        let same = ConditionOwnership(recorded: "A,B", configured: ["B", "A"], onNode: [], removeUnconfigured: true)
        #expect(!same.annotationChanged)
    }

    /// A node that carries, besides the kubelet's Ready, a condition an earlier configuration of the
    /// detector owned (`OldDeadlock`) and one written by another agent (`VendorProblem`).
    static func prepare(_ h: DetectorHarness) async throws {
        let now = KubeTime(Date()).description
        func condition(_ type: String, _ reason: String) -> JSONValue {
            .object(["type": .string(type), "status": .string("True"), "reason": .string(reason), "message": .string("set earlier"),
                     "lastTransitionTime": .string(now), "lastHeartbeatTime": .string(now)])
        }
        _ = try await h.client.patchJSON(.nodes, name: h.nodeName, patch: .strategicMerge(.object(["status": .object(["conditions": .array([
            condition("OldDeadlock", "DockerHung"), condition("VendorProblem", "VendorSaysSo"),
        ])])])), subresource: "status")
        _ = try await h.client.patchJSON(.nodes, name: h.nodeName, patch: .merge(.object(["metadata": .object(["annotations": .object([
            ConditionOwnership.annotation: .string("KernelDeadlock,OldDeadlock,Ready"),
        ])])])))
        h.server.audit.clear()
    }

    static func runDetector(_ h: DetectorHarness, removeUnconfigured: Bool) async throws {
        let detector = NodeProblemDetector(
            options: .init(nodeName: h.nodeName, heartbeatJitter: 0, clock: h.clock, removeUnconfiguredConditions: removeUnconfigured),
            writer: h.writer(), metrics: h.metrics)
        let monitor = try LifecycleMonitor.monitor()
        let run = Task { try await detector.run(logs: [.init(monitor: monitor, source: FeedSource())], plugins: []) }
        defer { run.cancel() }
        try await h.eventually("ownership recorded and defaults asserted") {
            let node = try await h.node()
            return node.metadata.annotations?[ConditionOwnership.annotation]?.contains("NetDown") == true
                && node.status.conditions?.contains { $0.type.rawValue == "DiskSlow" } == true
        }
        run.cancel()
        _ = await run.result
    }

    @Test func withTheOptInARecordedLeftoverIsRemovedAndNothingElse() async throws {
        try await DetectorHarness.run { h in
            try await Self.prepare(h)
            try await Self.runDetector(h, removeUnconfigured: true)
            let node = try await h.node()
            let types = Set((node.status.conditions ?? []).map(\.type.rawValue))
            #expect(!types.contains("OldDeadlock"))
            #expect(types.isSuperset(of: ["Ready", "VendorProblem", "KernelDeadlock", "NetDown", "DiskSlow"]))
            #expect(try await h.condition("Ready")?.reason == "KubeletReady")
            #expect(node.metadata.annotations?[ConditionOwnership.annotation] == "DiskSlow,KernelDeadlock,NetDown")
        }
    }

    @Test func withoutTheOptInNothingIsRemovedAndTheLeftoverStaysRecorded() async throws {
        try await DetectorHarness.run { h in
            try await Self.prepare(h)
            try await Self.runDetector(h, removeUnconfigured: false)
            let node = try await h.node()
            let types = Set((node.status.conditions ?? []).map(\.type.rawValue))
            #expect(types.isSuperset(of: ["Ready", "OldDeadlock", "VendorProblem", "KernelDeadlock", "NetDown", "DiskSlow"]))
            #expect(try await h.condition("OldDeadlock")?.status == .true)
            #expect(node.metadata.annotations?[ConditionOwnership.annotation] == "DiskSlow,KernelDeadlock,NetDown,OldDeadlock")
        }
    }
}
