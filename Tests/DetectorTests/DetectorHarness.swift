import ClusterSim
import Foundation
import MendCore
import KubeClient
import KubeModels
import Logging
import MendTime
import Synchronization
@testable import Detector

/// A log source a test writes lines into.
final class FeedSource: LogSource {
    let name = "feed"
    private let stream: AsyncThrowingStream<LogRecord, any Error>
    private let continuation: AsyncThrowingStream<LogRecord, any Error>.Continuation

    init() {
        (stream, continuation) = AsyncThrowingStream.makeStream(of: LogRecord.self)
    }

    func send(_ message: String, at time: Date = Date()) { continuation.yield(LogRecord(timestamp: time, message: message)) }
    func records() -> AsyncThrowingStream<LogRecord, any Error> { stream }
}

/// ClusterSim + a client + a node, and a detector run in the background of a test.
struct DetectorHarness {
    let server: ClusterSimServer
    let client: KubernetesClient
    let clock: ManualClock
    let testMetrics = TestMetrics()
    var metrics: DetectorMetrics { testMetrics.metrics }
    let nodeName = "node-1"

    static func start(node: Node? = nil) async throws -> DetectorHarness {
        let clock = ManualClock(start: Date())
        let server = try await ClusterSimServer.start()
        let config = KubeConfiguration(server: URL(string: server.url)!, namespace: "default", origin: "test")
        let client = try KubernetesClient(configuration: config, options: KubeClientOptions(
            userAgent: UserAgent.make(program: "mend-detector-tests", version: "0.0.1"), qps: 0, burst: 10,
            retry: RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(5), maxBackoff: .milliseconds(20), maxRetryAfter: .seconds(1)),
            requestTimeout: .seconds(10), connectTimeout: .seconds(1)))
        let harness = DetectorHarness(server: server, client: client, clock: clock)
        let ready = NodeCondition(type: .ready, status: .true, lastHeartbeatTime: KubeTime(clock.now),
                                  lastTransitionTime: KubeTime(clock.now), reason: "KubeletReady", message: "kubelet is posting ready status")
        let created = try await client.create(node ?? Node(metadata: ObjectMeta(name: harness.nodeName)))
        var status = created.status.conditions ?? []
        if !status.contains(where: { $0.type == .ready }) { status.append(ready) }
        let patch: JSONValue = .object(["status": .object(["conditions": try JSONValue.parse(JSONEncoder().encode(status))])])
        _ = try await client.patchJSON(.nodes, name: harness.nodeName, patch: .strategicMerge(patch), subresource: "status")
        server.audit.clear()
        return harness
    }

    /// Runs `body` with a fresh harness, always shutting the client and server down afterwards.
    static func run(node: Node? = nil, _ body: (DetectorHarness) async throws -> Void) async throws {
        let h = try await start(node: node)
        do { try await body(h) } catch {
            await h.stop()
            throw error
        }
        await h.stop()
    }

    func stop() async {
        try? await client.shutdown()
        try? await server.shutdown()
    }

    /// The production writer: writes through MendCore's write path (`dryRun` is its switch).
    func writer(dryRun: Bool = false, logger: Logger = Logger(label: "mend-detector-test")) -> KubernetesNodeWriter {
        let writes = WritePath(kubernetes: client, dryRun: dryRun, clock: clock, logger: logger)
        return KubernetesNodeWriter(
            client: client, writes: writes,
            recorder: EventRecorder(sink: writes, component: "mend-detector", host: nodeName, clock: clock),
            metrics: metrics)
    }

    func detector(writer: (any NodeWriter)? = nil, heartbeat: Duration = .seconds(300), bootTime: Date? = nil) -> NodeProblemDetector {
        NodeProblemDetector(
            options: .init(nodeName: nodeName, heartbeatInterval: heartbeat, heartbeatJitter: 0, tickInterval: .seconds(1),
                           clock: clock, bootTime: bootTime),
            writer: writer ?? self.writer(), metrics: metrics)
    }

    func node() async throws -> Node { try await client.get(Node.self, name: nodeName) }

    func condition(_ type: String) async throws -> NodeCondition? {
        try await node().status.conditions?.first { $0.type.rawValue == type }
    }

    /// Status patches the server accepted (not dry-run).
    var statusPatches: Int { server.audit.writes.filter { $0.verb == "patch" && $0.subresource == "status" }.count }

    /// Polls (real time, bounded) until `check` holds.
    func eventually(_ what: String, timeout: Duration = .seconds(10), _ check: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await check() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestFailure("timed out waiting for: \(what)")
    }

    /// Moves the manual clock forward in one-tick steps, letting the detector handle each tick.
    func advance(by duration: Duration, step: Duration = .seconds(1)) async {
        var left = duration
        while left > .zero {
            _ = await clock.waitForSleepers(count: 1, timeout: .seconds(2))
            clock.advance(by: min(step, left))
            left -= step
            try? await Task.sleep(for: .milliseconds(2))
        }
    }
}

/// The rule file the cluster tests use.
enum LifecycleMonitor {
    static let json = #"""
    {"plugin": "kmsg", "source": "test-kernel-monitor", "bufferSize": 10,
     "conditions": [
       {"type": "KernelDeadlock", "reason": "KernelHasNoDeadlock", "message": "kernel has no deadlock"},
       {"type": "NetDown", "reason": "NetIsUp", "message": "network is up", "recoveryPattern": "eth0: link up",
        "taint": {"key": "mend.dev/net-down", "effect": "NoSchedule"}},
       {"type": "DiskSlow", "reason": "DiskIsFast", "message": "disk is fast", "expireAfter": "10m"}
     ],
     "rules": [
       {"type": "temporary", "reason": "OOMKilling", "pattern": "Killed process \\d+ .*"},
       {"type": "permanent", "condition": "KernelDeadlock", "reason": "DockerHung", "pattern": "task docker:\\w+ blocked for more than \\w+ seconds\\."},
       {"type": "permanent", "condition": "NetDown", "reason": "LinkDown", "pattern": "eth0: link down"},
       {"type": "permanent", "condition": "DiskSlow", "reason": "DiskTimeout", "pattern": "sd \\S+: timing out command.*"}
     ]}
    """#

    static func monitor() throws -> SystemLogMonitor { try Fixtures.logMonitor(json, file: "lifecycle.json") }
}
