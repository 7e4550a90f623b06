import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Metrics set-up for a process: one Prometheus registry behind swift-metrics.
public enum MetricsBootstrap {
    private static let registry = Mutex<PrometheusCollectorRegistry?>(nil)

    /// Bootstraps swift-metrics with a `PrometheusMetricsFactory` over a fresh registry, once per
    /// process; later calls return the same registry. Tests pass their own registry and factory
    /// to the types that take one instead of calling this.
    public static func bootstrap() -> PrometheusCollectorRegistry {
        registry.withLock { existing in
            if let existing { return existing }
            let created = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: created))
            existing = created
            return created
        }
    }
}

/// Runs a program's services (health server, leader-elected loop, informers, ...) in one
/// `ServiceGroup`: SIGTERM or SIGINT start a graceful shutdown, a second signal or the timeout
/// cancels whatever is still running.
public enum ProgramRunner {
    /// Runs `services` until they end or a signal arrives.
    ///
    /// - Parameter shutdownTimeout: how long graceful shutdown may take before the rest is cancelled
    ///   (keep it below the pod's `terminationGracePeriodSeconds`).
    public static func run(
        _ services: [any Service], shutdownTimeout: Duration = .seconds(20), logger: Logger
    ) async throws {
        try await makeGroup(services, shutdownTimeout: shutdownTimeout, logger: logger).run()
    }

    /// The group ``run(_:shutdownTimeout:logger:)`` runs, for callers (and tests) that want to
    /// trigger a graceful shutdown themselves with `triggerGracefulShutdown()`.
    ///
    /// When any service returns or throws, the others are shut down gracefully; after
    /// `shutdownTimeout` whatever still runs is cancelled.
    public static func makeGroup(
        _ services: [any Service], shutdownTimeout: Duration = .seconds(20), logger: Logger,
        signals: [UnixSignal] = [.sigterm, .sigint]
    ) -> ServiceGroup {
        var configuration = ServiceGroupConfiguration(
            services: services.map {
                ServiceGroupConfiguration.ServiceConfiguration(
                    service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                    failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            gracefulShutdownSignals: signals,
            cancellationSignals: [],
            logger: logger)
        configuration.maximumGracefulShutdownDuration = shutdownTimeout
        return ServiceGroup(configuration: configuration)
    }
}
