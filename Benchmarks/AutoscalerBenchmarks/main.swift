// Figures for people (not timed tests). Run in release, one section per process for memory:
//   swift build -c release --product AutoscalerBenchmarks
//   .build/release/AutoscalerBenchmarks                 # estimator and decision
//   .build/release/AutoscalerBenchmarks memory          # resident memory, 5,000 nodes / 150,000 pods
//   .build/release/AutoscalerBenchmarks estimator decision memory
//   .build/release/AutoscalerBenchmarks latency         # unschedulable pod -> capacity call, real clock
// Results and the history of the figures: RESULTS.md next to this file.
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Autoscaler
import KubeModels
import Scheduling

/// Runs `body` `runs` times and prints the best and median wall time, and the best CPU time of
/// this process (the figure to trust on a loaded machine: the benchmarks are single-threaded).
func measure(_ name: String, runs: Int = 5, _ body: () -> String) {
    var times: [Duration] = []
    var cpuTimes: [Duration] = []
    var note = ""
    for _ in 0..<runs {
        let start = ContinuousClock.now
        let cpuStart = cpuTime()
        note = body()
        cpuTimes.append(cpuTime() - cpuStart)
        times.append(ContinuousClock.now - start)
    }
    times.sort()
    cpuTimes.sort()
    print(
        "\(name): CPU best \(milliseconds(cpuTimes[0])), median \(milliseconds(cpuTimes[runs / 2])); wall best \(milliseconds(times[0])), median \(milliseconds(times[runs / 2])); \(runs) runs; \(note)"
    )
}

/// CPU time used by this process so far.
func cpuTime() -> Duration {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return .seconds(spec.tv_sec) + .nanoseconds(spec.tv_nsec)
}

func milliseconds(_ d: Duration) -> String { String(format: "%.1f ms", d.seconds * 1000) }

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

let arguments = Array(CommandLine.arguments.dropFirst())
let sections = Set(arguments.isEmpty ? ["estimator", "decision"] : arguments)
let known: Set<String> = ["estimator", "decision", "memory", "latency"]
if !sections.isSubset(of: known) {
    print("usage: AutoscalerBenchmarks [estimator] [decision] [memory] [latency]")
    exit(2)
}
let now = Date(timeIntervalSince1970: 1_800_000_000)

// 1. The estimator alone: 50,000 × 50m + 1,000 × 95m onto a 1-CPU / 100-pod template.
if sections.contains("estimator") {
    var pods: [SchedulingPod] = []
    for i in 0..<50_000 {
        pods.append(SchedulingPod(namespace: "default", name: "small-\(i)", requests: ResourceVector(milliCPU: 50)))
    }
    for i in 0..<1_000 {
        pods.append(SchedulingPod(namespace: "default", name: "big-\(i)", requests: ResourceVector(milliCPU: 95)))
    }
    let template = NodeTemplate(
        group: "bench", node: SchedulingNode(name: "template", allocatable: ResourceVector(milliCPU: 1000, pods: 100)),
        origin: .tags)
    measure("estimator 51,000 pods → 1-CPU/100-pod template") {
        let estimate = BinPackingEstimator.estimate(pods, template: template)
        return "\(estimate.newNodes) nodes"
    }
    // The same count of pods, but 51 distinct request sizes (no two neighbours alike).
    let mixed = (0..<51_000).map { (i: Int) -> SchedulingPod in
        let cpu: Int64 = 20 + Int64(i % 51) * 3
        let memory: Int64 = Int64(64 + (i % 17) * 16) << 20
        return SchedulingPod(
            namespace: "default", name: "mixed-\(i)", requests: ResourceVector(milliCPU: cpu, memory: memory))
    }
    let roomy = NodeTemplate(
        group: "bench",
        node: SchedulingNode(name: "template", allocatable: ResourceVector(milliCPU: 4000, memory: 16 << 30, pods: 110)),
        origin: .tags)
    measure("estimator 51,000 pods of 867 request shapes → 4-CPU/16-GiB/110-pod template") {
        let estimate = BinPackingEstimator.estimate(mixed, template: roomy)
        return "\(estimate.newNodes) nodes"
    }
}

/// A cluster of `groups` × `nodesPerGroup` 8-CPU / 32-GiB / 110-pod nodes, `podsPerNode` running
/// pods of `runningRequest` on each, and `pending` unschedulable pods of 7 × 5 request sizes
/// (every tenth pinned to one group's pool by nodeSelector).
func cluster(
    groups groupCount: Int, nodesPerGroup: Int, podsPerNode: Int, runningRequest: ResourceVector, pending: Int
) -> ClusterSnapshot {
    var nodes: [Node] = []
    var pods: [PodSummary] = []
    var groups: [NodeGroup] = []
    for g in 0..<groupCount {
        var instances: [GroupInstance] = []
        for n in 0..<nodesPerGroup {
            let name = "node-\(g)-\(n)"
            let capacity: [String: Quantity] = ["cpu": Quantity(milli: 8000), "memory": Quantity(32 << 30), "pods": 110]
            nodes.append(
                Node(
                    metadata: ObjectMeta(
                        name: name, creationTimestamp: KubeTime(now.addingTimeInterval(-86_400)),
                        labels: ["pool": "p\(g)", NodeLabels.hostname: name]),
                    spec: NodeSpec(providerID: "aws:///us-east-1a/i-\(name)"),
                    status: NodeStatus(
                        capacity: capacity, allocatable: capacity,
                        conditions: [NodeCondition(type: .ready, status: .true)])))
            instances.append(GroupInstance(id: "i-\(name)", zone: "us-east-1a"))
            for p in 0..<podsPerNode {
                var pod = PodSummary(Pod(metadata: ObjectMeta(name: "run-\(g)-\(n)-\(p)", namespace: "default")))
                pod.nodeName = name
                pod.phase = .running
                pod.controllerKind = "ReplicaSet"
                pod.controllerName = "run-\(g)-\(p % 10)"
                pod.requests = runningRequest
                pods.append(pod)
            }
        }
        groups.append(
            NodeGroup(
                id: "group-\(String(format: "%02d", g))", minSize: 0, maxSize: 500, desiredCapacity: nodesPerGroup,
                instances: instances))
    }
    for p in 0..<pending {
        var pod = PodSummary(Pod(metadata: ObjectMeta(name: "pending-\(p)", namespace: "default")))
        pod.phase = .pending
        pod.isUnschedulable = true
        pod.controllerKind = "ReplicaSet"
        pod.controllerName = "app-\(p % 100)"
        pod.creationTimestamp = KubeTime(now.addingTimeInterval(-60))
        pod.requests = ResourceVector(milliCPU: 100 + Int64(p % 7) * 50, memory: Int64(256 + (p % 5) * 128) << 20)
        if p % 10 == 0 { pod.nodeSelector = ["pool": "p\(p % groupCount)"] }
        pods.append(pod)
    }
    return ClusterSnapshot(nodes: nodes, pods: pods, groups: groups)
}

// 2. One decision loop: 1,000 nodes, 30,000 running pods, 10,000 pending, 50 groups.
if sections.contains("decision") {
    let busy = cluster(
        groups: 50, nodesPerGroup: 20, podsPerNode: 30, runningRequest: ResourceVector(milliCPU: 250, memory: 1 << 30),
        pending: 10_000)
    let upPlanner = ScaleUpPlanner()
    let downPlanner = ScaleDownPlanner()
    measure("scale-up decision 1,000 nodes / 30,000 running / 10,000 pending / 50 groups", runs: 3) {
        let plan = upPlanner.plan(busy, now: now)
        let nodesAdded = plan.increases.reduce(0) { $0 + $1.to - $1.from }
        return "\(plan.increases.count) group(s) grown by \(nodesAdded) node(s)"
    }
    measure("scale-down decision on the same cluster (nodes 94 % used)", runs: 3) {
        let plan = downPlanner.plan(busy, now: now)
        return "\(plan.removals.count) removal(s), \(plan.blocked.count) node(s) kept"
    }
    measure("decision loop (scale-up + scale-down) on the same cluster", runs: 3) {
        let up = upPlanner.plan(busy, now: now)
        let down = downPlanner.plan(busy, now: now)
        return "\(up.increases.count) increase(s), \(down.removals.count) removal(s)"
    }
    // Every node under the threshold and unneeded long enough: each one is simulated.
    let idle = cluster(
        groups: 50, nodesPerGroup: 20, podsPerNode: 30, runningRequest: ResourceVector(milliCPU: 100, memory: 256 << 20),
        pending: 10_000)
    let longAgo = Dictionary(uniqueKeysWithValues: idle.nodes.map { ($0.metadata.name ?? "", now.addingTimeInterval(-3600)) })
    let eager = ScaleDownPlanner(settings: ScaleDownSettings(maxEmptyBulk: 1_000, maxNonEmptyPerDecision: 1_000))
    measure("scale-down, 1,000 nodes 38 % used, all unneeded, limits 1,000 per decision", runs: 3) {
        let plan = eager.plan(idle, unneededSince: longAgo, now: now)
        return "\(plan.removals.count) removal(s), \(plan.blocked.count) node(s) kept"
    }
}

// 3. Resident memory with 5,000 nodes and 150,000 pods as the autoscaler holds them: decoded from
// API-server-shaped JSON pages into informer-style caches (`[String: Node]`, `[String: PodSummary]`),
// then a snapshot of both and one decision over it.
if sections.contains("memory") {
    MemoryBenchmark.run(nodes: 5_000, pods: 150_000, groups: 50)
}

// 4. Time from a pod becoming unschedulable to the capacity call (real clock, ClusterSim over
// HTTP with its scheduler and simulated cloud, the loop with its informers).
if sections.contains("latency") {
    let environment = ProcessInfo.processInfo.environment
    do {
        try await LatencyBenchmark.run(
            rounds: Int(environment["LATENCY_ROUNDS"] ?? "") ?? 20, bursts: Int(environment["LATENCY_BURSTS"] ?? "") ?? 5,
            burstSize: 10, nodes: Int(environment["LATENCY_NODES"] ?? "") ?? 100,
            pods: Int(environment["LATENCY_PODS"] ?? "") ?? 1_000)
    } catch {
        print("latency: failed: \(error)")
        exit(1)
    }
}
