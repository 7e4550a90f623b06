import ArgumentParser
import ClusterSim
import Foundation
import Logging
import MendCore
import MendDemo

/// `mend demo`: the whole chain healing a simulated cluster, told as it happens.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Watch Mend heal a simulated cluster: detector, drainer and autoscaler against ClusterSim.",
        discussion: """
            Starts ClusterSim with a small cluster on a simulated cloud, runs mend-detector (one per node), \
            mend-drainer and mend-autoscaler in this process on an accelerated clock, injects a kernel fault \
            and prints each step until the cluster is healthy again. Exits 0 only if it healed.

            Scenarios: \(DemoScenario.all.map { "\($0.name) (\($0.summary))" }.joined(separator: "; ")).
            """)

    @Option(help: "The scenario: \(DemoScenario.all.map(\.name).joined(separator: ", ")).")
    var scenario = DemoScenario.heal.name

    @Option(help: "Simulated seconds per real second.")
    var speed: Double = 30

    @Option(help: "Give up if the cluster has not healed after this much simulated time (Go duration).")
    var timeout = "30m"

    @Option(help: "The kernel monitor the detectors run (node-problem-detector format).")
    var kernelMonitor: String?

    @Flag(help: "After the demo, keep ClusterSim and the programs running for kubectl until interrupted.")
    var keep = false

    @Option(help: "Where --keep writes the kubeconfig (default: a new file in the temporary directory).")
    var kubeconfig: String?

    @Flag(help: "Show the programs' own logs on standard error.")
    var verbose = false

    @Option(help: "Replicas of mend-drainer and mend-autoscaler; with 2 or more they elect a leader on their Lease, as their Deployments do.")
    var replicas = 1

    func validate() throws {
        guard DemoScenario.named(scenario) != nil else {
            throw ValidationError("--scenario: \"\(scenario)\" is not a scenario; expected one of \(DemoScenario.all.map(\.name).joined(separator: ", "))")
        }
        guard speed >= 1, speed <= 1000 else { throw ValidationError("--speed must be between 1 and 1000, got \(speed)") }
        guard (1...5).contains(replicas) else { throw ValidationError("--replicas must be between 1 and 5, got \(replicas)") }
        _ = try timeoutDuration()
    }

    func timeoutDuration() throws -> Duration {
        guard let parsed = try? GoDuration(parsing: timeout), parsed.duration > .zero else {
            throw ValidationError("--timeout: \"\(timeout)\" is not a positive duration such as 30m or 1h")
        }
        return parsed.duration
    }

    func run() async throws {
        let story = DemoScenario.named(scenario)!
        let monitorPath = try kernelMonitor ?? DemoFiles.locate("config/kernel-monitor.json")
        let verbose = self.verbose
        var logger = Logger(label: "mend-demo") { label -> any LogHandler in
            verbose ? StreamLogHandler.standardError(label: label) : SwiftLogNoOpLogHandler()
        }
        logger.logLevel = Logger.Level.info
        let chain = try await Chain.start(Chain.Configuration(
            scenario: story, speed: speed, kernelMonitorPath: monitorPath, logger: logger, replicas: replicas))
        say("mend demo \(story.name): \(story.summary)")
        say("ClusterSim serves \(chain.url); simulated time runs \(Int(speed))× real time")
        let started = ContinuousClock.now
        let kubeconfigPath = kubeconfig
        let keep = self.keep
        let report = try await DemoRun(chain: chain, timeout: try timeoutDuration()).run(
            report: { entry in say(entry.line) },
            afterwards: { report in
                say(report.summary(realTime: ContinuousClock.now - started))
                guard keep, let server = chain.simulation.server else { return }
                let path = try server.writeKubeconfig(to: kubeconfigPath.map { URL(fileURLWithPath: $0) })
                say("--keep: ClusterSim and the programs keep running; try kubectl --kubeconfig \(path.path) get nodes,pods -A")
                say("stop with Ctrl-C")
                await SimCommand.waitForTerminationSignal()
            })
        try? await chain.simulation.server?.shutdown()
        if !report.healed { throw ExitCode(1) }
    }

}

/// Writes a line to standard output at once.
private func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
