import ArgumentParser
import Drainer
import Foundation
import KubeClient
import KubeModels
import Logging
import MendCore
import MendTime
import ServiceLifecycle

/// `mend-drainer validate`: checks the policy and prints it; touches no cluster.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Check the policy file and flags, print the effective policy, and exit.")

    @OptionGroup var policyOptions: PolicyOptions

    func run() async throws {
        let policy = try policyOptions.policy()
        print(PolicySummary.render(policy))
    }
}

/// `mend-drainer plan`: what would happen now, read from the real cluster; writes nothing.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print which nodes match, which pods would be evicted, and which PodDisruptionBudgets would block. Writes nothing.")

    @OptionGroup var policyOptions: PolicyOptions
    @OptionGroup var clusterOptions: ClusterOptions

    func run() async throws {
        let (policy, client) = try DrainerStartup.prepare(configPath: policyOptions.config, overrides: policyOptions.overrides) {
            try makeClient(clusterOptions)
        }
        do {
            let nodes = try await client.listAll(Node.self).items
            let pods = try await client.listAll(Pod.self).items
            let budgets = try await client.listAll(PodDisruptionBudget.self).items
            print(DrainPlan.make(policy: policy, nodes: nodes, pods: pods, budgets: budgets, now: Date()).render(now: Date()))
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }
}

/// `mend-drainer run` (the default): the controller.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Watch nodes and cordon, drain and uncordon them by the policy (leader-elected).")

    @OptionGroup var policyOptions: PolicyOptions
    @OptionGroup var clusterOptions: ClusterOptions

    @Flag(name: .long, help: "Read the cluster and log every cordon, eviction and uncordon it would do; write nothing (no Lease either).")
    var dryRun = false

    @Flag(name: .long, inversion: .prefixedNo, help: "Take part in leader election (one active replica).")
    var leaderElect = true

    @Option(name: .long, help: "The Lease used for leader election.")
    var leaseName = "mend-drainer"

    @Option(name: .long, help: "The Lease's namespace (default: the pod's namespace, else the kubeconfig's).")
    var leaseNamespace: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    @Option(name: .long, help: "Log format: auto (text on a terminal, JSON otherwise), json or text.")
    var logFormat: String = "auto"

    @Option(name: .long, help: "Where /healthz, /readyz and /metrics listen: host:port or :port.")
    var healthAddress: String = ":8080"

    func run() async throws {
        guard let level = LogLevel(rawValue: logLevel) else {
            throw ValidationError("--log-level: \"\(logLevel)\" is not a level; expected trace, debug, info, notice, warning, error or critical")
        }
        guard let format = LogFormat(rawValue: logFormat) else {
            throw ValidationError("--log-format: \"\(logFormat)\" is not a format; expected auto, json or text")
        }
        let address: ListenAddress
        do {
            address = try ListenAddress(parsing: healthAddress)
        } catch {
            throw ValidationError("--health-address: \(error)")
        }
        // The policy is validated before any connection is made.
        let (policy, client) = try DrainerStartup.prepare(configPath: policyOptions.config, overrides: policyOptions.overrides) {
            try makeClient(clusterOptions)
        }
        let runtime = RuntimeSettings(dryRun: dryRun, logging: LoggingSettings(level: level, format: format), server: ServerSettings(address: address))
        let environment = ProgramEnvironment.bootstrap(program: "mend-drainer", config: runtime)
        let logger = environment.logger
        logger.notice("starting", metadata: ["dryRun": "\(dryRun)", "rules": "\(policy.rules.map(\.description))", "cluster": "\(client.origin)"])

        let writes = WritePath(kubernetes: client, dryRun: dryRun, logger: logger)
        let identity = LeaderElectionSettings.defaultIdentity()
        let recorder = EventRecorder(sink: writes, component: "mend-drainer", host: identity, logger: logger)
        let nodes = Informer<Node>(client: client, logger: logger)
        let reconciler = Reconciler(
            policy: policy, cluster: KubeDrainerCluster(client: client, writes: writes), nodes: nodes, events: recorder,
            clock: SystemClock(), logger: logger, dryRun: dryRun)
        let election = LeaderElectionSettings(
            enabled: leaderElect, leaseName: leaseName, namespace: leaseNamespace ?? client.defaultNamespace)
        let health = environment.health
        health.addReadinessGate("nodes", reason: "node cache not synced yet")
        let leaderLoop = LeaderElectedLoop(
            settings: election, dryRun: dryRun, client: client, writes: writes, identity: identity, logger: logger
        ) {
            try await reconciler.run()
        }
        let informerService = TaskService {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await nodes.run() }
                try await nodes.waitForSync()
                health.setReady("nodes")
                _ = try await group.next()
            }
        }
        do {
            try await ProgramRunner.run(
                [environment.healthServer, informerService, TaskService { try await leaderLoop.run() }], logger: logger)
        } catch is CancellationError {
            // Graceful shutdown cancelled the work.
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        logger.notice("stopped")
    }
}

/// The program-level settings MendCore's bootstrap needs (the policy itself is ``DrainerPolicy``).
struct RuntimeSettings: ProgramConfiguration {
    var dryRun: Bool
    var logging: LoggingSettings
    var server: ServerSettings

    static var defaults: RuntimeSettings { RuntimeSettings(dryRun: false, logging: LoggingSettings(), server: ServerSettings()) }

    func validate(_ validator: inout ConfigValidator) {}
}

/// Runs a long-lived task as a `Service`: cancelled on graceful shutdown.
struct TaskService: Service {
    let body: @Sendable () async throws -> Void

    init(_ body: @escaping @Sendable () async throws -> Void) { self.body = body }

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await body() }
        } catch is CancellationError {
            // Shutting down.
        }
    }
}

func makeClient(_ options: ClusterOptions) throws -> KubernetesClient {
    let configuration = try KubeConfiguration.automatic(kubeconfig: options.kubeconfig, context: options.context)
    return try KubernetesClient(
        configuration: configuration,
        options: KubeClientOptions(userAgent: UserAgent.make(program: "mend-drainer", version: "0.1.0")),
        logger: Logger(label: "mend-drainer.kube"))
}

/// The effective policy in words (for `validate`).
enum PolicySummary {
    static func render(_ policy: DrainerPolicy) -> String {
        var lines = ["Policy is valid."]
        lines.append("Rules (any matching): " + policy.rules.map(\.description).joined(separator: "; "))
        lines.append("Nodes: " + (policy.nodeSelector.isEverything ? "all" : policy.nodeSelector.description)
            + "; opt-out annotation \(policy.optOutAnnotation)=true")
        let pods = policy.pods
        lines.append("Pods: evict local storage \(pods.evictLocalStorage), evict unowned \(pods.evictUnowned), protected annotation \(pods.protectedAnnotation)=true, max grace \(pods.maxGracePeriod.map(GoDuration.format) ?? "pod's own")")
        lines.append("Drain: timeout \(GoDuration.format(policy.drain.timeout)), then \(policy.drain.onTimeout.rawValue); \(policy.drain.concurrentEvictions) evictions at once")
        let budget = policy.budget
        lines.append("Budget: \(budget.maxConcurrentDrains) drain(s) at once, at most \(budget.maxCordoned) cordoned, storm cool-down \(GoDuration.format(budget.stormCooldown)), min interval \(GoDuration.format(budget.minIntervalBetweenDrains))"
            + (budget.maintenanceWindows.isEmpty ? "" : ", windows " + budget.maintenanceWindows.map(\.description).joined(separator: "; ")))
        lines.append("Uncordon: " + (policy.uncordonAfterHealthyFor.map { "after healthy for \(GoDuration.format($0))" } ?? "never"))
        return lines.joined(separator: "\n")
    }
}
