import ClusterSim
import Foundation
import KubeClient
import KubeModels
import MendCore
import MendTime
import Testing
@testable import Drainer

/// End-to-end behaviour against ClusterSim over real HTTP, with durations on a manual clock.
@Suite("Reconciler against ClusterSim", .serialized, .timeLimit(.minutes(1)))
struct ReconcilerTests {
    static func policy(_ rules: String..., configure: (inout DrainerPolicy) -> Void = { _ in }) throws -> DrainerPolicy {
        var policy = DrainerPolicy(rules: try rules.map { try ConditionRule(parsing: $0) })
        policy.budget = SafetyBudget(maxConcurrentDrains: 5, maxCordoned: .count(5), stormCooldown: .seconds(600))
        policy.drain.evictionRetryInterval = .seconds(5)
        configure(&policy)
        return policy
    }

    @Test func cordonsWithinASecondOfTheRuleDurationEvenWithoutANodeChange() async throws {
        try await DrainerSim.with { (sim: DrainerSim) async throws in
            try sim.addNode("n1")
            try sim.setCondition("n1", "KernelDeadlock", .true)
            let parts = sim.reconciler(try Self.policy("KernelDeadlock=True,10m"))
            try await sim.running(parts) { () async throws in
                #expect(await passes(parts.0, beyond: 0))
                #expect(await sim.clock.waitForSleepers(count: 1))
                sim.clock.advance(by: .seconds(599))
                try await Task.sleep(for: .milliseconds(100))
                #expect(try !sim.node("n1").isUnschedulable, "not before the rule's duration")
                sim.clock.advance(by: .seconds(1))
                #expect(try await eventually(timeout: .seconds(1)) { try sim.node("n1").isUnschedulable }, "cordoned within a second")
                let node = try sim.node("n1")
                #expect(node.metadata.annotations?[MendNodeKeys.cordonedBy] == "mend-drainer")
                #expect(node.metadata.annotations?[MendNodeKeys.cordonReason]?.contains("KernelDeadlock=True,10m0s") == true)
                // An empty node drains at once and is marked for the autoscaler.
                #expect(try await eventually { try sim.node("n1").metadata.annotations?[MendNodeKeys.drained] != nil })
                #expect(await eventually { !sim.events(reason: DrainEventReason.drainSucceeded, node: "n1").isEmpty })
                let drained = try sim.node("n1")
                #expect(drained.metadata.annotations?[MendNodeKeys.drainOutcome] == "succeeded")
                #expect(drained.condition(NodeConditionType(rawValue: MendNodeKeys.drainConditionType))?.reason == "Drained")
                #expect(!sim.events(reason: DrainEventReason.cordoned, node: "n1").isEmpty)
                #expect(!sim.events(reason: DrainEventReason.drainSucceeded, node: "n1").isEmpty)
            }
        }
    }

    @Test func healthyUnselectedAndOptedOutNodesAreLeftAlone() async throws {
        try await DrainerSim.with { (sim: DrainerSim) async throws in
            try sim.addNode("healthy")
            try sim.setCondition("healthy", "KernelDeadlock", .false)
            try sim.addNode("gpu", labels: ["pool": "gpu"])
            try sim.setCondition("gpu", "KernelDeadlock", .true, secondsAgo: 3600)
            try sim.addNode("optout")
            try sim.setCondition("optout", "KernelDeadlock", .true, secondsAgo: 3600)
            _ = try sim.store.modify(sim.store.resource("nodes")!, namespace: nil, name: "optout") { object throws(APIError) in
                var object = object
                object["metadata"]?["annotations"] = [MendNodeKeys.defaultOptOut: "true"]
                return object
            }
            try sim.addNode("bad")
            try sim.setCondition("bad", "KernelDeadlock", .true, secondsAgo: 3600)
            let policy = try Self.policy("KernelDeadlock=True,10m") { $0.nodeSelector = try! LabelQuery(parsing: "pool in (general)") }
            let parts = sim.reconciler(policy)
            try await sim.running(parts) { () async throws in
                #expect(try await eventually { try sim.node("bad").isUnschedulable })
                try await Task.sleep(for: .milliseconds(100))
                #expect(try sim.mendCordoned() == ["bad"])
            }
        }
    }

    @Test func drainEvictsControllerPodsAndSkipsDaemonSetMirrorAndCompletedPods() async throws {
        try await DrainerSim.with { (sim: DrainerSim) async throws in
            try sim.addNode("n1")
            try sim.addNode("n2")
            try sim.addPod(Build.pod("web-1"))
            try sim.addPod(Build.pod("web-2"))
            try sim.addPod(Build.pod("agent", owner: "DaemonSet"))
            try sim.addPod(Build.pod("static", owner: nil, annotations: [PodAnnotations.mirror: "x"]))
            try sim.addPod(Build.pod("done", owner: nil, phase: .succeeded))
            try sim.addPod(Build.pod("elsewhere", node: "n2"))
            try sim.setCondition("n1", "ReadonlyFilesystem", .true)
            let parts = sim.reconciler(try Self.policy("ReadonlyFilesystem"))
            try await sim.running(parts, tick: .seconds(1)) { () async throws in
                #expect(try await eventually { try sim.node("n1").metadata.annotations?[MendNodeKeys.drainOutcome] == "succeeded" })
                #expect(!sim.podExists("web-1") && !sim.podExists("web-2"))
                #expect(sim.podExists("agent") && sim.podExists("static") && sim.podExists("done") && sim.podExists("elsewhere"))
                #expect(sim.evictions(of: "web-1") == 1 && sim.evictions(of: "agent") == 0)
                #expect(try !sim.node("n2").isUnschedulable)
            }
        }
    }

    @Test(arguments: [("bare", "unowned"), ("cache", "localStorage"), ("db", "protected")])
    func podsThePolicyWillNotRemoveBlockTheDrainAndNothingIsEvicted(blocker: String, kind: String) async throws {
        try await DrainerSim.with { (sim: DrainerSim) async throws in
            try sim.addNode("n1")
            try sim.addPod(Build.pod("web"))
            switch kind {
            case "unowned": try sim.addPod(Build.pod(blocker, owner: nil))
            case "localStorage": try sim.addPod(Build.pod(blocker, emptyDir: true))
            default: try sim.addPod(Build.pod(blocker, annotations: [MendNodeKeys.defaultProtectedPod: "true"]))
            }
            try sim.setCondition("n1", "KernelDeadlock", .true)
            let parts = sim.reconciler(try Self.policy("KernelDeadlock"))
            try await sim.running(parts) { () async throws in
                #expect(try await eventually { try sim.node("n1").metadata.annotations?[MendNodeKeys.drainOutcome] == "blocked" })
                #expect(await eventually { !sim.events(reason: DrainEventReason.drainBlocked, node: "n1").isEmpty })
                #expect(sim.podExists("web") && sim.podExists(blocker))
                #expect(sim.evictions(of: "web") == 0)
                let event = try #require(sim.events(reason: DrainEventReason.drainBlocked, node: "n1").first)
                #expect(event.message?.contains("default/\(blocker)") == true)
                #expect(try sim.node("n1").isUnschedulable, "a blocked drain leaves the node cordoned")
                #expect(try sim.node("n1").metadata.annotations?[MendNodeKeys.drained] == nil, "not marked for removal")
            }
        }
    }

    @Test func disruptionBudgetRefusalIsRetriedUntilAReplacementIsReady() async throws {
        try await DrainerSim.with { (sim: DrainerSim) async throws in
            try sim.addNode("n1")
            try sim.addNode("n2")
            try sim.addPod(Build.pod("web-a", node: "n1"))
            try sim.addPod(Build.pod("web-b", node: "n2"))
            try sim.addPDB("web", app: "web", minAvailable: 2)
            try sim.setCondition("n1", "KernelDeadlock", .true)
            let parts = sim.reconciler(try Self.policy("KernelDeadlock"))
            try await sim.running(parts) { () async throws in
                #expect(await eventually { !sim.events(reason: DrainEventReason.evictionBlocked, node: "n1").isEmpty })
                let blocked = try #require(sim.events(reason: DrainEventReason.evictionBlocked, node: "n1").first)
                #expect(blocked.message?.contains("default/web-a") == true)
                #expect(blocked.message?.contains("PodDisruptionBudget web") == true)
                #expect(sim.podExists("web-a"), "the budget is never bypassed")
                // A replacement becomes Ready elsewhere: the budget now allows one disruption.
                try sim.addPod(Build.pod("web-c", node: "n2"))
                #expect(await sim.clock.waitForSleepers(count: 2))
                sim.clock.advance(by: .seconds(5))
                #expect(await eventually { !sim.podExists("web-a") }, "evicted at the retry after Retry-After / the retry interval")
                for _ in 0..<50 where try sim.node("n1").metadata.annotations?[MendNodeKeys.drainOutcome] == nil {
                    sim.clock.advance(by: .seconds(1))  // the drain polls until the pod is gone
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(try await eventually { try sim.node("n1").metadata.annotations?[MendNodeKeys.drainOutcome] == "succeeded" })
                #expect(!sim.podExists("web-a"))
                #expect(sim.evictions(of: "web-a") == 1)
            }
        }
    }

    @Test func stuckDrainTimesOutWithAnEventNamingThePodAndBudget() async throws {
        try await DrainerSim.with { (sim: DrainerSim) async throws in
            try sim.addNode("n1")
            try sim.addPod(Build.pod("db-0"))
            try sim.addPDB("db", app: "web", minAvailable: 1)
            try sim.setCondition("n1", "KernelDeadlock", .true)
            let policy = try Self.policy("KernelDeadlock") { $0.drain.timeout = .seconds(120) }
            let parts = sim.reconciler(policy)
            try await sim.running(parts) { () async throws in
                #expect(await eventually { !sim.events(reason: DrainEventReason.evictionBlocked, node: "n1").isEmpty })
                #expect(sim.podExists("db-0"))
                sim.clock.advance(by: .seconds(119))
                try await Task.sleep(for: .milliseconds(100))
                #expect(try sim.node("n1").metadata.annotations?[MendNodeKeys.drainOutcome] == nil, "not before the timeout")
                sim.clock.advance(by: .seconds(1))
                #expect(try await eventually { try sim.node("n1").metadata.annotations?[MendNodeKeys.drainOutcome] == "timed-out" })
                #expect(await eventually { !sim.events(reason: DrainEventReason.drainTimedOut, node: "n1").isEmpty })
                #expect(sim.events(reason: DrainEventReason.evictionBlocked, node: "n1").count == 1, "one Event per blocked pod, not one per retry")
                let event = try #require(sim.events(reason: DrainEventReason.drainTimedOut, node: "n1").first)
                #expect(event.message?.contains("default/db-0") == true)
                #expect(event.message?.contains("PodDisruptionBudget db") == true)
                #expect(sim.podExists("db-0"))
                #expect(try sim.node("n1").isUnschedulable, "give-up leaves the node cordoned")
            }
        }
    }

    @Test func stormOfFortyPercentBadNodesNeverExceedsTheBudget() async throws {
        try await DrainerSim.with { (sim: DrainerSim) async throws in
            for index in 0..<10 { try sim.addNode("n\(index)") }
            let policy = try Self.policy("KernelDeadlock=True,1m") {
                $0.budget.maxCordoned = .percent(20)
                $0.budget.stormCooldown = .seconds(1800)
            }
            let parts = sim.reconciler(policy)
            try await sim.running(parts) { () async throws in
                for index in 0..<4 { try sim.setCondition("n\(index)", "KernelDeadlock", .true) }
                #expect(await sim.clock.waitForSleepers(count: 1))
                sim.clock.advance(by: .seconds(61))
                var peak = 0
                let reached = try await eventually {
                    let count = try sim.mendCordoned().count
                    peak = max(peak, count)
                    return count == 2 && !sim.events(reason: DrainEventReason.budgetExhausted).isEmpty
                }
                #expect(reached)
                for _ in 0..<20 {
                    peak = max(peak, try sim.mendCordoned().count)
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(peak == 2, "20% of 10 selected nodes")
                // Still within the cool-down: nothing new even when time passes.
                sim.clock.advance(by: .seconds(600))
                try await Task.sleep(for: .milliseconds(100))
                #expect(try sim.mendCordoned().count == 2)
            }
        }
    }

    @Test func restartInTheMiddleOfADrainResumesWithoutEvictingAPodTwice() async throws {
        try await DrainerSim.with { (sim: DrainerSim) async throws in
            try sim.addNode("n1")
            try sim.addNode("n2")
            try sim.addPod(Build.pod("free-1", labels: ["app": "free"]))
            try sim.addPod(Build.pod("guarded", labels: ["app": "guarded"]))
            try sim.addPod(Build.pod("guarded-peer", node: "n2", labels: ["app": "guarded"]))
            try sim.addPDB("guarded", app: "guarded", minAvailable: 2)
            try sim.setCondition("n1", "KernelDeadlock", .true)
            let policy = try Self.policy("KernelDeadlock")
            let first = sim.reconciler(policy)
            try await sim.running(first, tick: .milliseconds(200)) { () async throws in
                #expect(await eventually { !sim.podExists("free-1") && !sim.events(reason: DrainEventReason.evictionBlocked).isEmpty })
            }
            let started = try #require(try sim.node("n1").metadata.annotations?[MendNodeKeys.drainStartedAt])
            #expect(try sim.node("n1").metadata.annotations?[MendNodeKeys.drainOutcome] == nil, "the drain is in flight")

            // A new process: unblock the budget and let it resume.
            try sim.addPod(Build.pod("guarded-new", node: "n2", labels: ["app": "guarded"]))
            let second = sim.reconciler(policy)
            try await sim.running(second, tick: .seconds(1)) { () async throws in
                #expect(try await eventually { try sim.node("n1").metadata.annotations?[MendNodeKeys.drainOutcome] == "succeeded" })
            }
            #expect(try sim.node("n1").metadata.annotations?[MendNodeKeys.drainStartedAt] == started, "the resumed drain keeps its start")
            #expect(sim.evictions(of: "free-1") == 1)
            #expect(sim.evictions(of: "guarded") == 1)
            #expect(sim.events(reason: DrainEventReason.drainStarted, node: "n1").count == 1)
        }
    }

    @Test func healedNodeIsUncordonedAfterHysteresisButAHandCordonedNodeIsNot() async throws {
        try await DrainerSim.with { (sim: DrainerSim) async throws in
            try sim.addNode("mend")
            try sim.addNode("hand", unschedulable: true)
            try sim.setCondition("mend", "KernelDeadlock", .true)
            try sim.setCondition("hand", "KernelDeadlock", .true)
            let policy = try Self.policy("KernelDeadlock") { $0.uncordonAfterHealthyFor = .seconds(300) }
            let parts = sim.reconciler(policy)
            try await sim.running(parts) { () async throws in
                #expect(try await eventually { try sim.node("mend").metadata.annotations?[MendNodeKeys.drained] != nil })
                try sim.setCondition("mend", "KernelDeadlock", .false)
                try sim.setCondition("hand", "KernelDeadlock", .false)
                #expect(await sim.clock.waitForSleepers(count: 1))
                sim.clock.advance(by: .seconds(299))
                try await Task.sleep(for: .milliseconds(100))
                #expect(try sim.node("mend").isUnschedulable, "hysteresis: not before healthyFor")
                sim.clock.advance(by: .seconds(1))
                #expect(try await eventually { try !sim.node("mend").isUnschedulable })
                #expect(await eventually { !sim.events(reason: DrainEventReason.uncordoned, node: "mend").isEmpty })
                let healed = try sim.node("mend")
                #expect(MendNodeKeys.stateAnnotations.allSatisfy { healed.metadata.annotations?[$0] == nil })
                #expect(healed.condition(NodeConditionType(rawValue: MendNodeKeys.drainConditionType))?.status == .false)
                #expect(try sim.node("hand").isUnschedulable, "never uncordon a node a person cordoned")
                #expect(!sim.events(reason: DrainEventReason.uncordoned, node: "mend").isEmpty)
            }
        }
    }

    @Test func nodeUncordonedByAPersonIsLeftAloneUntilItHeals() async throws {
        try await DrainerSim.with { (sim: DrainerSim) async throws in
            try sim.addNode("n1")
            try sim.addNode("n2")
            try sim.addPod(Build.pod("guarded", labels: ["app": "guarded"]))
            try sim.addPod(Build.pod("peer", node: "n2", labels: ["app": "guarded"]))
            try sim.addPDB("guarded", app: "guarded", minAvailable: 2)
            try sim.setCondition("n1", "KernelDeadlock", .true)
            let parts = sim.reconciler(try Self.policy("KernelDeadlock"))
            try await sim.running(parts) { () async throws in
                #expect(await eventually { !sim.events(reason: DrainEventReason.evictionBlocked).isEmpty })
                _ = try await sim.client.patchJSON(.nodes, name: "n1", patch: .merge(["spec": ["unschedulable": false]]))
                #expect(try await eventually { try sim.node("n1").metadata.annotations?[MendNodeKeys.drainOutcome] == "cancelled" })
                try await Task.sleep(for: .milliseconds(100))
                #expect(try !sim.node("n1").isUnschedulable, "Mend does not cordon it again")
                #expect(await parts.0.drainingNodes.isEmpty)
                #expect(sim.podExists("guarded"))
            }
        }
    }

    @Test func dryRunMakesZeroWrites() async throws {
        try await DrainerSim.with { (sim: DrainerSim) async throws in
            try sim.addNode("n1")
            try sim.addPod(Build.pod("web"))
            try sim.setCondition("n1", "KernelDeadlock", .true, secondsAgo: 3600)
            sim.server.audit.clear()
            let parts = sim.reconciler(try Self.policy("KernelDeadlock=True,10m"), dryRun: true)
            try await sim.running(parts) { () async throws in
                #expect(await passes(parts.0, beyond: 0, count: 1))
                sim.clock.advance(by: .seconds(60))
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(sim.server.audit.writes.isEmpty, "dry-run wrote: \(sim.server.audit.writes.map { "\($0.verb) \($0.resource)/\($0.name)" })")
            #expect(try !sim.node("n1").isUnschedulable)
            #expect(sim.podExists("web"))
        }
    }

    @Test func twoReplicasOnlyTheLeaderActs() async throws {
        try await DrainerSim.with { (sim: DrainerSim) async throws in
            try sim.addNode("n1")
            try sim.setCondition("n1", "KernelDeadlock", .true)
            let policy = try Self.policy("KernelDeadlock")
            let clientA = try DrainerSim.makeClient(sim.server, agent: "replica-a")
            let clientB = try DrainerSim.makeClient(sim.server, agent: "replica-b")
            let a = sim.reconciler(policy, client: clientA)
            let b = sim.reconciler(policy, client: clientB)
            func elector(_ identity: String, _ client: KubernetesClient) -> LeaderElector {
                LeaderElector(
                    config: LeaderElectionConfig(
                        leaseName: "mend-drainer", namespace: "default", identity: identity, leaseDuration: .seconds(3),
                        renewDeadline: .seconds(2), retryPeriod: .milliseconds(200)),
                    api: client)
            }
            let electorA = elector("a", clientA)
            let electorB = elector("b", clientB)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await a.1.run() }
                group.addTask { try await b.1.run() }
                group.addTask { try await electorA.run { try await a.0.run() } }
                try await Task.sleep(for: .milliseconds(300))
                group.addTask { try await electorB.run { try await b.0.run() } }
                #expect(try await eventually { try sim.node("n1").metadata.annotations?[MendNodeKeys.drained] != nil })
                try await Task.sleep(for: .milliseconds(500))
                group.cancelAll()
            }
            #expect(await a.0.passCount > 0)
            #expect(await b.0.passCount == 0, "the follower never reconciles")
            let nodeWrites = sim.server.audit.writes.filter { $0.resource == "nodes" }
            #expect(!nodeWrites.isEmpty && nodeWrites.allSatisfy { $0.userAgent.hasPrefix("replica-a") })
            try? await clientA.shutdown()
            try? await clientB.shutdown()
        }
    }

    @Test func badConfigurationFailsBeforeAnyAPICall() async throws {
        try await DrainerSim.with { (sim: DrainerSim) async throws in
            sim.server.audit.clear()
            var connected = false
            #expect(throws: ConfigError.self) {
                _ = try DrainerStartup.prepare(configPath: nil, overrides: DrainerOverrides(conditions: ["KernelDeadlock=True"])) {
                    connected = true
                    return try DrainerSim.makeClient(sim.server)
                }
            }
            #expect(!connected, "no client was built, so no request was sent")
            #expect(sim.server.audit.entries.isEmpty)
        }
    }
}
