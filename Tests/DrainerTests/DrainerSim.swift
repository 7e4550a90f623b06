import ClusterSim
import Foundation
import KubeClient
import KubeModels
import Logging
import MendCore
import MendTime
import Synchronization
@testable import Drainer

/// A ClusterSim API server, a client over real HTTP, a test kubelet that finishes graceful pod
/// deletions, and helpers to build a cluster and run reconcilers on a manual clock.
final class DrainerSim: Sendable {
    let server: ClusterSimServer
    let client: KubernetesClient
    let clock = ManualClock()
    var store: ClusterStore { server.store }

    private init(server: ClusterSimServer, client: KubernetesClient) {
        self.server = server
        self.client = client
    }

    static func makeClient(_ server: ClusterSimServer, agent: String = "drainer-tests") throws -> KubernetesClient {
        let config = KubeConfiguration(server: URL(string: server.url)!, namespace: "mend", origin: "test")
        let options = KubeClientOptions(
            userAgent: UserAgent.make(program: agent, version: "0.0.1"), qps: 0, burst: 10,
            retry: RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(5), maxBackoff: .milliseconds(20), maxRetryAfter: .seconds(1)),
            requestTimeout: .seconds(10), connectTimeout: .seconds(1))
        var logger = Logger(label: "drainer-tests.kube")
        logger.logLevel = .warning
        return try KubernetesClient(configuration: config, options: options, logger: logger)
    }

    /// Runs `body` with a fresh simulated cluster (and its kubelet); everything stops afterwards.
    static func with<R: Sendable>(_ body: @escaping @Sendable (DrainerSim) async throws -> R) async throws -> R {
        let server = try await ClusterSimServer.start()
        let sim: DrainerSim
        do {
            // The drainer's own namespace (its state ConfigMap lives there).
            _ = try server.store.create(
                server.store.resource("namespaces")!, namespace: nil,
                object: try JSONValue(encoding: Namespace(metadata: ObjectMeta(name: "mend"))))
            sim = DrainerSim(server: server, client: try makeClient(server))
        } catch {
            try await server.shutdown()
            throw error
        }
        let result: Result<R, any Error>
        do {
            result = .success(try await withThrowingTaskGroup(of: R?.self) { group in
                group.addTask { try await sim.runKubelet(); return nil }
                group.addTask { try await body(sim) }
                defer { group.cancelAll() }
                while let value = try await group.next() {
                    if let value { return value }
                }
                throw CancellationError()
            })
        } catch {
            result = .failure(error)
        }
        try? await sim.client.shutdown()
        try? await server.shutdown()
        return try result.get()
    }

    /// Finishes graceful deletions at once (a kubelet with zero termination delay).
    private func runKubelet() async throws {
        let pods = store.resource("pods")!
        while !Task.isCancelled {
            for pod in store.listValues(pods) where pod[path: ["metadata", "deletionTimestamp"]] != nil {
                let namespace = pod[path: ["metadata", "namespace"]]?.stringValue
                if let name = pod[path: ["metadata", "name"]]?.stringValue {
                    _ = try? store.finalizeDeletion(pods, namespace: namespace, name: name)
                }
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    // MARK: Building the cluster

    func addNode(
        _ name: String, labels: [String: String] = ["pool": "general"], conditions: [NodeCondition] = [], unschedulable: Bool? = nil,
        allocatable: [String: Quantity]? = nil
    ) throws {
        var node = Build.node(name, labels: labels, conditions: conditions, unschedulable: unschedulable)
        node.status.allocatable = allocatable
        _ = try store.create(store.resource("nodes")!, namespace: nil, object: try JSONValue(encoding: node), options: WriteOptions(keepStatusOnCreate: true))
    }

    /// Sets one condition on a node's status (as mend-detector would), since `secondsAgo` on the clock.
    func setCondition(_ node: String, _ type: String, _ status: ConditionStatus, secondsAgo: Double = 0) throws {
        let condition = Build.condition(type, status, since: clock.now.addingTimeInterval(-secondsAgo))
        let encoded = try JSONValue(encoding: condition)
        _ = try store.modify(store.resource("nodes")!, namespace: nil, name: node, subresource: .status) { object throws(APIError) in
            var object = object
            var conditions = object[path: ["status", "conditions"]]?.arrayValue ?? []
            conditions.removeAll { $0["type"]?.stringValue == type }
            conditions.append(encoded)
            var status = object["status"] ?? [:]
            status["conditions"] = .array(conditions)
            object["status"] = status
            return object
        }
    }

    /// Creates a running, ready pod bound to `node`.
    @discardableResult
    func addPod(_ pod: Pod) throws -> String {
        var pod = pod
        pod.status = PodStatus(phase: pod.status.phase ?? .running, conditions: [PodCondition(type: "Ready", status: .true)])
        let created = try store.create(
            store.resource("pods")!, namespace: pod.metadata.namespace, object: try JSONValue(encoding: pod),
            options: WriteOptions(keepStatusOnCreate: true))
        return created[path: ["metadata", "uid"]]?.stringValue ?? ""
    }

    func addPDB(_ name: String, app: String, minAvailable: Int, namespace: String = "default") throws {
        let pdb = PodDisruptionBudget(
            metadata: ObjectMeta(name: name, namespace: namespace),
            spec: PodDisruptionBudget.Spec(minAvailable: .int(minAvailable), selector: LabelSelector(matchLabels: ["app": app])))
        _ = try store.create(store.resource("poddisruptionbudgets", group: "policy")!, namespace: namespace, object: try JSONValue(encoding: pdb))
    }

    // MARK: Reading it back

    func node(_ name: String) throws -> Node {
        try store.get(store.resource("nodes")!, namespace: nil, name: name).decode(as: Node.self)
    }

    func podExists(_ name: String, namespace: String = "default") -> Bool {
        (try? store.get(store.resource("pods")!, namespace: namespace, name: name)) != nil
    }

    /// Successful evictions of `pod` recorded by the API server.
    func evictions(of pod: String) -> Int {
        server.audit.writes.filter { $0.subresource == "eviction" && $0.name == pod && $0.code < 300 }.count
    }

    /// Events recorded about `node` with `reason`.
    func events(reason: String, node: String? = nil) -> [CoreV1Event] {
        store.listValues(store.resource("events")!).compactMap { try? $0.decode(as: CoreV1Event.self) }
            .filter { $0.reason == reason && (node == nil || $0.involvedObject.name == node) }
    }

    /// Nodes cordoned by Mend now.
    func mendCordoned() throws -> [String] {
        try store.listValues(store.resource("nodes")!).map { try $0.decode(as: Node.self) }
            .filter { MendNodeState($0).countsAgainstBudget }.compactMap(\.metadata.name).sorted()
    }

    // MARK: Running reconcilers

    /// A reconciler wired as the program wires it: reads from the client, writes (and Events)
    /// through a live or dry-run `WritePath`, keeps its state in the `mend-drainer-state`
    /// ConfigMap of namespace `mend` (unless `keepState` is false).
    func reconciler(
        _ policy: DrainerPolicy, client: KubernetesClient? = nil, dryRun: Bool = false, keepState: Bool = true
    ) -> (Reconciler, Informer<Node>) {
        let client = client ?? self.client
        var logger = Logger(label: "drainer-tests")
        logger.logLevel = .warning
        let informer = Informer<Node>(client: client, clock: SystemClock(), logger: logger)
        let writes = WritePath(kubernetes: client, dryRun: dryRun, clock: clock, logger: logger)
        let recorder = EventRecorder(sink: writes, component: "mend-drainer", logger: logger)
        let reconciler = Reconciler(
            policy: policy, cluster: KubeDrainerCluster(client: client, writes: writes), nodes: informer, events: recorder,
            clock: clock, logger: logger, dryRun: dryRun,
            state: keepState ? ConfigMapStateStore(client: client, writes: writes, namespace: "mend") : nil)
        return (reconciler, informer)
    }

    /// Runs `reconciler` (and its informer) while `body` runs; cancels them afterwards.
    ///
    /// - Parameter tick: when set, the manual clock moves by this much every 10 ms of real time
    ///   (for drains that poll and retry on the clock); leave `nil` to move it only by hand.
    func running(
        _ parts: (Reconciler, Informer<Node>), tick: Duration? = nil,
        _ body: @Sendable () async throws -> Void
    ) async throws {
        let (reconciler, informer) = parts
        let clock = self.clock
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await informer.run() }
            group.addTask { try await reconciler.run() }
            if let tick {
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: .milliseconds(10))
                        clock.advance(by: tick)
                    }
                }
            }
            defer { group.cancelAll() }
            try await body()
        }
    }
}

/// Polls `condition` every few milliseconds of real time until it holds or `timeout` passes.
@discardableResult
func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let start = ContinuousClock.now
    while ContinuousClock.now - start < timeout {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return try await condition()
}

/// Waits until the reconciler has finished `count` more passes than `after` and parked.
func passes(_ reconciler: Reconciler, beyond after: Int, count: Int = 1) async -> Bool {
    await eventually { await reconciler.passCount >= after + count }
}
