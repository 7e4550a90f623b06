import ClusterSim
import Foundation
import KubeClient
import KubeModels
import MendTime
import Testing
@testable import Drainer

/// The storm cool-down kept in the cluster, and surge (capacity before draining), against ClusterSim.
@Suite("Stored state and surge against ClusterSim", .serialized, .timeLimit(.minutes(1)))
struct StateAndSurgeTests {
    func stateMap(_ sim: DrainerSim) -> [String: String]? {
        guard let object = try? sim.store.get(sim.store.resource("configmaps")!, namespace: "mend", name: ConfigMapStateStore.defaultName)
        else { return nil }
        return (try? object.decode(as: ConfigMap.self))?.data
    }

    @Test func aRestartedDrainerHonoursTheRemainingStormCooldown() async throws {
        try await DrainerSim.with { (sim: DrainerSim) async throws in
            for index in 0..<4 { try sim.addNode("n\(index)") }
            try sim.setCondition("n0", "KernelDeadlock", .true, secondsAgo: 60)
            try sim.setCondition("n1", "KernelDeadlock", .true)
            let policy = try ReconcilerTests.policy("KernelDeadlock") {
                $0.budget.maxCordoned = .count(1)
                $0.budget.stormCooldown = .seconds(1800)
            }
            let stormStart = sim.clock.now
            let first = sim.reconciler(policy)
            try await sim.running(first) { () async throws in
                #expect(try await eventually { try sim.mendCordoned() == ["n0"] })
                #expect(await eventually { !sim.events(reason: DrainEventReason.budgetExhausted, node: "n1").isEmpty })
                #expect(await eventually { self.stateMap(sim)?[ConfigMapStateStore.stormCooldownUntilKey] != nil })
            }
            let stored = try #require(stateMap(sim)?[ConfigMapStateStore.stormCooldownUntilKey])
            #expect(stored == KubeTime(stormStart.addingTimeInterval(1800)).description)

            // While no drainer runs, the drained node is removed (as the autoscaler would): the
            // cordon limit has room again, but the cool-down has 20 minutes left.
            _ = try sim.store.delete(sim.store.resource("nodes")!, namespace: nil, name: "n0")
            sim.clock.advance(by: .seconds(600))
            let second = sim.reconciler(policy)
            try await sim.running(second) { () async throws in
                #expect(await passes(second.0, beyond: 0, count: 1))
                try await Task.sleep(for: .milliseconds(200))
                #expect(try sim.mendCordoned().isEmpty, "the new drainer waits out the stored cool-down")
                #expect(await second.0.stormCooldownUntil == stormStart.addingTimeInterval(1800))
                #expect(await sim.clock.waitForSleepers(count: 1))
                sim.clock.advance(by: .seconds(1199))
                try await Task.sleep(for: .milliseconds(100))
                #expect(try sim.mendCordoned().isEmpty)
                sim.clock.advance(by: .seconds(2))
                #expect(try await eventually { try sim.mendCordoned() == ["n1"] }, "cordons again once the cool-down is over")
            }
        }
    }

    @Test func withoutStoredStateARestartForgetsTheCooldown() async throws {
        // The control for the test above: the in-memory cool-down is lost on restart.
        try await DrainerSim.with { (sim: DrainerSim) async throws in
            for index in 0..<4 { try sim.addNode("n\(index)") }
            try sim.setCondition("n0", "KernelDeadlock", .true, secondsAgo: 60)
            try sim.setCondition("n1", "KernelDeadlock", .true)
            let policy = try ReconcilerTests.policy("KernelDeadlock") {
                $0.budget.maxCordoned = .count(1)
                $0.budget.stormCooldown = .seconds(1800)
            }
            let first = sim.reconciler(policy, keepState: false)
            try await sim.running(first) { () async throws in
                #expect(await eventually { !sim.events(reason: DrainEventReason.budgetExhausted, node: "n1").isEmpty })
            }
            #expect(stateMap(sim) == nil)
            _ = try sim.store.delete(sim.store.resource("nodes")!, namespace: nil, name: "n0")
            let second = sim.reconciler(policy, keepState: false)
            try await sim.running(second) { () async throws in
                #expect(try await eventually { try sim.mendCordoned() == ["n1"] })
            }
        }
    }

    @Test func dryRunReadsTheStoredStateButWritesNone() async throws {
        try await DrainerSim.with { (sim: DrainerSim) async throws in
            for index in 0..<2 { try sim.addNode("n\(index)") }
            try sim.setCondition("n0", "KernelDeadlock", .true)
            try sim.setCondition("n1", "KernelDeadlock", .true)
            let policy = try ReconcilerTests.policy("KernelDeadlock") { $0.budget.maxCordoned = .count(1) }
            sim.server.audit.clear()
            let parts = sim.reconciler(policy, dryRun: true)
            try await sim.running(parts) { () async throws in
                #expect(await passes(parts.0, beyond: 0, count: 1))
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(sim.server.audit.writes.isEmpty)
            #expect(stateMap(sim) == nil)
        }
    }

    // MARK: Surge

    static let roomy: [String: Quantity] = ["cpu": Quantity(4), "memory": Quantity(8_000_000_000), "pods": Quantity(110)]
    static let small: [String: Quantity] = ["cpu": Quantity(2), "memory": Quantity(8_000_000_000), "pods": Quantity(110)]

    static func pod(_ name: String, node: String, milliCPU: Int64) -> Pod {
        var pod = Build.pod(name, node: node)
        pod.spec.containers[0].resources = ResourceRequirements(requests: ["cpu": Quantity(milli: milliCPU)])
        return pod
    }

    static func surgePolicy(onTimeout: SurgeSettings.TimeoutChoice = .proceed) throws -> DrainerPolicy {
        try ReconcilerTests.policy("KernelDeadlock") {
            $0.surge = SurgeSettings(enabled: true, timeout: .seconds(3600), onTimeout: onTimeout, recheckInterval: .seconds(30))
        }
    }

    @Test func withSurgeAndNoRoomNothingIsEvictedUntilANewNodeAppears() async throws {
        try await DrainerSim.with { (sim: DrainerSim) async throws in
            try sim.addNode("n1", allocatable: Self.roomy)
            try sim.addNode("n2", allocatable: Self.small)
            try sim.addPod(Self.pod("busy", node: "n2", milliCPU: 1500))
            try sim.addPod(Self.pod("web-1", node: "n1", milliCPU: 1500))
            try sim.setCondition("n1", "KernelDeadlock", .true)
            let start = sim.clock.now
            let parts = sim.reconciler(try Self.surgePolicy())
            try await sim.running(parts) { () async throws in
                #expect(try await eventually { try sim.node("n1").metadata.annotations?[MendNodeKeys.surgeRequested] != nil })
                let requested = try #require(try sim.node("n1").metadata.annotations?[MendNodeKeys.surgeRequested])
                #expect(requested == KubeTime(start).description, "RFC 3339 time of the request")
                #expect(try sim.node("n1").isUnschedulable, "cordoned while waiting")
                #expect(await eventually { !sim.events(reason: DrainEventReason.surgeRequested, node: "n1").isEmpty })
                // Ten re-checks later there is still no room: no eviction, no drain start.
                for _ in 0..<10 {
                    #expect(await sim.clock.waitForSleepers(count: 1))
                    let before = await parts.0.passCount
                    sim.clock.advance(by: .seconds(30))
                    #expect(await passes(parts.0, beyond: before))
                }
                #expect(sim.evictions(of: "web-1") == 0)
                #expect(try sim.node("n1").metadata.annotations?[MendNodeKeys.drainStartedAt] == nil)
                #expect(try sim.node("n1").metadata.annotations?[MendNodeKeys.surgeRequested] == requested, "the request keeps its time")

                // Capacity arrives (the autoscaler's new node): the drain proceeds at once.
                try sim.addNode("n3", allocatable: Self.roomy)
                #expect(await eventually { sim.evictions(of: "web-1") == 1 })
                // The drain polls for the pod to be gone on the clock: move it along.
                #expect(try await eventually {
                    sim.clock.advance(by: .seconds(1))
                    return try sim.node("n1").metadata.annotations?[MendNodeKeys.drained] != nil
                })
                let drained = try sim.node("n1")
                #expect(drained.metadata.annotations?[MendNodeKeys.surgeRequested] == nil, "removed when the drain started")
                #expect(drained.metadata.annotations?[MendNodeKeys.drainOutcome] == "succeeded")
            }
        }
    }

    @Test func withSurgeAndRoomTheDrainStartsWithoutARequest() async throws {
        try await DrainerSim.with { (sim: DrainerSim) async throws in
            try sim.addNode("n1", allocatable: Self.roomy)
            try sim.addNode("n2", allocatable: Self.roomy)
            try sim.addPod(Self.pod("web-1", node: "n1", milliCPU: 1500))
            try sim.setCondition("n1", "KernelDeadlock", .true)
            let parts = sim.reconciler(try Self.surgePolicy())
            try await sim.running(parts, tick: .seconds(1)) { () async throws in
                #expect(try await eventually { try sim.node("n1").metadata.annotations?[MendNodeKeys.drained] != nil })
                #expect(sim.evictions(of: "web-1") == 1)
                #expect(sim.events(reason: DrainEventReason.surgeRequested).isEmpty)
            }
        }
    }

    @Test func surgeTimeoutCanLeaveTheNodeCordonedUndrained() async throws {
        try await DrainerSim.with { (sim: DrainerSim) async throws in
            try sim.addNode("n1", allocatable: Self.roomy)
            try sim.addNode("n2", allocatable: Self.small)
            try sim.addPod(Self.pod("web-1", node: "n1", milliCPU: 3000))
            try sim.setCondition("n1", "KernelDeadlock", .true)
            let parts = sim.reconciler(try Self.surgePolicy(onTimeout: .stayCordoned))
            try await sim.running(parts) { () async throws in
                #expect(try await eventually { try sim.node("n1").metadata.annotations?[MendNodeKeys.surgeRequested] != nil })
                #expect(await sim.clock.waitForSleepers(count: 1))
                sim.clock.advance(by: .seconds(3601))
                #expect(try await eventually {
                    try sim.node("n1").metadata.annotations?[MendNodeKeys.drainOutcome] == MendNodeKeys.surgeTimedOutOutcome
                })
                #expect(await eventually { !sim.events(reason: DrainEventReason.surgeTimedOut, node: "n1").isEmpty })
                try await Task.sleep(for: .milliseconds(100))
                #expect(sim.evictions(of: "web-1") == 0)
                #expect(try sim.node("n1").isUnschedulable)
            }
        }
    }

    @Test func aNodeThatHealsWhileWaitingLosesItsSurgeRequest() async throws {
        try await DrainerSim.with { (sim: DrainerSim) async throws in
            try sim.addNode("n1", allocatable: Self.roomy)
            try sim.addNode("n2", allocatable: Self.small)
            try sim.addPod(Self.pod("web-1", node: "n1", milliCPU: 3000))
            try sim.setCondition("n1", "KernelDeadlock", .true)
            let policy = try Self.surgePolicy()
            let parts = sim.reconciler(policy)
            try await sim.running(parts) { () async throws in
                #expect(try await eventually { try sim.node("n1").metadata.annotations?[MendNodeKeys.surgeRequested] != nil })
                try sim.setCondition("n1", "KernelDeadlock", .false)
                #expect(try await eventually { try sim.node("n1").metadata.annotations?[MendNodeKeys.surgeRequested] == nil })
                #expect(sim.evictions(of: "web-1") == 0)
            }
        }
    }
}
