import ClusterSim
import Drainer
import Foundation
import KubeClient
import KubeModels
import Logging
import MendTime

// mend-drainer benchmarks against ClusterSim over real HTTP, in real time (a figure for people,
// not a timed test). Goals from issue 6: rule elapsed → cordon ≤ 1 s; drain of a 110-pod node with
// no PDB blocking ≤ 5 s; API requests per drained node ≤ pods + 10.
//
// Run: swift run -c release DrainerBenchmarks [pods] [rounds]

let arguments = CommandLine.arguments.dropFirst()
let podCount = arguments.first.flatMap(Int.init) ?? 110
let rounds = arguments.dropFirst().first.flatMap(Int.init) ?? 3

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .error
    return handler
}

func makeClient(_ server: ClusterSimServer, agent: String) throws -> KubernetesClient {
    try KubernetesClient(
        configuration: KubeConfiguration(server: URL(string: server.url)!, namespace: "default", origin: "bench"),
        options: KubeClientOptions(userAgent: UserAgent.make(program: agent, version: "0.0.1"), qps: 0, burst: 10))
}

struct RoundResult {
    var cordonLatency: Double
    var drainSeconds: Double
    var requests: Int
}

func runRound(_ index: Int) async throws -> RoundResult {
    let server = try await ClusterSimServer.start()
    let store = server.store
    let nodes = store.resource("nodes")!
    let pods = store.resource("pods")!
    let nodeName = "bench-\(index)"
    for name in [nodeName, "spare"] {
        let node = Node(
            metadata: ObjectMeta(name: name, labels: ["pool": "general"]),
            status: NodeStatus(conditions: [NodeCondition(type: .ready, status: .true)]))
        _ = try store.create(nodes, namespace: nil, object: try JSONValue(encoding: node), options: WriteOptions(keepStatusOnCreate: true))
    }
    for podIndex in 0..<podCount {
        var meta = ObjectMeta(name: "app-\(podIndex)", namespace: "default", labels: ["app": "bench"])
        meta.ownerReferences = [OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: "app", uid: "rs-uid", controller: true)]
        let pod = Pod(
            metadata: meta, spec: PodSpec(containers: [Container(name: "c", image: "app:1")], nodeName: nodeName),
            status: PodStatus(phase: .running, conditions: [PodCondition(type: "Ready", status: .true)]))
        _ = try store.create(pods, namespace: "default", object: try JSONValue(encoding: pod), options: WriteOptions(keepStatusOnCreate: true))
    }

    let informerClient = try makeClient(server, agent: "bench-informer")
    let client = try makeClient(server, agent: "bench-drainer")
    let logger = Logger(label: "bench")
    let informer = Informer<Node>(client: informerClient, logger: logger)
    let policy = DrainerPolicy(rules: [try ConditionRule(parsing: "KernelDeadlock=True,2s")], budget: SafetyBudget(maxCordoned: .count(5)))
    let reconciler = Reconciler(
        policy: policy, cluster: KubeDrainerCluster(client: client), nodes: informer,
        events: EventRecorder(sink: client, component: "mend-drainer", logger: logger), clock: SystemClock(), logger: logger)

    let result = try await withThrowingTaskGroup(of: RoundResult?.self) { group in
        group.addTask { try await informer.run(); return nil }
        group.addTask { try await reconciler.run(); return nil }
        group.addTask {
            // The simulated kubelet: graceful deletions finish at once.
            while !Task.isCancelled {
                for pod in store.listValues(pods) where pod[path: ["metadata", "deletionTimestamp"]] != nil {
                    _ = try? store.finalizeDeletion(pods, namespace: "default", name: pod[path: ["metadata", "name"]]?.stringValue ?? "")
                }
                try await Task.sleep(for: .milliseconds(2))
            }
            return nil
        }
        group.addTask {
            try await informer.waitForSync()
            try await Task.sleep(for: .milliseconds(200))
            // The condition turns True now (whole seconds, as the API stores it).
            let since = KubeTime(Date())
            let condition = NodeCondition(type: "KernelDeadlock", status: .true, lastHeartbeatTime: since, lastTransitionTime: since)
            let encoded = try JSONValue(encoding: condition)
            _ = try store.modify(nodes, namespace: nil, name: nodeName, subresource: .status) { object throws(APIError) in
                var object = object
                var conditions = object[path: ["status", "conditions"]]?.arrayValue ?? []
                conditions.append(encoded)
                object["status"]?["conditions"] = .array(conditions)
                return object
            }
            let requestsBefore = client.requestsSent
            let elapses = since.date.addingTimeInterval(2)
            func node() throws -> Node { try store.get(nodes, namespace: nil, name: nodeName).decode(as: Node.self) }
            let deadline = Date().addingTimeInterval(60)
            while try !node().isUnschedulable {
                guard Date() < deadline else { throw CancellationError() }
                try await Task.sleep(for: .milliseconds(1))
            }
            let cordonedAt = Date()
            while try node().metadata.annotations?[MendNodeKeys.drainOutcome] != "succeeded" {
                guard Date() < deadline else { throw CancellationError() }
                try await Task.sleep(for: .milliseconds(2))
            }
            let drainedAt = Date()
            return RoundResult(
                cordonLatency: cordonedAt.timeIntervalSince(elapses), drainSeconds: drainedAt.timeIntervalSince(cordonedAt),
                requests: client.requestsSent - requestsBefore)
        }
        defer { group.cancelAll() }
        while let value = try await group.next() {
            if let value { return value }
        }
        throw CancellationError()
    }
    try await informerClient.shutdown()
    try await client.shutdown()
    try await server.shutdown()
    return result
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

print("mend-drainer benchmark: \(podCount) pods on the node, \(rounds) round(s), ClusterSim over HTTP, kubelet with zero termination delay")
var results: [RoundResult] = []
for round in 0..<rounds {
    let result = try await runRound(round)
    results.append(result)
    print(String(format: "round %d: rule elapsed → cordon %.3f s; cordon → drained %.3f s; API requests %d", round + 1, result.cordonLatency, result.drainSeconds, result.requests))
}
print(String(format: "median: rule elapsed → cordon %.3f s (goal ≤ 1 s); drain %.3f s (goal ≤ 5 s); API requests per drained node %d (goal ≤ %d)",
             median(results.map(\.cordonLatency)), median(results.map(\.drainSeconds)),
             Int(median(results.map { Double($0.requests) })), podCount + 10))
