import ClusterSim
import Foundation
import KubeClient
import KubeModels
import Logging
import MendCore
import Metrics
import Prometheus
import Synchronization
import Testing

/// Who runs the work right now, and whether two ever ran at once.
final class WorkLog: Sendable {
    private struct State {
        var running: Set<String> = []
        var starts: [String] = []
        var overlapped = false
    }

    private let state = Mutex(State())

    func begin(_ who: String) {
        state.withLock { s in
            if !s.running.isEmpty { s.overlapped = true }
            s.running.insert(who)
            s.starts.append(who)
        }
    }

    func end(_ who: String) { _ = state.withLock { $0.running.remove(who) } }

    var running: Set<String> { state.withLock { $0.running } }
    var starts: [String] { state.withLock { $0.starts } }
    var overlapped: Bool { state.withLock { $0.overlapped } }

    /// Waits (real time, bounded) until `condition` holds.
    func wait(timeout: Duration = .seconds(10), _ condition: (WorkLog) -> Bool) async -> Bool {
        let start = ContinuousClock.now
        while !condition(self) {
            if ContinuousClock.now - start > timeout { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }
}

/// Lease calls that hang while `paused` (a replica cut off from the API server).
final class PartitionableLeaseAPI: LeaseAPI {
    let base: any LeaseAPI
    private let flag = Mutex(false)

    init(_ base: any LeaseAPI) { self.base = base }

    var paused: Bool {
        get { flag.withLock { $0 } }
        set { flag.withLock { $0 = newValue } }
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

@Suite("Leader-elected run loop", .timeLimit(.minutes(1)))
struct LeaderElectedLoopTests {
    static func election(_ identity: String) -> LeaderElectionConfig {
        LeaderElectionConfig(
            leaseName: "mend-test", namespace: "default", identity: identity, leaseDuration: .seconds(1),
            renewDeadline: .milliseconds(600), retryPeriod: .milliseconds(100))
    }

    static func loop(
        _ identity: String, api: any LeaseAPI, log: WorkLog, registry: PrometheusCollectorRegistry
    ) -> LeaderElectedLoop {
        LeaderElectedLoop(
            mode: .elect(election(identity), api: api), logger: Logger(label: identity),
            factory: PrometheusMetricsFactory(registry: registry)
        ) {
            log.begin(identity)
            defer { log.end(identity) }
            while true { try await Task.sleep(for: .milliseconds(20)) }
        }
    }

    @Test func onlyOneReplicaWorksAndTheOtherTakesOverWhenItStops() async throws {
        try await Sim.with { server, client in
            let second = try Sim.client(for: server)
            let log = WorkLog()
            let registryA = PrometheusCollectorRegistry()
            let registryB = PrometheusCollectorRegistry()
            let a = Self.loop("replica-a", api: WritePathLeaseAPI(
                reader: client,
                writes: WritePath(kubernetes: client, dryRun: false, logger: Logger(label: "a"), factory: PrometheusMetricsFactory(registry: registryA))),
                log: log, registry: registryA)
            let b = Self.loop("replica-b", api: second, log: log, registry: registryB)

            let taskA = Task { try await a.run() }
            #expect(await log.wait { $0.running == ["replica-a"] })
            let taskB = Task { try await b.run() }
            // B campaigns for a while (several retry periods) but never runs while A leads.
            try await Task.sleep(for: .milliseconds(500))
            #expect(log.running == ["replica-a"])
            #expect(sample(registryA.emitToString(), "mend_leader", ["lease": "default/mend-test"]) == 1)
            #expect(sample(registryB.emitToString(), "mend_leader", ["lease": "default/mend-test"]) == 0)
            // A's lease writes went through the write path.
            #expect((sample(registryA.emitToString(), "mend_writes_total", ["verb": "patch_lease", "result": "success"]) ?? 0) >= 1)

            taskA.cancel()  // A stops (as on SIGTERM): its work ends and it releases the lease.
            _ = await taskA.result
            #expect(await log.wait { $0.running == ["replica-b"] })
            #expect(sample(registryA.emitToString(), "mend_leader", ["lease": "default/mend-test"]) == 0)
            #expect(sample(registryB.emitToString(), "mend_leader", ["lease": "default/mend-test"]) == 1)
            #expect(!log.overlapped)
            #expect(log.starts == ["replica-a", "replica-b"])

            taskB.cancel()
            _ = await taskB.result
            try await second.shutdown()
        }
    }

    @Test func aReplicaThatLosesTheLeaseStopsItsWorkAndCampaignsAgain() async throws {
        try await Sim.with { server, client in
            let second = try Sim.client(for: server)
            let log = WorkLog()
            let partitioned = PartitionableLeaseAPI(client)
            let a = Self.loop("replica-a", api: partitioned, log: log, registry: PrometheusCollectorRegistry())
            let b = Self.loop("replica-b", api: second, log: log, registry: PrometheusCollectorRegistry())
            let taskA = Task { try await a.run() }
            #expect(await log.wait { $0.running == ["replica-a"] })
            let taskB = Task { try await b.run() }

            partitioned.paused = true  // A can no longer renew: it must stop before B may start.
            #expect(await log.wait { $0.running == ["replica-b"] })
            #expect(!log.overlapped)

            partitioned.paused = false  // A's loop is still alive and campaigning; it takes over when B stops.
            taskB.cancel()
            _ = await taskB.result
            #expect(await log.wait { $0.running == ["replica-a"] })
            #expect(log.starts == ["replica-a", "replica-b", "replica-a"])
            #expect(!log.overlapped)

            taskA.cancel()
            _ = await taskA.result
            try await second.shutdown()
        }
    }

    @Test func alwaysLeadRunsTheWorkAtOnceWithoutALease() async throws {
        let registry = PrometheusCollectorRegistry()
        let ran = Mutex(false)
        let loop = LeaderElectedLoop(
            mode: .alwaysLead, logger: Logger(label: "t"), factory: PrometheusMetricsFactory(registry: registry)
        ) {
            ran.withLock { $0 = true }
        }
        try await loop.run()
        #expect(ran.withLock { $0 })
        #expect(sample(registry.emitToString(), "mend_leadership_acquired_total", ["lease": "none"]) == 1)
    }
}
