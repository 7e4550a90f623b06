import ClusterSim
import Drainer
import Foundation
import KubeClient
import KubeModels
import Logging
import MendCore
import MendTime
import Metrics
import MetricsTestKit
import Synchronization

@testable import Autoscaler

/// A whole ClusterSim simulation (cloud, kubelets, scheduler, controllers) served over HTTP on the
/// system clock, a client on it, and the autoscaler's provider over its cloud.
final class RemoverSim: Sendable {
    static let agent = "autoscaler-remover-tests"

    let sim: ClusterSimulation
    let client: KubernetesClient
    let provider: SimulatedNodeGroupProvider
    var cloud: SimulatedCloud { sim.cloud! }
    var store: ClusterStore { sim.store }
    var audit: AuditLog { sim.server!.audit }

    private init(sim: ClusterSimulation, client: KubernetesClient) {
        self.sim = sim
        self.client = client
        self.provider = SimulatedNodeGroupProvider(cloud: sim.cloud!)
    }

    /// Runs `body` with the scenario loaded and every pod running; everything stops afterwards.
    static func with<R: Sendable>(
        _ scenario: String, _ body: @escaping @Sendable (RemoverSim) async throws -> R
    ) async throws -> R {
        var configuration = ClusterSimulation.Configuration(clock: SystemClock())
        configuration.kubelets.podStartDelay = .milliseconds(50)
        configuration.kubelets.gracePeriodScale = 0
        let sim = try await ClusterSimulation.start(configuration)
        let harness: RemoverSim
        do {
            try sim.load(Scenario.parse(scenario, file: "remover.yaml"), file: "remover.yaml")
            harness = RemoverSim(sim: sim, client: try makeClient(sim.server!))
        } catch {
            try? await sim.server?.shutdown()
            throw error
        }
        let result: Result<R, any Error>
        do {
            result = .success(
                try await withThrowingTaskGroup(of: R?.self) { group in
                    group.addTask {
                        try await sim.run()
                        return nil
                    }
                    group.addTask {
                        try await harness.waitUntilSettled()
                        return try await body(harness)
                    }
                    defer { group.cancelAll() }
                    while let value = try await group.next() {
                        if let value { return value }
                    }
                    throw CancellationError()
                })
        } catch {
            result = .failure(error)
        }
        try? await harness.client.shutdown()
        try? await sim.server?.shutdown()
        return try result.get()
    }

    static func makeClient(_ server: ClusterSimServer) throws -> KubernetesClient {
        let config = KubeConfiguration(server: URL(string: server.url)!, namespace: "kube-system", origin: "test")
        let options = KubeClientOptions(
            userAgent: UserAgent.make(program: agent, version: "0.0.1"), qps: 0, burst: 10,
            retry: RetryPolicy(
                maxAttempts: 3, initialBackoff: .milliseconds(5), maxBackoff: .milliseconds(20), maxRetryAfter: .seconds(1)),
            requestTimeout: .seconds(10), connectTimeout: .seconds(1))
        var logger = Logger(label: "autoscaler-tests.kube")
        logger.logLevel = .warning
        return try KubernetesClient(configuration: config, options: options, logger: logger)
    }

    /// Every node registered and ready, every pod running and ready.
    private func waitUntilSettled() async throws {
        let settled = await eventually(timeout: .seconds(60)) {
            let nodes = self.nodes()
            let pods = self.pods()
            return nodes.count == self.cloud.instances().count && nodes.allSatisfy(\.isReady)
                && pods.allSatisfy { $0.status.phase == .running && $0.metadata.isBeingDeleted == false }
                && pods.count == self.expectedPods()
        }
        if !settled { throw SimTimeout(what: "the scenario to start") }
    }

    /// Workload replicas plus one DaemonSet pod per node.
    private func expectedPods() -> Int {
        let replicas = store.listValues(store.resource("replicasets", group: "apps")!)
            .compactMap { $0[path: ["spec", "replicas"]]?.intValue }.reduce(0) { $0 + Int($1) }
        let daemonSets = store.listValues(store.resource("daemonsets", group: "apps")!).count
        return replicas + daemonSets * cloud.instances().count
    }

    // MARK: Reading the cluster

    func nodes() -> [Node] {
        store.listValues(store.resource("nodes")!).compactMap { try? $0.decode(as: Node.self) }
    }

    func node(_ name: String) -> Node? { nodes().first { $0.metadata.name == name } }

    func pods(onNode node: String? = nil, namespace: String? = nil) -> [Pod] {
        store.listValues(store.resource("pods")!).compactMap { try? $0.decode(as: Pod.self) }
            .filter { node == nil || $0.spec.nodeName == node }
            .filter { namespace == nil || $0.metadata.namespace == namespace }
    }

    func isTainted(_ node: String) -> Bool {
        self.node(node)?.spec.taints?.contains { $0.key == NodeTaints.toBeDeletedByClusterAutoscaler } ?? false
    }

    /// Writes our client made (the simulation's own parts write under other agents).
    func ourWrites() -> [AuditEntry] { audit.writes.filter { $0.userAgent.hasPrefix(Self.agent) } }

    func events(reason: String, node: String) -> [CoreV1Event] {
        store.listValues(store.resource("events")!).compactMap { try? $0.decode(as: CoreV1Event.self) }
            .filter { $0.reason == reason && $0.involvedObject.name == node }
    }

    /// The node (of `group`) with the most pods of `namespace`, for drain scenarios.
    func busiestNode(namespace: String) -> String? {
        let counts = Dictionary(grouping: pods(namespace: namespace), by: { $0.spec.nodeName ?? "" })
        return counts.max { ($0.value.count, $1.key) < ($1.value.count, $0.key) }?.key
    }

    /// A node of `group` with no pod of `namespace`.
    func nodeWithout(namespace: String, group: String) -> String? {
        let busy = Set(pods(namespace: namespace).compactMap(\.spec.nodeName))
        return cloud.instances(group: group).map(\.nodeName).sorted().first { !busy.contains($0) }
    }

    /// The removal the planner would make of `node` (its instance and its non-DaemonSet pods).
    func removal(of node: String, kind: NodeRemoval.Kind) throws -> NodeRemoval {
        guard let instance = cloud.instance(nodeName: node) else { throw SimTimeout(what: "instance of \(node)") }
        let movable = pods(onNode: node).filter { !$0.isDaemonSetPod && !$0.isMirrorPod }
            .map { "\($0.metadata.namespace ?? "")/\($0.metadata.name ?? "")" }
        return NodeRemoval(node: node, group: instance.group, instanceID: instance.id, kind: kind, podsToEvict: movable)
    }

    // MARK: The remover under test

    /// Short waits so drains and retries run in real test time.
    static let fast = NodeRemoverSettings(
        drainTimeout: .seconds(30), evictionRetryInterval: .milliseconds(200), podGonePollInterval: .milliseconds(100))

    func remover(
        dryRun: Bool = false, settings: NodeRemoverSettings = RemoverSim.fast, logs: LogRecorder? = nil,
        metrics: TestMetrics? = nil, wrap: ((any DrainerCluster) -> any DrainerCluster)? = nil
    ) -> NodeRemover {
        var logger = logs.map { recorder in Logger(label: "autoscaler-tests") { _ in recorder.handler() } }
            ?? Logger(label: "autoscaler-tests")
        logger.logLevel = logs == nil ? .warning : .debug
        let writes = WritePath.forNodeGroups(provider, kubernetes: client, dryRun: dryRun, logger: logger, factory: metrics)
        let cluster = KubeDrainerCluster(client: client, writes: writes)
        return NodeRemover(
            cluster: wrap?(cluster) ?? cluster, provider: provider, writes: writes, settings: settings,
            metricsFactory: metrics, logger: logger)
    }
}

struct SimTimeout: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Polls `condition` every few milliseconds of real time until it holds or `timeout` passes.
@discardableResult
func eventually(timeout: Duration = .seconds(15), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let start = ContinuousClock.now
    while ContinuousClock.now - start < timeout {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// Keeps every log line (message and metadata) for assertions.
final class LogRecorder: Sendable {
    struct Line: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let lines_ = Mutex<[Line]>([])
    var lines: [Line] { lines_.withLock { $0 } }

    func handler() -> some LogHandler { Handler(recorder: self) }

    fileprivate func append(_ line: Line) { lines_.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var all = metadata.mapValues { "\($0)" }
            for (key, value) in event.metadata ?? [:] { all[key] = "\(value)" }
            recorder.append(Line(level: event.level, message: "\(event.message)", metadata: all))
        }
    }
}
