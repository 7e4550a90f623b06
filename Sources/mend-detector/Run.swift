import ArgumentParser
import Detector
import Foundation
import KubeClient
import KubeModels
import MendCore
import Logging
import MendTime
import ServiceLifecycle

/// `mend-detector run`: watch this node's logs and plugins and report to the API server.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the detector for one node (the node name comes from NODE_NAME).")

    @Option(name: .customLong("config"), help: "Monitor files (repeat the option for several).")
    var configs: [String]

    @Flag(help: "Log the status patches, taint changes and Events it would send (the write path's dry-run); write nothing.")
    var dryRun = false

    @Option(help: "The node to report on (default: $NODE_NAME).")
    var nodeName: String?

    @Option(help: "A kubeconfig file (default: in-cluster, else $KUBECONFIG or ~/.kube/config).")
    var kubeconfig: String?

    @Option(help: "Heartbeat interval for unchanged conditions (Go duration).")
    var heartbeat = "5m"

    @Option(help: "Where /healthz, /readyz and /metrics listen: host:port or :port.")
    var statusAddress = "0.0.0.0:20257"

    @Option(help: "The journal directory for journald monitors (the host's journal mounted read-only).")
    var journalDirectory = "/var/log/journal"

    @Option(help: "Where journald monitors keep the cursor of the last handled entry (one file per monitor), so a restart continues after it. Read but not written with --dry-run.")
    var stateDir = "/var/lib/mend-detector"

    @Option(help: "How often the --config files are checked for changes (Go duration; 0 turns reloading off). A valid change is applied without a restart; an invalid one is refused and the running monitors stay.")
    var configReloadInterval = "10s"

    @Flag(help: "At start-up and on each reload, remove conditions this detector once set (recorded in the node's mend.dev/detector-conditions annotation) that no monitor file configures any more. Never touches other conditions.")
    var removeUnconfiguredConditions = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    @Option(help: "Log format: auto (text on a terminal, JSON otherwise), json or text.")
    var logFormat = "auto"

    func run() async throws {
        guard let level = LogLevel(rawValue: logLevel) else {
            throw ValidationError("--log-level: \"\(logLevel)\" is not a level; expected trace, debug, info, notice, warning, error or critical")
        }
        guard let format = LogFormat(rawValue: logFormat) else {
            throw ValidationError("--log-format: \"\(logFormat)\" is not a format; expected auto, json or text")
        }
        let address: ListenAddress
        do { address = try ListenAddress(parsing: statusAddress) } catch {
            throw ValidationError("--status-address: \(error)")
        }
        guard let node = nodeName ?? ProcessInfo.processInfo.environment["NODE_NAME"], !node.isEmpty else {
            throw ValidationError("no node name: set NODE_NAME (the DaemonSet sets it from spec.nodeName) or pass --node-name")
        }
        let heartbeatInterval: Duration
        do { heartbeatInterval = try GoDuration.parse(heartbeat) } catch {
            throw ValidationError("--heartbeat: \(error)")
        }
        guard let reloadInterval = MendCore.GoDuration.nonNegative(configReloadInterval) else {
            throw ValidationError("--config-reload-interval: \"\(configReloadInterval)\" is not a duration; expected \(MendCore.GoDuration.expectation)")
        }
        let settings = DetectorRuntimeSettings(
            dryRun: dryRun, logging: LoggingSettings(level: level, format: format), server: ServerSettings(address: address))
        let environment = ProgramEnvironment.bootstrap(program: "mend-detector", config: settings)
        let logger = environment.logger
        let metrics = DetectorMetrics()
        let inputs = MonitorInputs(stateDir: stateDir, journalDirectory: journalDirectory, dryRun: dryRun, metrics: metrics)
        let reloads = AsyncStream.makeStream(of: NodeProblemDetector.Configuration.self)
        // Filled in once the client exists; a refused reload before that cannot happen (the
        // reloader runs only with the detector).
        let onRefused = RefusalReporter()
        let reloader = ConfigReloader<NodeProblemDetector.Configuration>(
            paths: configs, interval: reloadInterval > .zero ? reloadInterval : .seconds(10), logger: logger,
            load: { files in try inputs.configuration(files.map { ($0.text, $0.source) }) },
            apply: { configuration in reloads.continuation.yield(configuration) },
            onFailure: { failure in await onRefused.report(failure) })
        // Every monitor file is validated before anything is sent to the cluster.
        let initial: NodeProblemDetector.Configuration
        do { initial = try reloader.loadInitial() } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError("\(error)")
        }
        environment.health.addLivenessCheck("sources") { metrics.sourceHealth(threshold: 30) }

        let configuration = try KubeConfiguration.automatic(kubeconfig: kubeconfig)
        let client = try KubernetesClient(configuration: configuration, options: KubeClientOptions(
            userAgent: UserAgent.make(program: "mend-detector", version: "0.1.0")), logger: Logger(label: "mend-detector.kube"))
        // Every write goes through the one write path; --dry-run logs each intended write and sends none.
        let writes = WritePath(kubernetes: client, dryRun: dryRun, logger: logger)
        let recorder = EventRecorder(sink: writes, component: "mend-detector", host: node, logger: logger)
        let writer = KubernetesNodeWriter(client: client, writes: writes, recorder: recorder, metrics: metrics)
        onRefused.set { failure in
            // The Event is about this node: `kubectl describe node` shows why its rules did not change.
            let about = (try? await writer.node(named: node)) ?? Node(metadata: ObjectMeta(name: node))
            await writer.recordEvent(node: about, event: DetectorEvent(
                type: "Warning", reason: "MendConfigReloadFailed",
                message: "mend-detector kept its running monitors; the new monitor files are invalid: \(failure.message)",
                source: "mend-detector"))
        }

        logger.notice("starting", metadata: [
            "node": "\(node)", "monitors": "\(initial.monitors.count)", "dryRun": "\(dryRun)", "status": "\(address)",
            "configReload": "\(reloadInterval > .zero ? MendCore.GoDuration.format(reloadInterval) : "off")"])
        let detector = NodeProblemDetector(
            options: .init(nodeName: node, heartbeatInterval: heartbeatInterval, bootTime: KmsgSource.systemBootTime(),
                           removeUnconfiguredConditions: removeUnconfiguredConditions),
            writer: writer, metrics: metrics, logger: logger)
        let work = TaskService {
            try await detector.run(initial, reloads: reloads.stream)
        }
        var services: [any Service] = [environment.healthServer, work]
        if reloadInterval > .zero { services.append(TaskService { await reloader.run() }) }
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

/// The program-level settings MendCore's bootstrap needs (the monitors are the rule files).
struct DetectorRuntimeSettings: ProgramConfiguration {
    var dryRun: Bool
    var logging: LoggingSettings
    var server: ServerSettings

    static var defaults: DetectorRuntimeSettings {
        DetectorRuntimeSettings(dryRun: false, logging: LoggingSettings(), server: ServerSettings())
    }

    func validate(_ validator: inout ConfigValidator) {}
}

