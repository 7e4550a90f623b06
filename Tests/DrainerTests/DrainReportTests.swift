import ClusterSim
import Foundation
import KubeModels
import Testing
@testable import Drainer

@Suite("Drain reports and plan", .serialized, .timeLimit(.minutes(1)))
struct DrainReportTests {
    @Test func podCoveredBySeveralBudgetsIsReportedAsThatMisconfiguration() async throws {
        try await DrainerSim.with { (sim: DrainerSim) async throws in
            try sim.addNode("n1")
            try sim.addPod(Build.pod("web"))
            try sim.addPDB("web-a", app: "web", minAvailable: 0)
            try sim.addPDB("web-b", app: "web", minAvailable: 0)
            try sim.setCondition("n1", "KernelDeadlock", .true)
            let parts = sim.reconciler(try ReconcilerTests.policy("KernelDeadlock"))
            try await sim.running(parts) { () async throws in
                #expect(await eventually { !sim.events(reason: DrainEventReason.multiplePDBs, node: "n1").isEmpty })
                let event = try #require(sim.events(reason: DrainEventReason.multiplePDBs, node: "n1").first)
                #expect(event.message?.contains("default/web") == true)
                #expect(event.message?.contains("PodDisruptionBudget web-a, web-b") == true)
                #expect(event.message?.contains("several PodDisruptionBudgets") == true)
                #expect(sim.podExists("web"))
            }
        }
    }

    @Test func planListsMatchingNodesPodsToEvictAndBlockingBudgets() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let policy = DrainerPolicy(rules: [try ConditionRule(parsing: "KernelDeadlock=True,10m")])
        let nodes = [
            Build.node("bad", conditions: [Build.condition("KernelDeadlock", since: now.addingTimeInterval(-900))]),
            Build.node("soon", conditions: [Build.condition("KernelDeadlock", since: now.addingTimeInterval(-60))]),
            Build.node("fine"),
        ]
        let pods = [
            Build.pod("web-1", node: "bad"), Build.pod("agent", node: "bad", owner: "DaemonSet"),
            Build.pod("db-0", node: "bad", labels: ["app": "db"]), Build.pod("bare", node: "bad", owner: nil),
            Build.pod("web-2", node: "fine"),
        ]
        var budget = PodDisruptionBudget(
            metadata: ObjectMeta(name: "db", namespace: "default"),
            spec: PodDisruptionBudget.Spec(minAvailable: .int(1), selector: LabelSelector(matchLabels: ["app": "db"])))
        budget.status.disruptionsAllowed = 0
        let plan = DrainPlan.make(policy: policy, nodes: nodes, pods: pods, budgets: [budget], now: now)
        #expect(plan.entries.map(\.node) == ["bad", "soon"])
        let bad = try #require(plan.entries.first)
        #expect(bad.evict == ["default/db-0", "default/web-1"])
        #expect(bad.blocking.map(\.name).sorted() == ["bare", "db-0"])
        #expect(bad.blocking.first { $0.name == "db-0" }?.disruptionBudgets == ["db"])
        #expect(bad.skipped == ["default/agent (DaemonSet pod)"])
        let text = plan.render(now: now)
        #expect(text.contains("node bad: schedulable; matches KernelDeadlock=True,10m0s now"))
        #expect(text.contains("node soon: schedulable; matches KernelDeadlock=True,10m0s in 9m0s"))
        #expect(!text.contains("node fine"))
    }
}

@Suite("Drain timeout choices", .serialized, .timeLimit(.minutes(1)))
struct DrainTimeoutChoiceTests {
    @Test func keepWaitingReportsTheTimeoutOnceThenFinishesWhenTheBudgetAllows() async throws {
        try await DrainerSim.with { (sim: DrainerSim) async throws in
            try sim.addNode("n1")
            try sim.addNode("n2")
            try sim.addPod(Build.pod("db-0"))
            try sim.addPDB("db", app: "web", minAvailable: 1)
            try sim.setCondition("n1", "KernelDeadlock", .true)
            let policy = try ReconcilerTests.policy("KernelDeadlock") {
                $0.drain.timeout = .seconds(60)
                $0.drain.onTimeout = .keepWaiting
            }
            let parts = sim.reconciler(policy)
            try await sim.running(parts) { () async throws in
                #expect(await eventually { !sim.events(reason: DrainEventReason.evictionBlocked, node: "n1").isEmpty })
                #expect(await sim.clock.waitForSleepers(count: 2))
                sim.clock.advance(by: .seconds(60))
                #expect(await eventually { !sim.events(reason: DrainEventReason.drainTimedOut, node: "n1").isEmpty })
                #expect(try sim.node("n1").metadata.annotations?[MendNodeKeys.drainOutcome] == nil, "keep-waiting: still draining")
                #expect(await parts.0.drainingNodes == ["n1"])
                // A replacement becomes Ready: the retried eviction goes through and the drain ends.
                try sim.addPod(Build.pod("db-1", node: "n2"))
                for _ in 0..<100 where try sim.node("n1").metadata.annotations?[MendNodeKeys.drainOutcome] == nil {
                    sim.clock.advance(by: .seconds(1))
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(try sim.node("n1").metadata.annotations?[MendNodeKeys.drainOutcome] == "succeeded")
                #expect(sim.events(reason: DrainEventReason.drainTimedOut, node: "n1").count == 1)
                #expect(sim.evictions(of: "db-0") == 1)
            }
        }
    }
}
