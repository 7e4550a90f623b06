import Foundation
import KubeClient
import Logging
import MendTime
import Prometheus

/// What every program sets up once its configuration is known to be good: logging, metrics,
/// health checks and the health/metrics server.
///
/// ```swift
/// let config = try ConfigLoader.load(DrainerConfig.self, options: common)   // nothing sent before this
/// let env = ProgramEnvironment.bootstrap(program: "mend-drainer", config: config)
/// ```
public struct ProgramEnvironment: Sendable {
    /// The program's root logger (label = program name).
    public let logger: Logger
    /// The process's Prometheus registry (swift-metrics is bootstrapped over it).
    public let registry: PrometheusCollectorRegistry
    /// Liveness checks and readiness gates; the `config` gate is already ready.
    public let health: HealthChecks
    /// Serves `/healthz`, `/readyz` and `/metrics` on `config.server.address`; run it in the `ServiceGroup`.
    public let healthServer: HealthServer

    /// Bootstraps logging and metrics for the process (once) and builds the health server.
    public static func bootstrap<C: ProgramConfiguration>(
        program: String, config: C, clock: any MendClock = SystemClock()
    ) -> ProgramEnvironment {
        LoggingBootstrap.bootstrap(config.logging, clock: clock)
        let registry = MetricsBootstrap.bootstrap()
        var logger = Logger(label: program)
        if config.dryRun { logger[metadataKey: "dry_run"] = "true" }
        let health = HealthChecks()
        health.addReadinessGate("config")
        health.setReady("config")
        let server = HealthServer(address: config.server.address, checks: health, registry: registry, logger: logger)
        return ProgramEnvironment(logger: logger, registry: registry, health: health, healthServer: server)
    }
}

extension LeaderElectionSettings {
    /// KubeClient's elector settings for this replica.
    public func electionConfig(identity: String = LeaderElectionSettings.defaultIdentity()) -> LeaderElectionConfig {
        LeaderElectionConfig(
            leaseName: leaseName, namespace: namespace, identity: identity, leaseDuration: leaseDuration.duration,
            renewDeadline: renewDeadline.duration, retryPeriod: retryPeriod.duration)
    }

    /// `$POD_NAME` (set it from the downward API) or the host name, plus a random suffix so two
    /// processes on one host never share an identity.
    public static func defaultIdentity() -> String {
        let base = ProcessInfo.processInfo.environment["POD_NAME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ProcessInfo.processInfo.hostName
        return base + "_" + String(UUID().uuidString.lowercased().prefix(8))
    }
}
