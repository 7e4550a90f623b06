// Figures for people (not timed tests). Run in release:
//   swift run -c release AutoscalerBenchmarks
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import Autoscaler
import KubeModels
import Scheduling

/// Runs `body` `runs` times and prints the best and median wall time.
func measure(_ name: String, runs: Int = 5, _ body: () -> String) {
    var times: [Duration] = []
    var note = ""
    for _ in 0..<runs {
        let start = ContinuousClock.now
        note = body()
        times.append(ContinuousClock.now - start)
    }
    times.sort()
    let ms = { (d: Duration) in String(format: "%.1f ms", d.seconds * 1000) }
    print("\(name): best \(ms(times[0])), median \(ms(times[times.count / 2])) over \(runs) runs; \(note)")
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

// 1. The estimator alone: 50,000 × 50m + 1,000 × 95m onto a 1-CPU / 100-pod template.
do {
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
}

// 2. One scale-up decision: 1,000 nodes, 30,000 running pods, 10,000 pending, 50 groups.
do {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    var nodes: [Node] = []
    var pods: [PodSummary] = []
    var groups: [NodeGroup] = []
    for g in 0..<50 {
        var instances: [GroupInstance] = []
        for n in 0..<20 {
            let name = "node-\(g)-\(n)"
            let capacity: [String: Quantity] = ["cpu": Quantity(milli: 8000), "memory": Quantity(32 << 30), "pods": 110]
            nodes.append(
                Node(
                    metadata: ObjectMeta(name: name, labels: ["pool": "p\(g)"]),
                    spec: NodeSpec(providerID: "aws:///us-east-1a/i-\(name)"),
                    status: NodeStatus(
                        capacity: capacity, allocatable: capacity,
                        conditions: [NodeCondition(type: .ready, status: .true)])))
            instances.append(GroupInstance(id: "i-\(name)", zone: "us-east-1a"))
            for p in 0..<30 {
                var pod = PodSummary(Pod(metadata: ObjectMeta(name: "run-\(g)-\(n)-\(p)", namespace: "default")))
                pod.nodeName = name
                pod.phase = .running
                pod.controllerKind = "ReplicaSet"
                pod.requests = ResourceVector(milliCPU: 250, memory: 1 << 30)
                pods.append(pod)
            }
        }
        groups.append(
            NodeGroup(
                id: "group-\(String(format: "%02d", g))", minSize: 0, maxSize: 500, desiredCapacity: 20,
                instances: instances))
    }
    for p in 0..<10_000 {
        var pod = PodSummary(Pod(metadata: ObjectMeta(name: "pending-\(p)", namespace: "default")))
        pod.phase = .pending
        pod.isUnschedulable = true
        pod.controllerKind = "ReplicaSet"
        pod.controllerName = "app-\(p % 100)"
        pod.creationTimestamp = KubeTime(now.addingTimeInterval(-60))
        pod.requests = ResourceVector(milliCPU: 100 + Int64(p % 7) * 50, memory: Int64(256 + (p % 5) * 128) << 20)
        if p % 10 == 0 { pod.nodeSelector = ["pool": "p\(p % 50)"] }
        pods.append(pod)
    }
    let snapshot = ClusterSnapshot(nodes: nodes, pods: pods, groups: groups)
    let planner = ScaleUpPlanner()
    measure("scale-up decision 1,000 nodes / 30,000 running / 10,000 pending / 50 groups", runs: 3) {
        let plan = planner.plan(snapshot, now: now)
        let nodesAdded = plan.increases.reduce(0) { $0 + $1.to - $1.from }
        return "\(plan.increases.count) group(s) grown by \(nodesAdded) node(s)"
    }
    let downPlanner = ScaleDownPlanner()
    measure("scale-down decision on the same cluster", runs: 3) {
        let plan = downPlanner.plan(snapshot, now: now)
        return "\(plan.removals.count) removal(s), \(plan.blocked.count) node(s) kept"
    }
}
