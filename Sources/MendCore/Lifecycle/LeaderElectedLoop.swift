import KubeClient
import Logging
import Metrics
import MendTime
import ServiceLifecycle

/// Runs a program's work only while this replica holds the Lease.
///
/// It campaigns; once leader it runs `work`; when leadership is lost the work is cancelled at
/// once (by ``LeaderElector``) and the loop campaigns again. When the work returns or throws on
/// its own, the loop stops (and the lease is released). On graceful shutdown (SIGTERM) the work
/// is cancelled and the lease released so a successor takes over without waiting it out.
///
/// The gauge `mend_leader{lease}` is 1 while this replica leads, 0 otherwise.
///
/// In dry-run, leader election is normally skipped (``Mode/alwaysLead``): a laptop run must not
/// take the Lease from the real in-cluster leader, and it writes nothing anyway.
public struct LeaderElectedLoop: Service {
    /// How the loop decides to run the work.
    public enum Mode: Sendable {
        /// Campaign for the Lease with these settings over this API.
        case elect(LeaderElectionConfig, api: any LeaseAPI)
        /// Run the work at once without a Lease (single replica, DaemonSet, or dry-run).
        case alwaysLead
    }

    let mode: Mode
    let work: @Sendable () async throws -> Void
    let clock: any MendClock
    let logger: Logger
    let gauge: Gauge
    let leading: Counter

    /// - Parameters:
    ///   - work: the program's reconcile loop; it must stop promptly when cancelled.
    ///   - factory: where the leadership metrics live (default: the process's metrics system).
    public init(
        mode: Mode, clock: any MendClock = SystemClock(), logger: Logger, factory: (any MetricsFactory)? = nil,
        work: @escaping @Sendable () async throws -> Void
    ) {
        self.mode = mode
        self.work = work
        self.clock = clock
        self.logger = logger
        let lease: String
        switch mode {
        case .elect(let config, _): lease = "\(config.namespace)/\(config.leaseName)"
        case .alwaysLead: lease = "none"
        }
        let factory = factory ?? MetricsSystem.factory
        gauge = Gauge(label: "mend_leader", dimensions: [("lease", lease)], factory: factory)
        leading = Counter(label: "mend_leadership_acquired_total", dimensions: [("lease", lease)], factory: factory)
        gauge.record(0)
    }

    /// Runs until the work ends on its own, the task is cancelled, or graceful shutdown.
    /// Stopping because of cancellation or shutdown is a clean stop (no error), so SIGTERM
    /// ends the program with success once the lease is released.
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await self.runLoop()
            }
        } catch is CancellationError {
            logger.info("stopped")
        }
    }

    private func runLoop() async throws {
        let gauge = self.gauge
        let leading = self.leading
        let work = self.work
        let guarded: @Sendable () async throws -> Void = {
            gauge.record(1)
            leading.increment()
            defer { gauge.record(0) }
            try await work()
        }
        switch mode {
        case .alwaysLead:
            logger.info("running without leader election")
            try await guarded()
        case .elect(let config, let api):
            let elector = LeaderElector(config: config, api: api, clock: clock, logger: logger)
            while true {
                do {
                    try await elector.run(whileLeading: guarded)
                    logger.info("work finished; leaving the election")
                    return
                } catch let error as LeaderElectionError {
                    guard case .lostLeadership = error else { throw error }
                    logger.warning("lost leadership; work stopped, campaigning again")
                    try await clock.sleep(for: config.retryPeriod)
                }
            }
        }
    }
}

extension LeaderElectedLoop {
    /// The usual choice: elect on the configured Lease (writes through `writes`), or run at once
    /// when election is disabled or in dry-run (a dry run must not take the real leader's Lease).
    public init(
        settings: LeaderElectionSettings, dryRun: Bool, client: KubernetesClient, writes: WritePath,
        identity: String = LeaderElectionSettings.defaultIdentity(), clock: any MendClock = SystemClock(),
        logger: Logger, factory: (any MetricsFactory)? = nil, work: @escaping @Sendable () async throws -> Void
    ) {
        let mode: Mode =
            settings.enabled && !dryRun
            ? .elect(settings.electionConfig(identity: identity), api: WritePathLeaseAPI(reader: client, writes: writes))
            : .alwaysLead
        self.init(mode: mode, clock: clock, logger: logger, factory: factory, work: work)
    }
}
