import ClusterSim
import Foundation
import KubeModels
import MendTime
import Testing

@Suite("Running the simulation")
struct SimRunTests {
    private func waitUntil(_ what: String, timeout: Duration = .seconds(10), silent: Bool = false,
                           _ condition: () -> Bool) async throws {
        let start = ContinuousClock.now
        while !condition() {
            if ContinuousClock.now - start > timeout {
                if !silent { Issue.record("timed out waiting until \(what)") }
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func runReactsToChangesAndToTheClockAndEndsWhenCancelled() async throws {
        let clock = ManualClock()
        let sim = SimFixtures.simulation(clock: clock, startDelay: .seconds(5))
        let watchesBefore = sim.store.openWatchCount
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await sim.run() }
            let triggers = sim.parts.map(\.triggers.count).reduce(0, +)
            try await waitUntil("every part watches its triggers") { sim.store.openWatchCount == watchesBefore + triggers }
            try sim.addNode(SimFixtures.node("n1"))
            try sim.addPod(SimFixtures.pod("web"))

            // A change wakes the scheduler: no clock movement needed.
            try await waitUntil("the pod is bound") { sim.pod("web")?.nodeName == "n1" }
            #expect(sim.pod("web")?.phase == "Pending")

            // The start delay passes only when the clock moves: step it until the pod runs.
            let boundAt = clock.now
            for _ in 0..<30 where sim.pod("web")?.phase != "Running" {
                await clock.waitForSleepers(count: sim.parts.count)
                clock.advance(by: .seconds(1))
                try? await waitUntil("the kubelet had its turn", timeout: .milliseconds(200), silent: true) {
                    sim.pod("web")?.phase == "Running"
                }
            }
            #expect(sim.pod("web")?.phase == "Running")
            #expect(clock.now.timeIntervalSince(boundAt) >= 5, "not before the 5 s start delay")
            group.cancelAll()
        }
        #expect(sim.store.openWatchCount == watchesBefore)
    }
}
