import ArgumentParser
import ClusterSim
import Foundation

/// `mend sim`: runs ClusterSim, an in-memory Kubernetes API server, until interrupted.
struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run ClusterSim, an in-memory Kubernetes API server on 127.0.0.1.",
        discussion: "Writes a kubeconfig for it and prints how to point kubectl at it. Stops on SIGINT or SIGTERM."
    )

    @Option(help: "Port to listen on (0 picks a free port).")
    var port: Int = 0

    @Flag(help: "Serve HTTPS with a freshly generated CA (its data goes into the kubeconfig).")
    var tls = false

    @Option(help: "Require this bearer token (the kubeconfig carries it).")
    var token: String?

    @Option(help: "Where to write the kubeconfig (default: a new file in the temporary directory).")
    var kubeconfig: String?

    @Option(help: "Simulate the cluster in this snapshot (`kubectl get nodes,pods,pdb -A -o yaml` or -o json).")
    var snapshot: String?

    @Option(help: "Simulate the cluster this scenario file describes (see docs/scenario-format.md).")
    var scenario: String?

    func validate() throws {
        guard (0...65535).contains(port) else {
            throw ValidationError("--port must be between 0 and 65535, got \(port)")
        }
        if let token, token.isEmpty || token.contains(where: \.isWhitespace) {
            throw ValidationError("--token must be a non-empty string without whitespace")
        }
        if snapshot != nil, scenario != nil {
            throw ValidationError("--snapshot and --scenario cannot be used together: give one of them")
        }
    }

    func run() async throws {
        var configuration = ClusterSimServer.Configuration()
        configuration.port = port
        configuration.tls = tls
        if let token { configuration.tokens = [token: "admin"] }
        if snapshot != nil || scenario != nil {
            try await runSimulation(server: configuration)
            return
        }
        let server = try await ClusterSimServer.start(configuration)
        let path = try server.writeKubeconfig(to: kubeconfig.map { URL(fileURLWithPath: $0) })
        Self.say("ClusterSim is serving \(server.url)")
        Self.say("kubeconfig: \(path.path)")
        Self.say("try: kubectl --kubeconfig \(path.path) get nodes")
        await Self.waitForTerminationSignal()
        Self.say("stopping ClusterSim")
        try await server.shutdown()
    }

    /// Writes a line to standard output at once (no buffering, so scripts see it immediately).
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Suspends until SIGINT or SIGTERM arrives.
    static func waitForTerminationSignal() async {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let queue = DispatchQueue(label: "mend.sim.signals")
            let sources = [SIGINT, SIGTERM].map { DispatchSource.makeSignalSource(signal: $0, queue: queue) }
            let resumed = SignalLatch()
            for source in sources {
                source.setEventHandler {
                    if resumed.fire() {
                        sources.forEach { $0.cancel() }
                        continuation.resume()
                    }
                }
                source.resume()
            }
        }
    }
}

extension SimCommand {
    /// `--snapshot` / `--scenario`: the API server plus the simulated world (kubelets,
    /// scheduler, ReplicaSet and DaemonSet controllers, cloud), until interrupted.
    func runSimulation(server configuration: ClusterSimServer.Configuration) async throws {
        var world = ClusterSimulation.Configuration()
        world.server = configuration
        let simulation = try await ClusterSimulation.start(world)
        do {
            if let snapshot {
                let summary = try simulation.loadSnapshot(path: snapshot)
                let counts = summary.created.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
                Self.say("loaded \(snapshot): \(counts.joined(separator: ", "))")
            } else if let scenario {
                try simulation.loadScenario(path: scenario)
                let groups = simulation.cloud?.nodeGroups().map { "\($0.name) (\($0.desiredCapacity) nodes)" } ?? []
                Self.say("loaded \(scenario): node groups \(groups.joined(separator: ", "))")
            }
        } catch {
            try await simulation.server?.shutdown()
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        guard let server = simulation.server else { return }
        let path = try server.writeKubeconfig(to: kubeconfig.map { URL(fileURLWithPath: $0) })
        Self.say("ClusterSim is serving \(server.url) with a simulated cluster")
        Self.say("kubeconfig: \(path.path)")
        Self.say("try: kubectl --kubeconfig \(path.path) get nodes,pods -A")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await simulation.run() }
            await Self.waitForTerminationSignal()
            Self.say("stopping ClusterSim")
            group.cancelAll()
        }
    }
}

/// Makes sure a continuation resumes once even when both signals arrive.
private final class SignalLatch: @unchecked Sendable {
    private var fired = false
    private let lock = NSLock()

    func fire() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if fired { return false }
        fired = true
        return true
    }
}
