import Foundation
import KubeModels
import MendTime

/// The simulated world around a ``ClusterStore``: kubelets, scheduler, workload controllers and
/// a cloud, each switchable, all on one injectable clock, optionally served over HTTP.
///
/// ```swift
/// let clock = ManualClock()
/// var configuration = ClusterSimulation.Configuration(clock: clock)
/// configuration.kubelets.podStartDelay = .seconds(5)
/// let sim = ClusterSimulation(configuration)
/// try sim.cloud!.addNodeGroup(NodeGroupSpec(name: "general", minSize: 1, maxSize: 5, desiredCapacity: 2,
///     shape: NodeShape(instanceType: "m5.large", zone: "us-east-1a", capacity: ["cpu": "2", "memory": "8Gi", "pods": "29"])),
///     startBooted: true)
/// try sim.settle()                                  // nodes register, pods get scheduled
/// try sim.advance(clock, by: .seconds(5))           // pods start
/// ```
///
/// Long-running use (`mend sim`, integration tests): ``start(_:)`` also serves the store over
/// HTTP, and ``run()`` drives every part as a child task until cancelled.
public final class ClusterSimulation: Sendable {
    /// Which parts run, and how.
    public struct Configuration: Sendable {
        /// The clock every part (and the store's timestamps) uses.
        public var clock: any MendClock
        /// Simulate kubelets (pod start, graceful deletion, node status, kernel logs).
        public var runsKubelets = true
        public var kubelets = SimulatedKubelets.Configuration()
        public var runsScheduler = true
        public var runsReplicaSetController = true
        public var runsDaemonSetController = true
        public var runsCloud = true
        /// The HTTP server's configuration for ``start(_:)`` (its clock is replaced by ``clock``).
        public var server = ClusterSimServer.Configuration()

        public init(clock: any MendClock = SystemClock()) {
            self.clock = clock
        }
    }

    public let configuration: Configuration
    public let store: ClusterStore
    /// The HTTP server, when started with ``start(_:)``.
    public let server: ClusterSimServer?
    public let kubelets: SimulatedKubelets?
    public let scheduler: SimulatedScheduler?
    public let replicaSetController: ReplicaSetController?
    public let daemonSetController: DaemonSetController?
    public let cloud: SimulatedCloud?
    /// The enabled parts, in the order ``settle(maxRounds:)`` runs them.
    public let parts: [any SimulationPart]

    /// A simulation over `store` (default: a new one on the configuration's clock), not served
    /// over HTTP. Writes are recorded in `audit` when given.
    public convenience init(_ configuration: Configuration = Configuration(), store: ClusterStore? = nil,
                            audit: AuditLog? = nil) {
        self.init(configuration, store: store ?? ClusterStore(clock: configuration.clock), server: nil, audit: audit)
    }

    private init(_ configuration: Configuration, store: ClusterStore, server: ClusterSimServer?, audit: AuditLog?) {
        self.configuration = configuration
        self.store = store
        self.server = server
        let clock = configuration.clock
        cloud = configuration.runsCloud ? SimulatedCloud(store: store, audit: audit, clock: clock) : nil
        kubelets = configuration.runsKubelets
            ? SimulatedKubelets(store: store, audit: audit, clock: clock, configuration: configuration.kubelets) : nil
        replicaSetController = configuration.runsReplicaSetController ? ReplicaSetController(store: store, audit: audit) : nil
        daemonSetController = configuration.runsDaemonSetController ? DaemonSetController(store: store, audit: audit) : nil
        scheduler = configuration.runsScheduler ? SimulatedScheduler(store: store, audit: audit, clock: clock) : nil
        let ordered: [(any SimulationPart)?] = [cloud, kubelets, replicaSetController, daemonSetController, scheduler]
        parts = ordered.compactMap { $0 }
    }

    /// Starts the HTTP server (on the configuration's clock) and assembles the simulation over
    /// its store; the parts' writes appear in the server's audit log under their users.
    public static func start(_ configuration: Configuration = Configuration()) async throws -> ClusterSimulation {
        var serverConfiguration = configuration.server
        serverConfiguration.clock = configuration.clock
        let server = try await ClusterSimServer.start(serverConfiguration)
        return ClusterSimulation(configuration, store: server.store, server: server, audit: server.audit)
    }

    // MARK: Driving by hand (tests)

    /// Runs every part until a whole round makes no write; returns how many rounds that took.
    ///
    /// Time does not move: work that waits for the clock (pod start delay, boot delay, grace
    /// periods) stays pending. Use ``advance(_:by:step:)`` to move a ``ManualClock``.
    ///
    /// - Throws: ``SimulationError/didNotSettle(rounds:busyParts:)`` when writes continue after
    ///   `maxRounds` rounds.
    @discardableResult
    public func settle(maxRounds: Int = 50) throws(SimulationError) -> Int {
        var busy: [String] = []
        for round in 1...max(1, maxRounds) {
            busy = []
            for part in parts where part.reconcile() > 0 { busy.append(part.name) }
            if busy.isEmpty { return round }
        }
        throw .didNotSettle(rounds: maxRounds, busyParts: busy)
    }

    /// Moves `clock` forward by `total` in steps of `step`, settling after each step, so
    /// timed work happens at the simulated moment it is due.
    public func advance(_ clock: ManualClock, by total: Duration, step: Duration = .seconds(1)) throws(SimulationError) {
        try settle()
        var remaining = total
        while remaining > .zero {
            let move = min(step, remaining)
            clock.advance(by: move)
            remaining -= move
            try settle()
        }
    }

    // MARK: Running

    /// Drives every part (and serves HTTP, when started with ``start(_:)``) until the calling
    /// task is cancelled. Each part runs as a child task, woken by changes to its trigger
    /// resources and by its tick on the clock; the server is shut down on the way out.
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for part in parts {
                group.addTask { await self.drive(part) }
            }
            if let server {
                group.addTask { try await server.runUntilCancelled() }
            }
            try await group.waitForAll()
        }
    }

    private func drive(_ part: any SimulationPart) async {
        let (wakeups, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let store = self.store
        let clock = configuration.clock
        // Taken before the first pass: watches replay anything written after it, so no change
        // falls between the first reconcile and the watch registration.
        let startRevision = store.currentRevision
        await withTaskGroup(of: Void.self) { group in
            for resource in part.triggers {
                group.addTask {
                    var from = startRevision
                    while !Task.isCancelled {
                        let stream = (try? store.watch(resource, start: .after(from)))
                            ?? (try? store.watch(resource, start: .after(store.currentRevision)))
                        if let stream {
                            do {
                                for try await _ in stream { wake.yield() }
                            } catch {}
                        }
                        // The watch ended (closed, overflowed, expired): catch up, then watch again.
                        from = store.currentRevision
                        wake.yield()
                        try? await Task.sleep(for: .milliseconds(20))
                    }
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    do { try await clock.sleep(for: part.tickInterval) } catch { break }
                    wake.yield()
                }
            }
            group.addTask {
                wake.yield()
                for await _ in wakeups {
                    if Task.isCancelled { break }
                    _ = part.reconcile()
                    await Task.yield()
                }
            }
            await group.next()
            group.cancelAll()
        }
    }
}

/// Why driving the simulation failed.
public enum SimulationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Parts kept writing after the round limit (a feedback loop, or more work than the limit).
    case didNotSettle(rounds: Int, busyParts: [String])

    public var description: String {
        switch self {
        case .didNotSettle(let rounds, let busy):
            "the simulation did not settle within \(rounds) rounds; still writing: \(busy.joined(separator: ", "))"
        }
    }
}
