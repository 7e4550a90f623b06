import AWSClient
import ArgumentParser
import Autoscaler
import Foundation
import KubeClient
import KubeModels
import Logging
import MendCore
import MendTime
import ServiceLifecycle

/// `mend-autoscaler validate`: checks the configuration and prints it in normal form; touches
/// neither the cluster nor AWS.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Check the configuration file and flags, print the effective configuration, and exit.")

    @OptionGroup var configOptions: ConfigOptions

    func run() async throws {
        let config = try configOptions.load()
        print("Configuration is valid.")
        print(try ConfigLoader.render(config), terminator: "")
        let settings = AutoscalerSettings(config: config)
        let tags = settings.selection.discoveryTags.sorted { $0.key < $1.key }
            .map { entry in entry.value.map { "\(entry.key)=\($0)" } ?? entry.key }
        print("Node groups: discovery tags [\(tags.joined(separator: ", "))], explicit [\(config.nodeGroups.explicit.joined(separator: ", "))]")
    }
}

/// `mend-autoscaler plan`: one pass that only decides; prints what it would do now. The cluster
/// comes from the kubeconfig or a snapshot file, the node groups from AWS (read-only) or a
/// groups file; nothing is written anywhere.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print the scale-up and scale-down mend-autoscaler would make now, with reasons per pod, group and node. Writes nothing.",
        discussion: """
            The cluster comes from the kubeconfig, or offline from --snapshot FILE:
            the output of `kubectl get nodes,pods,pdb -A -o yaml` (or -o json).
            Add configmaps to that list to give the priority expander its table.

            Node groups come from AWS (discovery tags and --nodes; Describe calls
            only), or offline from --groups FILE:

              nodeGroups:
                - name: workers-a            # the ASG name
                  min: 0                     # default 0
                  max: 10
                  desired: 2                 # default: the members found
                  instances: [i-0a1b2c3d]    # members by instance id,
                  nodes: [ip-10-0-1-7]       # by node name in the snapshot,
                  nodeLabels: {pool: a}      # or by node labels
                  zones: [us-east-1a]
                  instanceTypes:             # template for scale from zero
                    - {name: m5.large, cpu: 2, memory: 8Gi, maxPods: 29}
                  labels: {team: web}        # as node-template tags say
                  taints: [{key: k, value: v, effect: NoSchedule}]
                  resources: {ephemeral-storage: 100Gi}

            Nodes map to groups through spec.providerID (aws:///<zone>/<id>).
            With both files the plan needs neither the cluster nor AWS.
            """)

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var clusterOptions: ClusterOptions

    @Option(name: .long, help: ArgumentHelp("Plan from this snapshot (kubectl get nodes,pods,pdb -A -o yaml|json) instead of the cluster.", valueName: "file"))
    var snapshot: String?

    @Option(name: .long, help: ArgumentHelp("Read the node groups from this file instead of AWS (format above).", valueName: "file"))
    var groups: String?

    func run() async throws {
        // The configuration and the files are checked before any connection is made.
        let config = try configOptions.load()
        var logger = Logger(label: "mend-autoscaler")
        logger.logLevel = .warning
        let settings = AutoscalerSettings(config: config)
        var snapshotSource: SnapshotClusterSource?
        do {
            if let snapshot { snapshotSource = try SnapshotClusterSource(path: snapshot) }
        } catch {
            throw ValidationError("--snapshot: \(error.description)")
        }
        let client = snapshotSource == nil ? try clusterOptions.makeClient(program: "mend-autoscaler") : nil
        do {
            let cluster: any ClusterSource = snapshotSource ?? ListingClusterSource(client: client!)
            let provider: any NodeGroupProvider
            var notes: [String] = []
            if let snapshotSource { notes.append(snapshotSource.summary) }
            if let groups {
                let file: NodeGroupsFile
                do {
                    file = try NodeGroupsFile(path: groups, nodes: try await cluster.nodes())
                } catch let error as SnapshotFileError {
                    throw ValidationError("--groups: \(error.description)")
                }
                provider = StaticNodeGroupProvider(groups: file.groups)
                notes.append("node groups from \(groups): \(file.groups.map(\.id).joined(separator: ", "))")
            } else {
                let aws = try await connectAWS(config, logger: logger)
                provider = AWSNodeGroupProvider(autoScaling: aws.autoScaling, ec2: aws.ec2, selection: settings.selection)
            }
            // Plans never call a write; the write path is a dry-run one all the same.
            let writes = WritePath(kubernetes: client, dryRun: true, logger: logger)
            let remover: any NodeRemoving =
                client.map { makeRemover(client: $0, provider: provider, writes: writes, events: nil, logger: logger) }
                ?? PlanOnlyRemover()
            let configMaps: (any ConfigMapReader)? = snapshotSource ?? client
            let loop = AutoscalerLoop(
                settings: settings,
                dependencies: AutoscalerLoop.Dependencies(
                    cluster: cluster, provider: provider, writes: writes, remover: remover, configMaps: configMaps,
                    events: nil, clock: SystemClock(), logger: logger))
            var report = try await loop.plan()
            report.notes = notes + report.notes
            print(report.render())
        } catch {
            try? await client?.shutdown()
            throw error
        }
        try await client?.shutdown()
    }
}

/// `mend-autoscaler run` (the default): the controller.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Watch pending pods and nodes; scale node groups up and down (leader-elected).")

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var clusterOptions: ClusterOptions

    @Flag(name: .long, inversion: .prefixedNo, help: "Take part in leader election (one active replica).")
    var leaderElect: Bool?

    @Option(name: .long, help: "The Lease's namespace (default: the configuration's leaderElection.namespace).")
    var leaseNamespace: String?

    @OptionGroup var runtimeOptions: RuntimeOptions

    @Option(name: .long, help: "How often the --config file is checked for changes (Go duration; 0 turns reloading off).")
    var configReloadInterval = "10s"

    @Option(name: .long, help: "The ConfigMap (in the Lease's namespace) the --config file is mounted from; a refused reload is recorded as an Event on it (default: on the Lease).")
    var configConfigmap: String?

    func run() async throws {
        guard let reloadInterval = GoDuration.nonNegative(configReloadInterval) else {
            throw ValidationError("--config-reload-interval: \"\(configReloadInterval)\" is not a duration; expected \(GoDuration.expectation)")
        }
        var extra = runtimeOptions.overrides
        if let leaderElect {
            extra.append(ConfigOverride(path: "leaderElection.enabled", value: "\(leaderElect)", flag: leaderElect ? "--leader-elect" : "--no-leader-elect"))
        }
        if let leaseNamespace {
            extra.append(ConfigOverride(path: "leaderElection.namespace", value: "\"\(leaseNamespace)\"", flag: "--lease-namespace \(leaseNamespace)"))
        }
        // The configuration is validated before any connection is made.
        let config = try configOptions.load(extra: extra)
        let overrides = try configOptions.overrides(extra: extra)
        let environment = ProgramEnvironment.bootstrap(program: "mend-autoscaler", config: config)
        let logger = environment.logger
        let client = try clusterOptions.makeClient(program: "mend-autoscaler")
        do {
            try await run(
                config: config, overrides: overrides, reloadInterval: reloadInterval, environment: environment,
                client: client, logger: logger)
        } catch is CancellationError {
            // Graceful shutdown cancelled the work.
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        logger.notice("stopped")
    }

    private func run(
        config: AutoscalerConfig, overrides: [ConfigOverride], reloadInterval: Duration, environment: ProgramEnvironment,
        client: KubernetesClient, logger: Logger
    ) async throws {
        let aws = try await connectAWS(config, logger: logger)
        let settings = AutoscalerSettings(config: config)
        logger.notice(
            "starting", metadata: [
                "dryRun": "\(config.dryRun)", "cluster": "\(client.origin)", "region": "\(aws.region)",
                "expander": "\(config.scaleUp.expander)", "scanInterval": "\(config.scanInterval)",
            ])
        let provider = AWSNodeGroupProvider(autoScaling: aws.autoScaling, ec2: aws.ec2, selection: settings.selection)
        let writes = WritePath.forNodeGroups(provider, kubernetes: client, dryRun: config.dryRun, logger: logger)
        let identity = LeaderElectionSettings.defaultIdentity()
        let recorder = EventRecorder(sink: writes, component: "mend-autoscaler", host: identity, logger: logger)
        let source = InformerClusterSource(client: client, logger: logger)
        let loop = AutoscalerLoop(
            settings: settings,
            dependencies: AutoscalerLoop.Dependencies(
                cluster: source, provider: provider, writes: writes,
                remover: makeRemover(client: client, provider: provider, writes: writes, events: recorder, logger: logger),
                configMaps: client,
                events: recorder, clock: SystemClock(), logger: logger))
        let reloader = makeReloader(
            config: config, overrides: overrides, interval: reloadInterval, loop: loop, recorder: recorder, logger: logger)
        let health = environment.health
        let liveness = loop.liveness
        health.addLivenessCheck("autoscaler-loop") { liveness.status() }
        let leaderLoop = LeaderElectedLoop(
            settings: config.leaderElection, dryRun: config.dryRun, client: client, writes: writes, identity: identity,
            logger: logger
        ) {
            try await source.waitForSync()
            try await loop.run(wakeups: source)
        }
        let informerService = TaskService.cache(
            gate: "informers", reason: "node, pod and PodDisruptionBudget caches not synced yet", health: health,
            run: { try await source.run() }, waitForSync: { try await source.waitForSync() })
        var services: [any Service] = [environment.healthServer, informerService, TaskService { try await leaderLoop.run() }]
        if let reloader {
            _ = try reloader.loadInitial()
            services.append(TaskService { await reloader.run() })
        }
        try await ProgramRunner.run(services, logger: logger)
    }

    /// Reloads a changed --config file: a valid one applies from the next pass (node-group
    /// discovery, AWS, leader election, dry-run, logging and the health address need a restart);
    /// an invalid one is refused, the running settings stay, and an Event says why.
    private func makeReloader(
        config: AutoscalerConfig, overrides: [ConfigOverride], interval: Duration, loop: AutoscalerLoop,
        recorder: EventRecorder, logger: Logger
    ) -> ConfigReloader<AutoscalerConfig>? {
        guard let path = configOptions.config, interval > .zero else { return nil }
        let namespace = config.leaderElection.namespace
        let about =
            configConfigmap.map { ObjectReference(kind: "ConfigMap", namespace: namespace, name: $0, apiVersion: "v1") }
            ?? ObjectReference(
                kind: "Lease", namespace: namespace, name: config.leaderElection.leaseName, apiVersion: "coordination.k8s.io/v1")
        return ConfigReloader(
            path: path, interval: interval, logger: logger,
            load: { text, source in try ConfigLoader.load(AutoscalerConfig.self, yaml: text, source: source, overrides: overrides) },
            apply: { config in await loop.apply(AutoscalerSettings(config: config)) },
            onFailure: { failure in
                await recorder.record(
                    about: about, type: "Warning", reason: "MendConfigReloadFailed",
                    message: "mend-autoscaler kept its running settings; the new configuration is invalid: \(failure.message)")
            })
    }
}


/// The AWS clients for the configured region and endpoint.
func connectAWS(_ config: AutoscalerConfig, logger: Logger) async throws -> AWS {
    var configuration = AWSConfiguration()
    configuration.region = config.aws.region
    if let endpoint = config.aws.endpoint {
        configuration.endpointOverrides[.autoScaling] = endpoint
        configuration.endpointOverrides[.ec2] = endpoint
        configuration.endpointOverrides[.sts] = endpoint
    }
    var awsLogger = logger
    awsLogger[metadataKey: "component"] = "aws"
    configuration.logger = awsLogger
    return try await AWS.connect(configuration)
}
