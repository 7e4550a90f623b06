import ArgumentParser
import Detector
import Foundation
import KubeClient
import KubeModels
import MendCore
import Logging
import MendTime

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

    @Option(help: "Address of /metrics and /healthz.")
    var statusAddress = "0.0.0.0:20257"

    @Option(help: "The journal directory for journald monitors (the host's journal mounted read-only).")
    var journalDirectory = "/var/log/journal"

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "mend-detector")
        guard let node = nodeName ?? ProcessInfo.processInfo.environment["NODE_NAME"], !node.isEmpty else {
            throw ValidationError("no node name: set NODE_NAME (the DaemonSet sets it from spec.nodeName) or pass --node-name")
        }
        let heartbeatInterval: Duration
        do { heartbeatInterval = try GoDuration.parse(heartbeat) } catch {
            throw ValidationError("--heartbeat: \(error)")
        }
        let monitors: [Monitor]
        do { monitors = try MonitorLoader.loadAll(paths: configs) } catch {
            throw ValidationError("\(error)")
        }
        let metrics = DetectorMetrics()
        var logs: [NodeProblemDetector.LogInput] = []
        var plugins: [CustomPluginMonitor] = []
        for monitor in monitors {
            switch monitor {
            case .customPlugin(let m): plugins.append(m)
            case .systemLog(let m): logs.append(.init(monitor: m, source: try source(for: m, metrics: metrics)))
            }
        }
        let configuration = try KubeConfiguration.automatic(kubeconfig: kubeconfig)
        let client = try KubernetesClient(configuration: configuration, options: KubeClientOptions(
            userAgent: UserAgent.make(program: "mend-detector", version: "0.1.0")))
        // Every write goes through the one write path; --dry-run logs each intended write and sends none.
        let writes = WritePath(kubernetes: client, dryRun: dryRun, logger: logger)
        let recorder = EventRecorder(sink: writes, component: "mend-detector", host: node)
        let writer = KubernetesNodeWriter(client: client, writes: writes, recorder: recorder, metrics: metrics)

        let parts = statusAddress.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else {
            throw ValidationError("--status-address must be host:port, got \(statusAddress)")
        }
        let server = try await StatusServer.start(host: String(parts[0]), port: port, metrics: metrics, stallThreshold: 30)
        logger.info("mend-detector started", metadata: [
            "node": "\(node)", "monitors": "\(monitors.count)", "dryRun": "\(dryRun)", "status": "\(statusAddress)"])
        let detector = NodeProblemDetector(
            options: .init(nodeName: node, heartbeatInterval: heartbeatInterval, bootTime: KmsgSource.systemBootTime()), writer: writer, metrics: metrics, logger: logger)
        let logInputs = logs, pluginMonitors = plugins
        try await withTaskCancellationOnSignals {
            try await detector.run(logs: logInputs, plugins: pluginMonitors)
        }
        try? await server.close()
        try? await client.shutdown()
    }

    private func source(for monitor: SystemLogMonitor, metrics: DetectorMetrics) throws -> any LogSource {
        switch monitor.plugin {
        case .kmsg:
            return KmsgSource(path: monitor.logPath ?? "/dev/kmsg", lookback: monitor.lookback, metrics: metrics)
        case .journald(let identifier):
            let journalctl: String
            do { journalctl = try JournaldSource.locateJournalctl() } catch {
                throw ValidationError("\(monitor.file): \(error)")
            }
            return JournaldSource(journalctl: journalctl, location: .directory(journalDirectory), identifier: identifier,
                                  lookback: monitor.lookback, metrics: metrics)
        case .filelog(let format):
            return FileLogSource(path: monitor.logPath ?? "", format: format, lookback: monitor.lookback, metrics: metrics)
        }
    }
}

/// Runs `body`, cancelling it on SIGTERM or SIGINT (graceful stop of the DaemonSet pod).
func withTaskCancellationOnSignals(_ body: @escaping @Sendable () async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await body() }
        group.addTask {
            let signals = AsyncStream<Int32> { continuation in
                let sources = SignalSources([SIGTERM, SIGINT].map { sig in
                    signal(sig, SIG_IGN)
                    let source = DispatchSource.makeSignalSource(signal: sig)
                    source.setEventHandler { continuation.yield(sig) }
                    source.resume()
                    return source
                })
                continuation.onTermination = { _ in sources.cancel() }
            }
            for await _ in signals { return }
        }
        try await group.next()
        group.cancelAll()
    }
}

/// Dispatch signal sources, cancelled together when the signal stream ends.
final class SignalSources: @unchecked Sendable {
    // Immutable after init; DispatchSource.cancel is thread-safe.
    private let sources: [any DispatchSourceSignal]
    init(_ sources: [any DispatchSourceSignal]) { self.sources = sources }
    func cancel() { for s in sources { s.cancel() } }
}
