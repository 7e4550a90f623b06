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

    @Flag(help: "At start-up, remove conditions this detector once set (recorded in the node's mend.dev/detector-conditions annotation) that no monitor file configures any more. Never touches other conditions.")
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
        // Every monitor file is validated before anything is sent to the cluster.
        let monitors: [Monitor]
        do { monitors = try MonitorLoader.loadAll(paths: configs) } catch {
            throw ValidationError("\(error)")
        }
        let settings = DetectorRuntimeSettings(
            dryRun: dryRun, logging: LoggingSettings(level: level, format: format), server: ServerSettings(address: address))
        let environment = ProgramEnvironment.bootstrap(program: "mend-detector", config: settings)
        let logger = environment.logger
        let metrics = DetectorMetrics()
        var logs: [NodeProblemDetector.LogInput] = []
        var plugins: [CustomPluginMonitor] = []
        var cursorFiles: [String: String] = [:]
        for monitor in monitors {
            switch monitor {
            case .customPlugin(let m): plugins.append(m)
            case .systemLog(let m):
                guard case .journald = m.plugin else {
                    logs.append(.init(monitor: m, source: try source(for: m, resumeCursor: nil, metrics: metrics)))
                    continue
                }
                let file = CursorFile(directory: stateDir, monitorFile: m.file)
                if let other = cursorFiles[file.path] {
                    throw ValidationError("\(m.file) and \(other) would share the journal cursor file \(file.path); give the monitor files different names")
                }
                cursorFiles[file.path] = m.file
                let resume: String?
                do {
                    if !dryRun { try CursorFile.prepare(directory: stateDir) }
                    resume = try file.load()
                } catch {
                    throw ValidationError("--state-dir: \(error)")
                }
                logs.append(.init(monitor: m, source: try source(for: m, resumeCursor: resume, metrics: metrics),
                                  checkpoint: dryRun ? nil : file))
            }
        }
        environment.health.addLivenessCheck("sources") { metrics.sourceHealth(threshold: 30) }

        let configuration = try KubeConfiguration.automatic(kubeconfig: kubeconfig)
        let client = try KubernetesClient(configuration: configuration, options: KubeClientOptions(
            userAgent: UserAgent.make(program: "mend-detector", version: "0.1.0")), logger: Logger(label: "mend-detector.kube"))
        // Every write goes through the one write path; --dry-run logs each intended write and sends none.
        let writes = WritePath(kubernetes: client, dryRun: dryRun, logger: logger)
        let recorder = EventRecorder(sink: writes, component: "mend-detector", host: node, logger: logger)
        let writer = KubernetesNodeWriter(client: client, writes: writes, recorder: recorder, metrics: metrics)

        logger.notice("starting", metadata: [
            "node": "\(node)", "monitors": "\(monitors.count)", "dryRun": "\(dryRun)", "status": "\(address)"])
        let detector = NodeProblemDetector(
            options: .init(nodeName: node, heartbeatInterval: heartbeatInterval, bootTime: KmsgSource.systemBootTime(),
                           removeUnconfiguredConditions: removeUnconfiguredConditions),
            writer: writer, metrics: metrics, logger: logger)
        let logInputs = logs, pluginMonitors = plugins
        let work = TaskService {
            try await detector.run(logs: logInputs, plugins: pluginMonitors)
        }
        do {
            try await ProgramRunner.run([environment.healthServer, work], logger: logger)
        } catch is CancellationError {
            // Graceful shutdown cancelled the work.
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        logger.notice("stopped")
    }

    private func source(for monitor: SystemLogMonitor, resumeCursor: String?, metrics: DetectorMetrics) throws -> any LogSource {
        switch monitor.plugin {
        case .kmsg:
            return KmsgSource(path: monitor.logPath ?? "/dev/kmsg", lookback: monitor.lookback, metrics: metrics)
        case .journald(let identifier):
            let journalctl: String
            do { journalctl = try JournaldSource.locateJournalctl() } catch {
                throw ValidationError("\(monitor.file): \(error)")
            }
            return JournaldSource(journalctl: journalctl, location: .directory(journalDirectory), identifier: identifier,
                                  lookback: monitor.lookback, resumeCursor: resumeCursor, metrics: metrics)
        case .filelog(let format):
            return FileLogSource(path: monitor.logPath ?? "", format: format, lookback: monitor.lookback, metrics: metrics)
        }
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

