import ClusterSim
import Foundation
import KubeModels
import MendTime
import Synchronization
import Testing

@testable import KubeClient

/// The real client's Lease calls, except that while `paused` every call hangs (a partitioned
/// replica): the elector must cut them off at its renew deadline.
final class PausableLeaseAPI: LeaseAPI {
    let base: KubernetesClient
    private let pausedFlag = Mutex(false)

    init(_ base: KubernetesClient) { self.base = base }

    var paused: Bool {
        get { pausedFlag.withLock { $0 } }
        set { pausedFlag.withLock { $0 = newValue } }
    }

    private func gate() async throws {
        while paused { try await Task.sleep(for: .milliseconds(5)) }
    }

    func getLease(name: String, namespace: String) async throws -> Lease? {
        try await gate()
        return try await base.getLease(name: name, namespace: namespace)
    }

    func createLease(_ lease: Lease) async throws -> Lease {
        try await gate()
        return try await base.createLease(lease)
    }

    func patchLease(name: String, namespace: String, patch: JSONValue) async throws -> Lease {
        try await gate()
        return try await base.patchLease(name: name, namespace: namespace, patch: patch)
    }
}

/// Who acted when, in real time.
final class ActingLog: Sendable {
    struct Interval: Sendable {
        var who: String
        var start: ContinuousClock.Instant
        var end: ContinuousClock.Instant?
    }

    private let intervals = Mutex<[Interval]>([])

    func begin(_ who: String) { intervals.withLock { $0.append(Interval(who: who, start: .now, end: nil)) } }

    func end(_ who: String) {
        intervals.withLock { list in
            if let index = list.lastIndex(where: { $0.who == who && $0.end == nil }) { list[index].end = .now }
        }
    }

    var all: [Interval] { intervals.withLock { $0 } }

    var acting: [String] { all.filter { $0.end == nil }.map(\.who) }

    /// True when no two intervals overlap.
    var neverOverlapped: Bool {
        let sorted = all.sorted { $0.start < $1.start }
        for (a, b) in zip(sorted, sorted.dropFirst()) {
            guard let aEnd = a.end, aEnd <= b.start else { return false }
        }
        return true
    }
}

/// How each candidate's run ended.
final class Outcomes: Sendable {
    private let values = Mutex<[String: String]>([:])
    func set(_ key: String, _ value: String) { values.withLock { $0[key] = value } }
    func get(_ key: String) -> String? { values.withLock { $0[key] } }
}

@Suite("Leader election on a Lease")
struct LeaderElectionTests {
    /// Leader work: acts until cancelled, logging its interval.
    static func work(_ who: String, _ log: ActingLog) -> @Sendable () async throws -> Void {
        {
            log.begin(who)
            defer { log.end(who) }
            while true { try await Task.sleep(for: .milliseconds(5)) }
        }
    }

    @Test func pausedLeaderStopsActingBeforeTheOtherTakesOver() async throws {
        // client-go's defaults (15 s / 10 s / 2 s), run ten times faster than real time.
        let clock = AcceleratedClock(factor: 10)
        try await SimHarness.with { _, client in
            let log = ActingLog()
            let apis = ["a": PausableLeaseAPI(client), "b": PausableLeaseAPI(client)]
            let a = LeaderElector(
                config: LeaderElectionConfig(leaseName: "mend-drainer", namespace: "default", identity: "a"),
                api: apis["a"]!, clock: clock)
            let b = LeaderElector(
                config: LeaderElectionConfig(leaseName: "mend-drainer", namespace: "default", identity: "b"),
                api: apis["b"]!, clock: clock)
            let outcomes = Outcomes()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (name, elector) in [("a", a), ("b", b)] {
                    group.addTask {
                        do {
                            try await elector.run(whileLeading: Self.work(name, log))
                            outcomes.set(name, "returned")
                        } catch let error as LeaderElectionError {
                            outcomes.set(name, "\(error)")
                        } catch {
                            outcomes.set(name, "cancelled")
                        }
                    }
                }
                try await waitUntil(timeout: .seconds(10)) { log.acting.count == 1 }
                let first = log.acting[0]
                let second = first == "a" ? "b" : "a"
                let firstLease = try #require(try await client.getLease(name: "mend-drainer", namespace: "default"))
                #expect(firstLease.spec.holderIdentity == first)
                #expect(firstLease.spec.leaseDurationSeconds == 15)
                // Partition the leader: its lease calls hang from now on.
                apis[first]!.paused = true
                try await waitUntil(timeout: .seconds(10)) { log.acting == [second] }
                #expect(outcomes.get(first)?.contains("lost leadership") == true)
                #expect(log.neverOverlapped, "two leaders acted at once: \(log.all)")
                let secondLease = try #require(try await client.getLease(name: "mend-drainer", namespace: "default"))
                #expect(secondLease.spec.holderIdentity == second)
                #expect(secondLease.spec.leaseTransitions == (firstLease.spec.leaseTransitions ?? 0) + 1)
                // The old leader stopped within its renew deadline (10 s), the successor only after
                // the lease expired (15 s): at ten times speed there is about half a second between.
                let intervals = log.all.sorted { $0.start < $1.start }
                let gap = intervals[1].start - intervals[0].end!
                #expect(gap > .milliseconds(400), "successor took over only \(gap) after the old leader stopped")
                group.cancelAll()
            }
            // The cancelled leader released the lease.
            let released = try #require(try await client.getLease(name: "mend-drainer", namespace: "default"))
            #expect(released.spec.holderIdentity == nil)
        }
    }

    @Test func gracefulReleaseLetsASuccessorTakeOverAtOnce() async throws {
        let clock = ManualClock()
        try await SimHarness.with { _, client in
            let log = ActingLog()
            let a = LeaderElector(
                config: LeaderElectionConfig(leaseName: "lease", namespace: "default", identity: "a"), api: client, clock: clock)
            let leaderA = Task { try await a.run(whileLeading: Self.work("a", log)) }
            try await waitUntil { log.acting == ["a"] }
            #expect(a.isLeader)
            leaderA.cancel()
            _ = await leaderA.result
            #expect(!a.isLeader)
            #expect(log.acting.isEmpty)
            let lease = try #require(try await client.getLease(name: "lease", namespace: "default"))
            #expect(lease.spec.holderIdentity == nil)
            // b acquires on its first attempt, without the clock moving at all.
            let b = LeaderElector(
                config: LeaderElectionConfig(leaseName: "lease", namespace: "default", identity: "b"), api: client, clock: clock)
            let leaderB = Task { try await b.run(whileLeading: Self.work("b", log)) }
            try await waitUntil { log.acting == ["b"] }
            let taken = try #require(try await client.getLease(name: "lease", namespace: "default"))
            #expect(taken.spec.holderIdentity == "b")
            #expect(taken.spec.leaseTransitions == 1)
            leaderB.cancel()
            _ = await leaderB.result
        }
    }

    @Test func candidateWaitsWhileTheLeaseIsHeldAndValid() async throws {
        let clock = ManualClock()
        try await SimHarness.with { _, client in
            _ = try await client.create(
                Lease(
                    metadata: ObjectMeta(name: "held", namespace: "default"),
                    spec: Lease.Spec(
                        holderIdentity: "someone-else", leaseDurationSeconds: 15, renewTime: MicroTime(clock.now),
                        leaseTransitions: 3)))
            let log = ActingLog()
            let b = LeaderElector(
                config: LeaderElectionConfig(leaseName: "held", namespace: "default", identity: "b"), api: client, clock: clock)
            let candidate = Task { try await b.run(whileLeading: Self.work("b", log)) }
            // Each retry period b looks again; before 15 s of an unchanged record it must not act.
            for _ in 0..<6 {
                #expect(await clock.waitForSleepers(count: 1))
                clock.advance(by: .seconds(2.4))
            }
            try await Task.sleep(for: .milliseconds(20))
            #expect(log.acting.isEmpty, "took a lease that was still valid")
            for _ in 0..<4 {
                #expect(await clock.waitForSleepers(count: 1))
                clock.advance(by: .seconds(2.4))
            }
            try await waitUntil { log.acting == ["b"] }
            let lease = try #require(try await client.getLease(name: "held", namespace: "default"))
            #expect(lease.spec.holderIdentity == "b")
            #expect(lease.spec.leaseTransitions == 4)
            candidate.cancel()
            _ = await candidate.result
        }
    }

    @Test func inconsistentDurationsAreRejected() {
        let bad = LeaderElectionConfig(
            leaseName: "l", namespace: "n", identity: "i", leaseDuration: .seconds(10), renewDeadline: .seconds(10))
        #expect(throws: LeaderElectionError.self) { try bad.validate() }
        #expect(throws: Never.self) { try LeaderElectionConfig(leaseName: "l", namespace: "n", identity: "i").validate() }
    }
}
