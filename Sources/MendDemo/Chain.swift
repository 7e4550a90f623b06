import Autoscaler
import ClusterSim
import Detector
import Drainer
import Foundation
import KubeClient
import KubeModels
import Logging
import MendCore
import MendTime
import Synchronization

/// The three Mend programs — one mend-detector per node, mend-drainer, mend-autoscaler — running in
/// one process against a ClusterSim simulation on an accelerated clock, with the simulated cloud as
/// the autoscaler's node-group provider. `mend demo` tells what it does; the chain tests assert it.
///
/// The programs are the real libraries with the settings a small cluster wants; they talk to
/// ClusterSim over HTTP exactly as they talk to a real API server.
public final class Chain: Sendable {
    /// How the chain is put together.
    public struct Configuration: Sendable {
        /// The story: cluster, fault, budget.
        public var scenario: DemoScenario
        /// Simulated seconds per real second.
        public var speed: Double
        /// The kernel monitor file (node-problem-detector format) the detectors run.
        public var kernelMonitorPath: String
        /// Where the programs' logs go (a no-op logger keeps the timeline readable).
        public var logger: Logger
        /// The ClusterSim server settings (port, TLS).
        public var server: ClusterSimServer.Configuration
        /// Replicas of mend-drainer and of mend-autoscaler, as their Deployments run them. With
        /// more than one, the replicas of each program elect a leader on its Lease (the
        /// programs' default lease settings) and only the leader acts.
        public var replicas: Int

        /// A configuration for `scenario`.
        public init(scenario: DemoScenario, speed: Double = 30, kernelMonitorPath: String,
                    logger: Logger = Logger(label: "mend-demo", factory: { _ in SwiftLogNoOpLogHandler() }),
                    server: ClusterSimServer.Configuration = ClusterSimServer.Configuration(),
                    replicas: Int = 1) {
            self.scenario = scenario
            self.speed = speed
            self.kernelMonitorPath = kernelMonitorPath
            self.logger = logger
            self.server = server
            self.replicas = max(1, replicas)
        }
    }

    /// `logger` with the replica's identity in its metadata.
    static func logger(_ logger: Logger, replica: String) -> Logger {
        var logger = logger
        logger[metadataKey: "replica"] = "\(replica)"
        return logger
    }

    /// The namespace of the programs' Leases and state.
    public static let namespace = "kube-system"

    /// The replicas' identities for `program` (`mend-drainer-0`, `mend-drainer-1`, ...; the
    /// program's name alone when it runs once). Each replica's `User-Agent` starts with its
    /// identity and a slash, so a fault can single one out.
    public func replicaIdentities(_ program: String) -> [String] {
        configuration.replicas == 1 ? [program] : (0..<configuration.replicas).map { "\(program)-\($0)" }
    }

    /// The identity holding `program`'s Lease now (`nil`: none, or the Lease does not exist),
    /// read from the simulation's store.
    public func leaseHolder(_ program: String) -> String? {
        guard let leases = simulation.store.resource("leases", group: "coordination.k8s.io"),
              let lease = try? simulation.store.get(leases, namespace: Self.namespace, name: program)
        else { return nil }
        return lease[path: ["spec", "holderIdentity"]]?.stringValue
    }

    /// Why the chain could not start.
    public enum ChainError: Error, CustomStringConvertible {
        case kernelMonitor(path: String, reason: String)
        case notAKernelMonitor(path: String)
        case scenario(String)

        public var description: String {
            switch self {
            case .kernelMonitor(let path, let reason): "cannot load the kernel monitor \(path): \(reason)"
            case .notAKernelMonitor(let path): "\(path) is not a system-log monitor with the kmsg plugin"
            case .scenario(let reason): "the demo scenario does not load: \(reason)"
            }
        }
    }

    public let configuration: Configuration
    /// The simulation (API server, kubelets, scheduler, controllers, cloud).
    public let simulation: ClusterSimulation
    /// The simulation's clock.
    public let clock: AcceleratedClock
    let monitor: SystemLogMonitor

    private init(configuration: Configuration, simulation: ClusterSimulation, clock: AcceleratedClock, monitor: SystemLogMonitor) {
        self.configuration = configuration
        self.simulation = simulation
        self.clock = clock
        self.monitor = monitor
    }

    /// Starts ClusterSim with the scenario's cluster; the programs start with ``run(until:)``.
    public static func start(_ configuration: Configuration) async throws -> Chain {
        let monitor: SystemLogMonitor
        do {
            guard case .systemLog(let loaded) = try MonitorLoader.load(path: configuration.kernelMonitorPath),
                  loaded.plugin == .kmsg else {
                throw ChainError.notAKernelMonitor(path: configuration.kernelMonitorPath)
            }
            monitor = loaded
        } catch let error as MonitorConfigError {
            throw ChainError.kernelMonitor(path: configuration.kernelMonitorPath, reason: "\(error)")
        }
        let scenario: Scenario
        do {
            scenario = try Scenario.parse(configuration.scenario.clusterYAML, file: "demo:\(configuration.scenario.name)")
        } catch {
            throw ChainError.scenario("\(error)")
        }
        let clock = AcceleratedClock(factor: configuration.speed)
        var world = ClusterSimulation.Configuration(clock: clock)
        world.server = configuration.server
        let simulation = try await ClusterSimulation.start(world)
        do {
            try simulation.load(scenario, file: "demo:\(configuration.scenario.name)")
            for group in configuration.scenario.failingGroups {
                try simulation.cloud?.setLaunchFailure(
                    group: group, message: "We currently do not have sufficient capacity in the Availability Zone you requested (InsufficientInstanceCapacity).")
            }
        } catch {
            try? await simulation.server?.shutdown()
            throw ChainError.scenario("\(error)")
        }
        return Chain(configuration: configuration, simulation: simulation, clock: clock, monitor: monitor)
    }

    /// The API server's URL.
    public var url: String { simulation.server?.url ?? "" }

    /// A client of the simulated API server for one program.
    func client(_ program: String) throws -> KubernetesClient {
        let config = KubeConfiguration(server: URL(string: url)!, namespace: Self.namespace, origin: "mend demo")
        return try KubernetesClient(
            configuration: config,
            options: KubeClientOptions(userAgent: UserAgent.make(program: program, version: "demo"), qps: 0, burst: 100),
            credentials: nil, logger: configuration.logger)
    }

    /// Runs the simulation and the three programs until `body` returns; then stops them all.
    public func run<R: Sendable>(_ body: @escaping @Sendable () async throws -> R) async throws -> R {
        let logger = configuration.logger
        let detectorClient = try client("mend-detector")
        let drainerClients = try replicaIdentities("mend-drainer").map { ($0, try client($0)) }
        let autoscalerClients = try replicaIdentities("mend-autoscaler").map { ($0, try client($0)) }
        defer {
            let clients = [detectorClient] + (drainerClients + autoscalerClients).map(\.1)
            Task { for client in clients { try? await client.shutdown() } }
        }
        return try await withThrowingTaskGroup(of: R?.self) { group in
            group.addTask { try await self.simulation.run(); return nil }
            group.addTask { try await self.runDetectors(client: detectorClient, logger: logger); return nil }
            for (identity, client) in drainerClients {
                group.addTask {
                    try await self.runDrainer(client: client, identity: identity, logger: Self.logger(logger, replica: identity))
                    return nil
                }
            }
            for (identity, client) in autoscalerClients {
                group.addTask {
                    try await self.runAutoscaler(client: client, identity: identity, logger: Self.logger(logger, replica: identity))
                    return nil
                }
            }
            group.addTask { try await body() }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            throw CancellationError()
        }
    }

    // MARK: mend-detector, one per node (a DaemonSet)

    private func runDetectors(client: KubernetesClient, logger: Logger) async throws {
        let writes = WritePath(kubernetes: client, dryRun: false, clock: clock, logger: logger)
        let metrics = DetectorMetrics()
        // Like the DaemonSet: one detector per node, started when the node appears, stopped when
        // it goes, and started again if it exits (as the kubelet restarts a crashed pod).
        let exited = NameSet()
        var running: [String: Task<Void, Never>] = [:]
        defer { running.values.forEach { $0.cancel() } }
        while !Task.isCancelled {
            for name in exited.takeAll() { running[name] = nil }
            guard let listed = try? await client.listAll(Node.self).items else {
                try await clock.sleep(for: .seconds(2))
                continue
            }
            let nodes = Set(listed.compactMap(\.metadata.name))
            for name in nodes where running[name] == nil {
                    let detector = NodeProblemDetector(
                        options: .init(nodeName: name, heartbeatInterval: .seconds(300), tickInterval: .seconds(1), clock: clock),
                        writer: KubernetesNodeWriter(
                            client: client, writes: writes,
                            recorder: EventRecorder(sink: writes, component: "mend-detector", host: name, clock: clock, logger: logger),
                            metrics: metrics),
                        metrics: metrics, logger: logger)
                    let source = SimulatedKernelLogSource(
                        log: simulation.kubelets!.kernelLog(node: name), clock: clock, lookback: monitor.lookback)
                    let input = NodeProblemDetector.LogInput(monitor: monitor, source: source)
                    running[name] = Task {
                        do { try await detector.run(logs: [input], plugins: []) } catch {
                            logger.warning("detector exited; restarting it", metadata: ["node": "\(name)", "error": "\(error)"])
                        }
                        exited.insert(name)
                    }
            }
            for (name, task) in running where !nodes.contains(name) {
                task.cancel()
                running[name] = nil
            }
            try await clock.sleep(for: .seconds(2))
        }
    }

    // MARK: mend-drainer

    /// The demo's drain policy: the kernel monitor's deadlock condition drains at once, one node
    /// at a time, within the scenario's cordon budget.
    var drainerPolicy: DrainerPolicy {
        DrainerPolicy(
            rules: [ConditionRule(type: NodeConditionType(rawValue: DemoScenario.conditionType), status: .true, duration: .zero)],
            pods: PodPolicy(evictLocalStorage: true),
            drain: DrainSettings(timeout: .seconds(900), onTimeout: .keepWaiting, evictionRetryInterval: .seconds(5)),
            budget: SafetyBudget(maxConcurrentDrains: 1, maxCordoned: .count(configuration.scenario.maxCordoned),
                                 stormCooldown: .seconds(60)),
            uncordonAfterHealthyFor: nil)
    }

    private func runDrainer(client: KubernetesClient, identity: String, logger: Logger) async throws {
        let writes = WritePath(kubernetes: client, dryRun: false, clock: clock, logger: logger)
        let recorder = EventRecorder(sink: writes, component: MendNodeKeys.component, host: identity, clock: clock, logger: logger)
        let nodes = Informer<Node>(client: client, logger: logger)
        let reconciler = Reconciler(
            policy: drainerPolicy, cluster: KubeDrainerCluster(client: client, writes: writes), nodes: nodes,
            events: recorder, clock: clock, logger: logger)
        let leader = leaderLoop(lease: "mend-drainer", identity: identity, client: client, writes: writes, logger: logger) {
            try await reconciler.run()
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await nodes.run() }
            try await nodes.waitForSync()
            group.addTask { try await leader.run() }
            try await group.next()
        }
    }

    /// Runs `work` at once for a single replica; with several, only while `identity` holds the
    /// program's Lease (the programs' default lease duration, renew deadline and retry period).
    private func leaderLoop(
        lease: String, identity: String, client: KubernetesClient, writes: WritePath, logger: Logger,
        work: @escaping @Sendable () async throws -> Void
    ) -> LeaderElectedLoop {
        let settings = LeaderElectionSettings(enabled: configuration.replicas > 1, leaseName: lease, namespace: Self.namespace)
        return LeaderElectedLoop(
            settings: settings, dryRun: false, client: client, writes: writes, identity: identity, clock: clock,
            logger: logger, work: work)
    }

    // MARK: mend-autoscaler

    /// The demo's autoscaler settings: the defaults, with a 10 s scan.
    var autoscalerSettings: AutoscalerSettings {
        var settings = AutoscalerSettings()
        settings.scanInterval = .seconds(10)
        settings.statusNamespace = Self.namespace
        return settings
    }

    private func runAutoscaler(client: KubernetesClient, identity: String, logger: Logger) async throws {
        guard let cloud = simulation.cloud else { return }
        let provider = SimulatedNodeGroupProvider(cloud: cloud)
        // Capacity writes go to the simulated cloud, through the same write path as on AWS.
        let writes = WritePath.forNodeGroups(provider, kubernetes: client, dryRun: false, clock: clock, logger: logger)
        let recorder = EventRecorder(sink: writes, component: "mend-autoscaler", host: identity, clock: clock, logger: logger)
        let source = InformerClusterSource(client: client, clock: clock, logger: logger)
        let remover = NodeRemover(client: client, provider: provider, writes: writes, events: recorder, clock: clock, logger: logger)
        let loop = AutoscalerLoop(
            settings: autoscalerSettings,
            dependencies: AutoscalerLoop.Dependencies(
                cluster: source, provider: provider, writes: writes, remover: remover, configMaps: client,
                events: recorder, clock: clock, logger: logger))
        let leader = leaderLoop(lease: "mend-autoscaler", identity: identity, client: client, writes: writes, logger: logger) {
            try await loop.run(wakeups: source)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await source.run() }
            try await source.waitForSync()
            group.addTask { try await leader.run() }
            try await group.next()
        }
    }
}

/// Names shared between tasks (the detectors that exited).
private final class NameSet: Sendable {
    private let names = Mutex<Set<String>>([])
    func insert(_ name: String) { names.withLock { _ = $0.insert(name) } }
    func takeAll() -> Set<String> { names.withLock { set in defer { set.removeAll() }; return set } }
}
