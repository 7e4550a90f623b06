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
        let config = try policyOptions.load()
        print(PolicySummary.render(config.policy))
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
        let config = try policyOptions.load()
        let policy = config.policy
        let client = try clusterOptions.makeClient(program: "mend-drainer")
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

    @Flag(name: .long, inversion: .prefixedNo, help: "Take part in leader election (one active replica).")
    var leaderElect = true

    @Option(name: .long, help: "The Lease used for leader election.")
    var leaseName = "mend-drainer"

    @Option(name: .long, help: "The Lease's namespace (default: the pod's namespace, else the kubeconfig's). The state ConfigMap lives there too.")
    var leaseNamespace: String?

    @Option(name: .long, help: "The ConfigMap (in the Lease's namespace) where the drainer keeps its storm cool-down across restarts.")
    var stateConfigmap = ConfigMapStateStore.defaultName

    @Option(name: .long, help: "How often the --config file is checked for changes (Go duration; 0 turns reloading off).")
    var configReloadInterval = "10s"

    @Option(name: .long, help: "The ConfigMap (in the Lease's namespace) the --config file is mounted from; a refused reload is recorded as an Event on it (default: on the Lease).")
    var configConfigmap: String?

    @OptionGroup var runtimeOptions: RuntimeOptions

    func run() async throws {
        // The configuration is validated before any connection is made.
        let runtime = runtimeOptions.overrides
        let config = try policyOptions.load(runtime: runtime)
        guard let reloadInterval = GoDuration.nonNegative(configReloadInterval) else {
            throw ValidationError("--config-reload-interval: \"\(configReloadInterval)\" is not a duration; expected \(GoDuration.expectation)")
        }
        let policy = config.policy
        let dryRun = config.dryRun
        let client = try clusterOptions.makeClient(program: "mend-drainer")
        let environment = ProgramEnvironment.bootstrap(program: "mend-drainer", config: config)
        let logger = environment.logger
        logger.notice("starting", metadata: ["dryRun": "\(dryRun)", "rules": "\(policy.rules.map(\.description))", "cluster": "\(client.origin)"])

        let writes = WritePath(kubernetes: client, dryRun: dryRun, logger: logger)
        let identity = LeaderElectionSettings.defaultIdentity()
        let recorder = EventRecorder(sink: writes, component: "mend-drainer", host: identity, logger: logger)
        let nodes = Informer<Node>(client: client, logger: logger)
        let namespace = leaseNamespace ?? client.defaultNamespace
        let reconciler = Reconciler(
            policy: policy, cluster: KubeDrainerCluster(client: client, writes: writes), nodes: nodes, events: recorder,
            clock: SystemClock(), logger: logger, dryRun: dryRun,
            state: ConfigMapStateStore(client: client, writes: writes, namespace: namespace, name: stateConfigmap))
        let reloader = try makeReloader(
            interval: reloadInterval, runtime: runtime, namespace: namespace, reconciler: reconciler, recorder: recorder,
            logger: logger)
        if let reloader {
            // Read again through the reloader so the content it compares against is what runs.
            let current = try reloader.loadInitial()
            await reconciler.apply(current.policy)
        }
        let election = LeaderElectionSettings(enabled: leaderElect, leaseName: leaseName, namespace: namespace)
        let health = environment.health
        let leaderLoop = LeaderElectedLoop(
            settings: election, dryRun: dryRun, client: client, writes: writes, identity: identity, logger: logger
        ) {
            try await reconciler.run()
        }
        let informerService = TaskService.cache(
            gate: "nodes", reason: "node cache not synced yet", health: health, run: { try await nodes.run() },
            waitForSync: { try await nodes.waitForSync() })
        var services: [any Service] = [environment.healthServer, informerService, TaskService { try await leaderLoop.run() }]
        if let reloader { services.append(TaskService { await reloader.run() }) }
        do {
            try await ProgramRunner.run(services, logger: logger)
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

extension RunCommand {
    /// Watches `--config` (when given and the interval is not zero): a valid change reaches the
    /// reconciler's next pass; a refused one keeps the running policy and is recorded as an Event
    /// on the ConfigMap named by `--config-configmap`, else on the Lease.
    func makeReloader(
        interval: Duration, runtime: [ConfigOverride], namespace: String, reconciler: Reconciler, recorder: EventRecorder,
        logger: Logger
    ) throws -> ConfigReloader<DrainerConfig>? {
        guard let path = policyOptions.config, interval > .zero else { return nil }
        let overrides = runtime + (try policyOptions.overrides.configOverrides())
        let about =
            configConfigmap.map { ObjectReference(kind: "ConfigMap", namespace: namespace, name: $0, apiVersion: "v1") }
            ?? ObjectReference(kind: "Lease", namespace: namespace, name: leaseName, apiVersion: "coordination.k8s.io/v1")
        return ConfigReloader(
            path: path, interval: interval, logger: logger,
            load: { text, source in try ConfigLoader.load(DrainerConfig.self, yaml: text, source: source, overrides: overrides) },
            apply: { config in await reconciler.apply(config.policy) },
            onFailure: { failure in
                await recorder.record(
                    about: about, type: "Warning", reason: "MendConfigReloadFailed",
                    message: "mend-drainer kept its running policy; the new configuration is invalid: \(failure.message)")
            })
    }
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
        let surge = policy.surge
        lines.append("Surge: " + (surge.enabled
            ? "ask for capacity when the pods would not fit elsewhere; wait up to \(GoDuration.format(surge.timeout)) (re-checking every \(GoDuration.format(surge.recheckInterval))), then \(surge.onTimeout.rawValue)"
            : "off"))
        return lines.joined(separator: "\n")
    }
}
