import ArgumentParser
import Drainer
import Foundation
import KubeClient
import KubeModels
import Logging
import MendTime
import UnixSignals

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

    @Flag(name: .long, help: "Read the cluster and log every cordon, eviction and uncordon it would do; write nothing.")
    var dryRun = false

    @Flag(name: .long, inversion: .prefixedNo, help: "Take part in leader election (one active replica).")
    var leaderElect = true

    @Option(name: .long, help: "The Lease used for leader election.")
    var leaseName = "mend-drainer"

    @Option(name: .long, help: "The Lease's namespace (default: the pod's namespace, else the kubeconfig's).")
    var leaseNamespace: String?

    @Option(name: .long, help: "This replica's identity in the Lease (default: $POD_NAME, else the host name).")
    var identity: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level: \"\(logLevel)\" is not a level; expected trace, debug, info, notice, warning or error")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "mend-drainer")
        let (policy, client) = try DrainerStartup.prepare(configPath: policyOptions.config, overrides: policyOptions.overrides) {
            try makeClient(clusterOptions)
        }
        logger.notice("starting", metadata: ["dryRun": "\(dryRun)", "rules": "\(policy.rules.map(\.description))", "cluster": "\(client.origin)"])
        let identity = identity ?? ProcessInfo.processInfo.environment["POD_NAME"] ?? ProcessInfo.processInfo.hostName
        let cluster: any DrainerCluster = dryRun
            ? DryRunDrainerCluster(wrapping: KubeDrainerCluster(client: client), logger: logger)
            : KubeDrainerCluster(client: client)
        let sink: any EventSink = dryRun ? LoggingEventSink(logger: logger) : client
        let recorder = EventRecorder(sink: sink, component: "mend-drainer", host: identity, logger: logger)
        let nodes = Informer<Node>(client: client, logger: logger)
        let reconciler = Reconciler(
            policy: policy, cluster: cluster, nodes: nodes, events: recorder, clock: SystemClock(), logger: logger, dryRun: dryRun)
        let elector: LeaderElector? = leaderElect && !dryRun
            ? LeaderElector(
                config: LeaderElectionConfig(
                    leaseName: leaseName, namespace: leaseNamespace ?? client.defaultNamespace, identity: identity),
                api: client, logger: logger)
            : nil

        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await nodes.run() }
                group.addTask {
                    if let elector {
                        // Leadership can be lost and won again: campaign until shut down.
                        while !Task.isCancelled {
                            do {
                                try await elector.run { try await reconciler.run() }
                            } catch let error as LeaderElectionError {
                                logger.warning("leadership ended; campaigning again", metadata: ["reason": "\(error)"])
                            }
                        }
                    } else {
                        try await reconciler.run()
                    }
                }
                group.addTask {
                    for await signal in signals {
                        logger.notice("shutting down", metadata: ["signal": "\(signal)"])
                        return
                    }
                }
                _ = try await group.next()
                group.cancelAll()
            }
        } catch is CancellationError {
            // Normal shutdown.
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        logger.notice("stopped")
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
