import ClusterSim
import Foundation
import KubeModels
import Testing
@testable import Drainer

@Suite("Safety budget in the reconciler", .serialized, .timeLimit(.minutes(1)))
struct BudgetReconcilerTests {
    @Test func drainStartsKeepTheMinimumIntervalAndTheSecondWaitsCordoned() async throws {
        try await DrainerSim.with { (sim: DrainerSim) async throws in
            try sim.addNode("n1")
            try sim.addNode("n2")
            try sim.setCondition("n1", "KernelDeadlock", .true, secondsAgo: 10)
            try sim.setCondition("n2", "KernelDeadlock", .true)
            let policy = try ReconcilerTests.policy("KernelDeadlock") {
                $0.budget.maxConcurrentDrains = 1
                $0.budget.minIntervalBetweenDrains = .seconds(60)
            }
            let start = sim.clock.now
            let parts = sim.reconciler(policy)
            try await sim.running(parts) { () async throws in
                #expect(try await eventually { try sim.node("n1").metadata.annotations?[MendNodeKeys.drained] != nil })
                #expect(try await eventually { try sim.node("n2").isUnschedulable }, "cordoned at once")
                #expect(try sim.node("n2").metadata.annotations?[MendNodeKeys.drainStartedAt] == nil, "but its drain waits")
                #expect(await sim.clock.waitForSleepers(count: 1))
                sim.clock.advance(by: .seconds(59))
                try await Task.sleep(for: .milliseconds(100))
                #expect(try sim.node("n2").metadata.annotations?[MendNodeKeys.drainStartedAt] == nil)
                sim.clock.advance(by: .seconds(1))
                #expect(try await eventually { try sim.node("n2").metadata.annotations?[MendNodeKeys.drained] != nil })
                let started = try #require(try sim.node("n2").metadata.annotations?[MendNodeKeys.drainStartedAt])
                #expect(started == KubeTime(start.addingTimeInterval(60)).description)
            }
        }
    }

    @Test func nothingNewStartsOutsideTheMaintenanceWindow() async throws {
        try await DrainerSim.with { (sim: DrainerSim) async throws in
            try sim.addNode("n1")
            try sim.setCondition("n1", "KernelDeadlock", .true)
            // The manual clock starts on a Friday (2027-01-15, 08:00 UTC); the window is Sundays only.
            let window = MaintenanceWindow(days: [1], startMinute: 0, endMinute: 0, timeZone: TimeZone(identifier: "UTC")!)
            let policy = try ReconcilerTests.policy("KernelDeadlock") { $0.budget.maintenanceWindows = [window] }
            let parts = sim.reconciler(policy)
            try await sim.running(parts) { () async throws in
                #expect(await passes(parts.0, beyond: 0, count: 1))
                try await Task.sleep(for: .milliseconds(100))
                #expect(try !sim.node("n1").isUnschedulable)
                // Sunday 00:00:30 UTC: the window opens and the pending cordon goes ahead.
                #expect(await sim.clock.waitForSleepers(count: 1))
                sim.clock.advance(to: try KubeTime(parsing: "2027-01-17T00:00:30Z").date)
                #expect(try await eventually { try sim.node("n1").isUnschedulable })
                let weekday = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: sim.clock.now).weekday
                #expect(weekday == 1)
            }
        }
    }
}
