import ClusterSim
import Foundation
import KubeClient
import KubeModels
import Logging
import MendCore
import Prometheus
import Synchronization
import ServiceLifecycle
import Testing

@Suite("Program lifecycle", .timeLimit(.minutes(1)))
struct ProgramRunnerTests {
    @Test func whenTheWorkEndsTheGroupShutsDownGracefullyIncludingTheHealthServer() async throws {
        let server = HealthServer(
            address: ListenAddress(host: "127.0.0.1", port: 0), checks: HealthChecks(), registry: PrometheusCollectorRegistry(),
            logger: Logger(label: "test"))
        let worked = Mutex(0)
        let loop = LeaderElectedLoop(
            mode: .alwaysLead, logger: Logger(label: "test"),
            factory: PrometheusMetricsFactory(registry: PrometheusCollectorRegistry())
        ) {
            try await Task.sleep(for: .milliseconds(50))
            worked.withLock { $0 += 1 }
        }
        let start = ContinuousClock.now
        try await ProgramRunner.run([server, loop], shutdownTimeout: .seconds(5), logger: Logger(label: "test"))
        #expect(worked.withLock { $0 } == 1)
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test func dryRunRunsTheWorkWithoutTakingTheLease() async throws {
        try await Sim.with { server, client in
            let writes = WritePath(
                kubernetes: client, dryRun: true, logger: Logger(label: "test"),
                factory: PrometheusMetricsFactory(registry: PrometheusCollectorRegistry()))
            let ran = Mutex(false)
            let loop = LeaderElectedLoop(
                settings: LeaderElectionSettings(leaseName: "mend-drainer", namespace: "default"), dryRun: true,
                client: client, writes: writes, logger: Logger(label: "test"),
                factory: PrometheusMetricsFactory(registry: PrometheusCollectorRegistry())
            ) {
                ran.withLock { $0 = true }
            }
            try await loop.run()
            #expect(ran.withLock { $0 })
            #expect(try await client.getLease(name: "mend-drainer", namespace: "default") == nil)
            #expect(server.audit.writes.isEmpty)
        }
    }

    @Test func leaderElectionSettingsBecomeTheElectorsConfig() throws {
        let settings = LeaderElectionSettings(
            leaseName: "mend-autoscaler", namespace: "kube-system", leaseDuration: "30s", renewDeadline: "20s", retryPeriod: "4s")
        let config = settings.electionConfig(identity: "pod-1_abc")
        #expect(config.leaseName == "mend-autoscaler")
        #expect(config.namespace == "kube-system")
        #expect(config.identity == "pod-1_abc")
        #expect(config.leaseDuration == .seconds(30))
        #expect(config.renewDeadline == .seconds(20))
        #expect(config.retryPeriod == .seconds(4))
        try config.validate()
        let a = LeaderElectionSettings.defaultIdentity()
        let b = LeaderElectionSettings.defaultIdentity()
        #expect(a != b)
    }
}

/// A service that ignores graceful shutdown and stops only when cancelled.
struct StubbornService: Service {
    func run() async throws {
        while true { try await Task.sleep(for: .milliseconds(10)) }
    }
}

@Suite("Graceful shutdown", .timeLimit(.minutes(1)))
struct GracefulShutdownTests {
    @Test func shutdownStopsTheLeadersWorkAndReleasesTheLease() async throws {
        try await Sim.with { server, client in
            let log = WorkLog()
            let loop = LeaderElectedLoop(
                mode: .elect(LeaderElectedLoopTests.election("replica-a"), api: client), logger: Logger(label: "a"),
                factory: PrometheusMetricsFactory(registry: PrometheusCollectorRegistry())
            ) {
                log.begin("replica-a")
                defer { log.end("replica-a") }
                while true { try await Task.sleep(for: .milliseconds(20)) }
            }
            let group = ProgramRunner.makeGroup([loop], shutdownTimeout: .seconds(5), logger: Logger(label: "test"), signals: [])
            let running = Task { try await group.run() }
            #expect(await log.wait { $0.running == ["replica-a"] })
            #expect(try await client.getLease(name: "mend-test", namespace: "default")?.spec.holderIdentity == "replica-a")

            await group.triggerGracefulShutdown()  // what SIGTERM does
            try await running.value
            #expect(log.running.isEmpty)
            let lease = try await client.getLease(name: "mend-test", namespace: "default")
            #expect(lease?.spec.holderIdentity == nil)  // released: a successor need not wait out the lease
        }
    }

    @Test func servicesThatIgnoreShutdownAreCancelledAfterTheTimeout() async throws {
        let group = ProgramRunner.makeGroup(
            [StubbornService()], shutdownTimeout: .milliseconds(200), logger: Logger(label: "test"), signals: [])
        let start = ContinuousClock.now
        let running = Task { try await group.run() }
        try await Task.sleep(for: .milliseconds(50))
        await group.triggerGracefulShutdown()
        _ = await running.result
        #expect(ContinuousClock.now - start < .seconds(3))
    }
}
