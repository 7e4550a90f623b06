import ClusterSim
import Foundation
import KubeClient
import KubeModels
import Logging
import Metrics
import MendCore
import MendTime
import Synchronization

@testable import Autoscaler

/// ClusterSim served over HTTP with its simulated cloud, all on one manual clock; the autoscaler
/// reads it through real informers and writes through a real `WritePath`. The simulation is
/// driven by hand (`advance`), so every test decides when time moves.
final class AutoscalerSim: Sendable {
    let clock: ManualClock
    let sim: ClusterSimulation
    let client: KubernetesClient
    var cloud: SimulatedCloud { sim.cloud! }
    var store: ClusterStore { sim.store }
    var audit: AuditLog { sim.server!.audit }
    static let agent = "autoscaler-runtime-tests"

    private init(clock: ManualClock, sim: ClusterSimulation, client: KubernetesClient) {
        self.clock = clock
        self.sim = sim
        self.client = client
    }

    static func makeClient(_ url: String) throws -> KubernetesClient {
        let config = KubeConfiguration(server: URL(string: url)!, namespace: "kube-system", origin: "test")
        let options = KubeClientOptions(
            userAgent: UserAgent.make(program: agent, version: "0.0.1"), qps: 0, burst: 10,
            retry: RetryPolicy(
                maxAttempts: 3, initialBackoff: .milliseconds(5), maxBackoff: .milliseconds(20), maxRetryAfter: .seconds(1)),
            requestTimeout: .seconds(10), connectTimeout: .seconds(1))
        var logger = Logger(label: "autoscaler-tests.kube")
        logger.logLevel = .warning
        return try KubernetesClient(configuration: config, options: options, logger: logger)
    }

    /// Runs `body` with a fresh simulated cluster; everything stops afterwards.
    static func with<R: Sendable>(_ body: @Sendable (AutoscalerSim) async throws -> R) async throws -> R {
        let clock = ManualClock()
        var configuration = ClusterSimulation.Configuration(clock: clock)
        configuration.kubelets.podStartDelay = .zero
        let sim = try await ClusterSimulation.start(configuration)
        let harness: AutoscalerSim
        do {
            harness = AutoscalerSim(clock: clock, sim: sim, client: try makeClient(sim.server!.url))
        } catch {
            try? await sim.server?.shutdown()
            throw error
        }
        let result: Result<R, any Error>
        do {
            result = .success(try await body(harness))
        } catch {
            result = .failure(error)
        }
        try? await harness.client.shutdown()
        try? await sim.server?.shutdown()
        return try result.get()
    }

    // MARK: Building the cluster

    /// A node group of `cpu`-core nodes.
    func addGroup(
        _ name: String, cpu: Int = 2, memory: String = "8Gi", pods: Int = 29, min: Int = 0, max: Int = 10, desired: Int = 0,
        zone: String = "us-east-1a", instanceType: String = "m5.large", labels: [String: String] = [:],
        boot: Duration = .seconds(60)
    ) throws {
        let shape = NodeShape(
            instanceType: instanceType, zone: zone,
            capacity: ["cpu": Quantity(Int64(cpu)), "memory": try Quantity(parsing: memory), "pods": Quantity(Int64(pods))],
            labels: labels, taints: [])
        try cloud.addNodeGroup(
            NodeGroupSpec(name: name, minSize: min, maxSize: max, desiredCapacity: desired, shape: shape, bootDelay: boot),
            startBooted: true)
        try sim.settle()
    }

    /// A pod; without `node` the simulated scheduler binds it, or marks it unschedulable.
    @discardableResult
    func addPod(
        _ name: String, cpu: String = "500m", memory: String = "256Mi", node: String? = nil, priority: Int32? = nil,
        nodeSelector: [String: String]? = nil, owner: String? = "ReplicaSet", namespace: String = "default"
    ) throws -> String {
        var meta = ObjectMeta(name: name, namespace: namespace, labels: ["app": name])
        if let owner {
            meta.ownerReferences = [
                OwnerReference(apiVersion: "apps/v1", kind: owner, name: "\(name)-rs", uid: "uid-\(name)-rs", controller: true)
            ]
        }
        var container = Container(name: "app", image: "registry.example/app:1")
        container.resources = ResourceRequirements(requests: ["cpu": try Quantity(parsing: cpu), "memory": try Quantity(parsing: memory)])
        var spec = PodSpec(containers: [container])
        spec.nodeName = node
        spec.priority = priority
        spec.nodeSelector = nodeSelector
        let pod = Pod(metadata: meta, spec: spec, status: PodStatus())
        try store.create(store.resource("pods")!, namespace: namespace, object: try JSONValue(encoding: pod))
        try sim.settle()
        return "\(namespace)/\(name)"
    }

    func annotateNode(_ name: String, _ annotations: [String: String], unschedulable: Bool? = nil) throws {
        var patch: JSONValue = ["metadata": ["annotations": .object(annotations.mapValues { .string($0) })]]
        if let unschedulable { patch["spec"] = ["unschedulable": .bool(unschedulable)] }
        _ = try store.modify(store.resource("nodes")!, namespace: nil, name: name) { object throws(APIError) in
            var object = object
            var metadata = object["metadata"] ?? [:]
            var existing = metadata["annotations"]?.objectValue ?? [:]
            for (key, value) in annotations { existing[key] = .string(value) }
            metadata["annotations"] = .object(existing)
            object["metadata"] = metadata
            if let unschedulable {
                var spec = object["spec"] ?? [:]
                spec["unschedulable"] = .bool(unschedulable)
                object["spec"] = spec
            }
            return object
        }
        _ = patch
        try sim.settle()
    }

    // MARK: Reading it back

    func nodes() throws -> [Node] {
        try store.listValues(store.resource("nodes")!).map { try $0.decode(as: Node.self) }
    }

    func pods() throws -> [Pod] {
        try store.listValues(store.resource("pods")!).map { try $0.decode(as: Pod.self) }
    }

    func pod(_ name: String, namespace: String = "default") throws -> Pod? {
        try pods().first { $0.metadata.name == name && $0.metadata.namespace == namespace }
    }

    func desired(_ group: String) -> Int { cloud.nodeGroup(group)?.desiredCapacity ?? -1 }

    /// Writes this test's client made (Kubernetes API), from the audit log.
    func clientWrites() -> [AuditEntry] { audit.writes.filter { $0.userAgent.contains(Self.agent) } }

    func events(reason: String) throws -> [CoreV1Event] {
        try store.listValues(store.resource("events")!).map { try $0.decode(as: CoreV1Event.self) }.filter { $0.reason == reason }
    }

    func statusConfigMap() throws -> ConfigMap? {
        try? store.get(store.resource("configmaps")!, namespace: "kube-system", name: StatusReport.configMapName)
            .decode(as: ConfigMap.self)
    }

    /// Moves simulated time (settling the simulation at each step).
    func advance(by duration: Duration, step: Duration = .seconds(1)) throws {
        try sim.advance(clock, by: duration, step: step)
    }

    // MARK: The autoscaler

    struct Parts: Sendable {
        let loop: AutoscalerLoop
        let source: InformerClusterSource
        let remover: any NodeRemoving
    }

    /// A loop wired as the program wires it, with the simulated cloud as the provider.
    func autoscaler(
        settings: AutoscalerSettings = AutoscalerSim.settings(), dryRun: Bool = false, remover: (any NodeRemoving)? = nil,
        metrics: AutoscalerMetrics = AutoscalerMetrics(factory: NOOPMetricsHandler.instance), logs: LogCapture? = nil
    ) -> Parts {
        var logger = logs.map { capture in Logger(label: "autoscaler-tests") { _ in capture } } ?? Logger(label: "autoscaler-tests")
        logger.logLevel = logs == nil ? .warning : .info
        let provider = SimulatedNodeGroupProvider(cloud: cloud)
        let writes = WritePath.forNodeGroups(
            provider, kubernetes: client, dryRun: dryRun, clock: clock, logger: logger, factory: NOOPMetricsHandler.instance)
        let recorder = EventRecorder(sink: writes, component: "mend-autoscaler", clock: clock, logger: logger)
        let source = InformerClusterSource(client: client, clock: SystemClock(), logger: logger)
        let remover = remover ?? RecordingRemover()
        let loop = AutoscalerLoop(
            settings: settings,
            dependencies: AutoscalerLoop.Dependencies(
                cluster: source, provider: provider, writes: writes, remover: remover, configMaps: client, events: recorder,
                clock: clock, logger: logger, metrics: metrics))
        return Parts(loop: loop, source: source, remover: remover)
    }

    /// Test settings: scan every 10 s, groups re-read on every pass.
    static func settings(_ change: (inout AutoscalerSettings) -> Void = { _ in }) -> AutoscalerSettings {
        var config = AutoscalerConfig.defaults
        config.clusterName = "test"
        config.scaleUp.randomSeed = 1
        var settings = AutoscalerSettings(config: config)
        settings.groupRefreshInterval = .zero
        change(&settings)
        return settings
    }

    /// Runs the informers of `parts` while `body` runs.
    func running(_ parts: Parts, _ body: @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await parts.source.run() }
            defer { group.cancelAll() }
            try await parts.source.waitForSync()
            try await body()
        }
    }

    /// Waits until the informers hold what the store holds, then runs one pass.
    @discardableResult
    func pass(_ parts: Parts) async throws -> PassReport {
        try await waitForCaches(parts.source)
        return try await parts.loop.runOnce()
    }

    /// Waits (bounded) until the informer caches show every node and pod at its current version.
    func waitForCaches(_ source: InformerClusterSource) async throws {
        let nodes = store.resource("nodes")!
        let pods = store.resource("pods")!
        func versions(_ values: [JSONValue]) -> [String: String] {
            var map: [String: String] = [:]
            for value in values {
                let ns = value[path: ["metadata", "namespace"]]?.stringValue ?? ""
                map["\(ns)/\(value[path: ["metadata", "name"]]?.stringValue ?? "")"] =
                    value[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
            }
            return map
        }
        let ok = await eventually {
            let storeNodes = versions(self.store.listValues(nodes))
            let storePods = versions(self.store.listValues(pods))
            let cachedNodes = Dictionary(
                source.nodeInformer.list().map { ("/\($0.metadata.name ?? "")", $0.metadata.resourceVersion ?? "") },
                uniquingKeysWith: { a, _ in a })
            let cachedPods = Dictionary(
                source.podInformer.list().map { ("\($0.namespace)/\($0.name)", $0.resourceVersion ?? "") },
                uniquingKeysWith: { a, _ in a })
            return storeNodes == cachedNodes && storePods == cachedPods
        }
        if !ok { throw HarnessError(description: "informer caches did not catch up with the store") }
    }
}

struct HarnessError: Error, CustomStringConvertible { let description: String }

/// A `NodeRemoving` that records what it was asked and reports each removal as done, without
/// touching anything (for tests of the loop's decisions alone).
final class RecordingRemover: NodeRemoving {
    private let calls = Mutex<[[NodeRemoval]]>([])

    var requests: [[NodeRemoval]] { calls.withLock { $0 } }

    func remove(_ removals: [NodeRemoval]) async -> [NodeRemovalResult] {
        calls.withLock { $0.append(removals) }
        return removals.map { NodeRemovalResult(removal: $0, outcome: .removed) }
    }
}

/// Polls `condition` every few milliseconds of real time until it holds or `timeout` passes.
@discardableResult
func eventually(timeout: Duration = .seconds(15), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let start = ContinuousClock.now
    while ContinuousClock.now - start < timeout {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return try await condition()
}

/// Keeps every log line (message and metadata) for a test to read.
struct LogCapture: LogHandler {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
    }

    let store = Lines()
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let text = "\(event.message) " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        store.lines.withLock { $0.append(text) }
    }

    var lines: [String] { store.lines.withLock { $0 } }
}
