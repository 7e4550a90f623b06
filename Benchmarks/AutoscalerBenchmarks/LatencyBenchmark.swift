#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import Autoscaler
import ClusterSim
import KubeClient
import KubeModels
import Logging
import MendCore
import MendTime
import Synchronization

/// Time from a pod becoming unschedulable to the capacity call, on the real clock: ClusterSim
/// served over HTTP with its scheduler and simulated cloud running, the autoscaler's loop reading
/// it through real informers (event-driven wake-up, default batching window) and writing through
/// the real write path to the simulated cloud's provider.
///
/// Start: the moment the simulated scheduler's `PodScheduled=False` status write lands in the
/// store (seen by an in-process watch). End: `setDesiredCapacity` reaching the provider.
/// New nodes boot in an hour, so each pending pod keeps needing its own new node.
enum LatencyBenchmark {
    /// Records when each capacity call reaches the provider, then forwards it.
    struct TimedProvider: NodeGroupProvider {
        let base: any NodeGroupProvider
        let calls: Calls

        func nodeGroups() async throws -> [Autoscaler.NodeGroup] { try await base.nodeGroups() }
        func setDesiredCapacity(group: String, to capacity: Int) async throws {
            calls.list.withLock { $0.append((ContinuousClock.now, group, capacity)) }
            try await base.setDesiredCapacity(group: group, to: capacity)
        }
        func terminateInstance(_ instanceID: String, group: String, decrementDesiredCapacity: Bool) async throws {
            try await base.terminateInstance(instanceID, group: group, decrementDesiredCapacity: decrementDesiredCapacity)
        }
        func launchFailures(group: String, since: Date) async throws -> [LaunchFailure] {
            try await base.launchFailures(group: group, since: since)
        }
    }

    final class Marks: Sendable {
        let times = Mutex<[String: ContinuousClock.Instant]>([:])
    }

    final class Calls: Sendable {
        let list = Mutex<[(ContinuousClock.Instant, String, Int)]>([])
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// `rounds` single pods, then `bursts` bursts of `burstSize` pods, over a background of
    /// `nodes` busy nodes and `pods` running pods.
    static func run(rounds: Int, bursts: Int, burstSize: Int, nodes: Int, pods: Int) async throws {
        let sim = try await ClusterSimulation.start(ClusterSimulation.Configuration(clock: SystemClock()))
        let cloud = sim.cloud!
        let store = sim.store
        let podsResource = store.resource("pods")!
        let capacity: [String: Quantity] = ["cpu": Quantity(4), "memory": try Quantity(parsing: "16Gi"), "pods": Quantity(110)]
        try cloud.addNodeGroup(
            NodeGroupSpec(
                name: "base", minSize: nodes, maxSize: nodes, desiredCapacity: nodes,
                shape: NodeShape(instanceType: "m5.xlarge", zone: "us-east-1a", capacity: capacity), bootDelay: .seconds(1)),
            startBooted: true)
        try cloud.addNodeGroup(
            NodeGroupSpec(
                name: "burst", minSize: 0, maxSize: 1_000, desiredCapacity: 0,
                shape: NodeShape(instanceType: "m5.xlarge", zone: "us-east-1b", capacity: capacity), bootDelay: .seconds(3600)))
        try sim.settle()
        // Background: running pods filling the base nodes to about 90 % of their CPU.
        let perPod = max(1, 3600 * nodes / max(1, pods))
        for i in 0..<pods {
            try store.create(podsResource, namespace: "default", object: podJSON("bg-\(i)", milliCPU: perPod))
        }
        try sim.settle(maxRounds: 200)

        let logger = Logger(label: "latency") { _ in SwiftLogNoOpLogHandler() }
        let client = try KubernetesClient(
            configuration: KubeConfiguration(server: URL(string: sim.server!.url)!, namespace: "kube-system", origin: "bench"),
            options: KubeClientOptions(
                userAgent: UserAgent.make(program: "autoscaler-latency-benchmark", version: "0"), qps: 0, burst: 100,
                retry: RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(5), maxBackoff: .milliseconds(50), maxRetryAfter: .seconds(1)),
                requestTimeout: .seconds(30), connectTimeout: .seconds(2)),
            logger: logger)
        let calls = Calls()
        let provider = TimedProvider(base: SimulatedNodeGroupProvider(cloud: cloud), calls: calls)
        let writes = WritePath.forNodeGroups(provider, kubernetes: client, dryRun: false, logger: logger)
        var config = AutoscalerConfig.defaults
        config.clusterName = "bench"
        let settings = AutoscalerSettings(config: config)
        let source = InformerClusterSource(client: client, logger: logger)
        let loop = AutoscalerLoop(
            settings: settings,
            dependencies: AutoscalerLoop.Dependencies(
                cluster: source, provider: provider, writes: writes, remover: NoRemover(), configMaps: client,
                events: nil, clock: SystemClock(), logger: logger))
        print(
            "latency: \(nodes) busy nodes, \(pods) running pods; scan interval \(settings.scanInterval), batching window \(settings.batchingWindow)"
        )

        // When each benchmark pod's PodScheduled=False lands in the store.
        let marked = Marks()
        let watch = try store.watch(podsResource, start: .after(store.currentRevision))

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await sim.run() }
            group.addTask { try await source.run() }
            group.addTask {
                for try await event in watch {
                    let object = event.object
                    let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
                    guard name.hasPrefix("pending-") else { continue }
                    let unschedulable = (object[path: ["status", "conditions"]]?.arrayValue ?? []).contains {
                        $0["type"]?.stringValue == "PodScheduled" && $0["status"]?.stringValue == "False"
                    }
                    if unschedulable {
                        let now = ContinuousClock.now
                        marked.times.withLock { if $0[name] == nil { $0[name] = now } }
                    }
                }
            }
            try await source.waitForSync()
            group.addTask { try await loop.run(wakeups: source) }
            // Let the first pass (at start) finish.
            try await Task.sleep(for: .seconds(3))

            var singles: [Duration] = []
            var burstSamples: [Duration] = []
            var spreads: [Duration] = []
            var next = 0
            for round in 0..<(rounds + bursts) {
                let size = round < rounds ? 1 : burstSize
                let names = (0..<size).map { _ in
                    next += 1
                    return "pending-\(next)"
                }
                let before = calls.list.withLock { $0.count }
                let desiredBefore = cloud.nodeGroup("burst")?.desiredCapacity ?? 0
                for name in names {
                    // 3.5 CPU: no busy node and no node already requested can take it.
                    try store.create(podsResource, namespace: "default", object: podJSON(name, milliCPU: 3500))
                }
                // Bounded wait for every pod marked and the capacity call covering them all.
                let deadline = ContinuousClock.now + .seconds(60)
                var end: ContinuousClock.Instant?
                while ContinuousClock.now < deadline {
                    let reached = calls.list.withLock { list in
                        list.dropFirst(before).first { $0.1 == "burst" && $0.2 >= desiredBefore + size }?.0
                    }
                    if let reached { end = reached; break }
                    try await Task.sleep(for: .milliseconds(5))
                }
                guard let end else { throw Failure(description: "round \(round + 1): no capacity call within 60 s") }
                let starts = marked.times.withLock { m in names.compactMap { m[$0] } }
                guard starts.count == names.count else {
                    throw Failure(description: "round \(round + 1): the scheduler did not mark every pod unschedulable")
                }
                if size > 1, let first = starts.min(), let last = starts.max() {
                    spreads.append(last - first)
                }
                for start in starts {
                    if size == 1 { singles.append(end - start) } else { burstSamples.append(end - start) }
                }
                // A pause so rounds do not share a batching window or a scan.
                try await Task.sleep(for: .milliseconds(1500 + (round % 4) * 700))
            }
            report("single pods", singles)
            if !burstSamples.isEmpty {
                report("bursts of \(burstSize) pods", burstSamples)
                print(
                    "latency bursts: the scheduler marked each burst's pods within \(spreads.map { milliseconds($0) }.joined(separator: ", ")) of each other"
                )
            }
            group.cancelAll()
        }
        try? await client.shutdown()
    }

    static func report(_ name: String, _ samples: [Duration]) {
        let sorted = samples.sorted()
        func at(_ q: Double) -> Duration { sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded()))] }
        print(
            "latency \(name): p50 \(milliseconds(at(0.5))), p95 \(milliseconds(at(0.95))), min \(milliseconds(sorted[0])), max \(milliseconds(sorted[sorted.count - 1])); \(sorted.count) samples"
        )
    }

    static func podJSON(_ name: String, milliCPU: Int) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": [
                "name": .string(name), "namespace": "default",
                "ownerReferences": [
                    ["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "bench", "uid": "uid-bench", "controller": true]
                ],
            ],
            "spec": [
                "containers": [
                    ["name": "app", "image": "bench:1", "resources": ["requests": ["cpu": .string("\(milliCPU)m"), "memory": "256Mi"]]]
                ]
            ],
        ]
    }

    /// Scale-down is not measured; a removal would be refused.
    struct NoRemover: NodeRemoving {
        func remove(_ removals: [NodeRemoval]) async -> [NodeRemovalResult] {
            removals.map { NodeRemovalResult(removal: $0, outcome: .failed(reason: "not in this benchmark")) }
        }
    }
}
