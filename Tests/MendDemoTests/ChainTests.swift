import ClusterSim
import Foundation
import MendDemo
import Synchronization
import Testing

/// The three programs together against ClusterSim: the demo's scenarios, asserted, and the same
/// chain under injected API faults.
@Suite(.serialized) struct ChainTests {
    static func kernelMonitor() throws -> String {
        // Tests run from the package root.
        try DemoFiles.locate("config/kernel-monitor.json", executable: #filePath)
    }

    /// Runs `scenario` at high speed (`replicas` of the drainer and the autoscaler); `faults` may
    /// inject API-server or cloud misbehaviour once the chain runs.
    static func heal(
        _ scenario: DemoScenario, timeout: Duration = .seconds(2400), speed: Double = 60, replicas: Int = 1,
        faults: (@Sendable (Chain) async -> Void)? = nil
    ) async throws -> DemoReport {
        let chain = try await Chain.start(Chain.Configuration(
            scenario: scenario, speed: speed, kernelMonitorPath: try kernelMonitor(), replicas: replicas))
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

    /// The backoff scenario's two groups, both able to launch: `general` (zone us-east-1a) fits
    /// best, `large` (us-east-1b) is the fallback.
    static let twoGroups = DemoScenario(
        name: "two-groups", summary: "the heal scenario with a second, larger node group",
        clusterYAML: DemoScenario.backoff.clusterYAML, faultyNodes: 1)

    @Test(.timeLimit(.minutes(3))) func aThrottledCloudNeitherLosesTheDecisionNorBacksTheBestGroupOff() async throws {
        let seen = Mutex<(throttled: Int, cloud: SimulatedCloud?)>((0, nil))
        let report = try await Self.heal(Self.twoGroups) { chain in
            guard let cloud = chain.simulation.cloud else { return }
            seen.withLock { $0.cloud = cloud }
            // AWS throttling (what is left after the AWS client's own retries): the first capacity
            // requests and some reads are refused for their rate.
            cloud.throttleNext(3, operation: "SetDesiredCapacity")
            cloud.throttleNext(2, operation: "DescribeAutoScalingGroups")
            cloud.throttleNext(1, operation: "DescribeScalingActivities")
            // Bounded wait until the chain has met every throttle.
            for _ in 0..<600 where cloud.throttledCalls < 6 { try? await Task.sleep(for: .milliseconds(50)) }
            seen.withLock { $0.throttled = cloud.throttledCalls }
        }
        #expect(report.healed, "timeline:\n\(report.timeline.map(\.line).joined(separator: "\n"))")
        let (throttled, cloud) = seen.withLock { $0 }
        #expect(throttled == 6, "every injected throttle was met")
        let general = try #require(cloud?.activities(group: "general"))
        let large = try #require(cloud?.activities(group: "large"))
        #expect(general.contains { $0.status == .successful && $0.description.lowercased().contains("launch") },
                "the replacement came from the best group: \(general.map(\.description))")
        #expect(large.isEmpty, "throttling did not back the best group off in favour of the large one: \(large.map(\.description))")
    }

    /// What the failover test saw: who led before the partition, who after, and when.
    struct Failover: Sendable {
        var partitionedAt: Date?
        var before: [String: String] = [:]
        var after: [String: String] = [:]
        var takeoverSeconds: [String: Double] = [:]
    }

    @Test(.timeLimit(.minutes(4))) func aLeaderThatLosesTheAPIServerIsReplacedWithinTheLeaseAndNeverActsAgain() async throws {
        let programs = ["mend-drainer", "mend-autoscaler"]
        let seen = Mutex(Failover())
        let audit = Mutex<[AuditEntry]>([])
        let report = try await Self.heal(.heal, speed: 5, replicas: 2) { chain in
            guard let server = chain.simulation.server, let nodes = chain.simulation.store.resource("nodes") else { return }
            // Wait (bounded) for the sick node's cordon: the drain is under way, the scale-up not done.
            for _ in 0..<1200 {
                let cordoned = chain.simulation.store.listValues(nodes).contains {
                    $0[path: ["spec", "unschedulable"]]?.boolValue == true
                }
                if cordoned { break }
                try? await Task.sleep(for: .milliseconds(50))
            }
            // Both leaders lose the API server at once: every request they make fails.
            var rules: [UInt64] = []
            var leaders: [String: String] = [:]
            for program in programs {
                guard let leader = chain.leaseHolder(program) else { continue }
                leaders[program] = leader
                rules.append(server.faults.add(.fail(code: 503, retryAfterSeconds: nil), matching: .init(userAgent: leader + "/")))
            }
            let partitionedAt = chain.clock.now
            seen.withLock { $0.partitionedAt = partitionedAt; $0.before = leaders }
            // Their peers take over once the Lease runs out.
            for _ in 0..<1200 {
                for program in programs where seen.withLock({ $0.after[program] == nil }) {
                    if let holder = chain.leaseHolder(program), holder != leaders[program] {
                        let seconds = chain.clock.now.timeIntervalSince(partitionedAt)
                        seen.withLock { $0.after[program] = holder; $0.takeoverSeconds[program] = seconds }
                    }
                }
                if seen.withLock({ $0.after.count == leaders.count }) { break }
                try? await Task.sleep(for: .milliseconds(20))
            }
            // The old leaders come back: they must stay followers.
            try? await Task.sleep(for: .seconds(1))
            for rule in rules { server.faults.remove(rule) }
            try? await Task.sleep(for: .seconds(4))
            audit.withLock { $0 = server.audit.entries }
        }
        #expect(report.healed, "timeline:\n\(report.timeline.map(\.line).joined(separator: "\n"))")
        #expect(report.mostCordonedAtOnce <= 1, "the budget holds across the failover")
        let failover = seen.withLock { $0 }
        let partitionedAt = try #require(failover.partitionedAt)
        #expect(Set(failover.before.keys) == Set(programs), "both programs had a leader: \(failover.before)")
        for program in programs {
            let old = try #require(failover.before[program])
            let new = try #require(failover.after[program], "\(program): no peer took over from \(old)")
            #expect(new != old && new.hasPrefix(program + "-"))
            // Lease 15 s, retry period 2 s: a peer takes over within the lease and a few retries.
            let seconds = try #require(failover.takeoverSeconds[program])
            #expect(seconds <= 30, "\(program): takeover took \(seconds) s of simulated time")
            // Never both: once partitioned, the old leader wrote nothing that acts on the
            // cluster (only its Lease reads; Events it had queued may still go out).
            let acts = audit.withLock { $0 }.filter {
                $0.userAgent.hasPrefix(old + "/") && $0.time >= partitionedAt && $0.code < 400
                    && !$0.resource.hasPrefix("leases") && !$0.resource.hasPrefix("events")
            }
            #expect(acts.isEmpty, "\(old) acted after losing the Lease: \(acts.map { "\($0.verb) \($0.resource)/\($0.name)" })")
            let newActs = audit.withLock { $0 }.filter {
                $0.userAgent.hasPrefix(new + "/") && $0.code < 400
                    && !$0.resource.hasPrefix("leases") && !$0.resource.hasPrefix("events")
            }
            #expect(!newActs.isEmpty, "\(new) took over the work")
        }
    }
}
