import ClusterSim
import Foundation
import MendDemo
import Testing

/// The three programs together against ClusterSim: the demo's scenarios, asserted, and the same
/// chain under injected API faults.
@Suite(.serialized) struct ChainTests {
    static func kernelMonitor() throws -> String {
        // Tests run from the package root.
        try DemoFiles.locate("config/kernel-monitor.json", executable: #filePath)
    }

    /// Runs `scenario` at high speed; `faults` may inject API-server misbehaviour once the chain runs.
    static func heal(
        _ scenario: DemoScenario, timeout: Duration = .seconds(2400),
        faults: (@Sendable (Chain) async -> Void)? = nil
    ) async throws -> DemoReport {
        let chain = try await Chain.start(Chain.Configuration(scenario: scenario, speed: 60, kernelMonitorPath: try kernelMonitor()))
        defer { Task { try? await chain.simulation.server?.shutdown() } }
        let faultTask = faults.map { inject in Task { await inject(chain) } }
        defer { faultTask?.cancel() }
        return try await DemoRun(chain: chain, timeout: timeout).run(report: { _ in })
    }

    @Test(.timeLimit(.minutes(3))) func aSickNodeIsReplacedAndTheClusterHeals() async throws {
        let report = try await Self.heal(.heal)
        #expect(report.healed, "timeline:\n\(report.timeline.map(\.line).joined(separator: "\n"))")
        #expect(report.podsDisrupted >= 1)
        #expect(report.capacityAdded >= 1)
        #expect(report.nodesRemoved >= 1)
        #expect(report.mostCordonedAtOnce <= 1)
        let kinds = report.timeline.map(\.kind)
        // (A scale-up and the drained node's removal can fall between two looks at the group's
        // size; the new node registering cannot.)
        for step: TimelineEntry.Kind in [.conditionSet, .cordoned, .podEvicted, .nodeRegistered, .nodeReady, .nodeRemoved, .healthy] {
            #expect(kinds.contains(step), "missing \(step)")
        }
        // The order of the chain: condition, cordon, new capacity, healthy.
        func first(_ kind: TimelineEntry.Kind) -> Int { kinds.firstIndex(of: kind) ?? Int.max }
        #expect(first(.conditionSet) < first(.cordoned))
        #expect(first(.cordoned) < first(.nodeRegistered))
        #expect(first(.nodeRegistered) < first(.healthy))
    }

    @Test(.timeLimit(.minutes(4))) func aStormOfSickNodesIsTakenOneAtATime() async throws {
        let report = try await Self.heal(.storm)
        #expect(report.mostCordonedAtOnce <= 1, "the budget allows one cordoned node")
        #expect(report.healed, "timeline:\n\(report.timeline.map(\.line).joined(separator: "\n"))")
        #expect(report.nodesRemoved >= 3)
    }

    @Test(.timeLimit(.minutes(4))) func theChainHealsThroughAPIServerFaultsAndRestarts() async throws {
        let report = try await Self.heal(.heal) { chain in
            guard let server = chain.simulation.server else { return }
            // Every program sees failures and slow writes; the simulation's own parts do not
            // (they write to the store directly), so only Mend's resilience is tested.
            server.faults.failRandomly(rate: 0.1, code: 503)
            server.faults.failRandomly(rate: 0.05, code: 429, retryAfterSeconds: 1)
            server.faults.addLatency(.milliseconds(20), matching: .init(verb: "patch"))
            // Two API-server restarts: every watch ends and its history is gone (410 on resume).
            for _ in 0..<2 {
                try? await Task.sleep(for: .seconds(1))
                server.simulateRestart()
            }
        }
        #expect(report.healed, "timeline:\n\(report.timeline.map(\.line).joined(separator: "\n"))")
        #expect(report.mostCordonedAtOnce <= 1, "the budget holds under faults")
        #expect(report.nodesRemoved >= 1)
    }

    @Test(.timeLimit(.minutes(3))) func aGroupThatCannotLaunchIsBackedOffAndTheNextOneUsed() async throws {
        let report = try await Self.heal(.backoff)
        #expect(report.healed, "timeline:\n\(report.timeline.map(\.line).joined(separator: "\n"))")
        #expect(report.timeline.contains { $0.kind == .scaledUp && $0.text.contains("large") }
                || report.timeline.contains { $0.kind == .nodeRegistered && $0.text.contains("us-east-1b") },
                "the replacement came from the large group (zone us-east-1b)")
    }
}
