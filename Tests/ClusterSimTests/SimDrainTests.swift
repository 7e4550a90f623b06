import ClusterSim
import Foundation
import KubeModels
import MendTime
import Testing

/// `kubectl drain` against a whole simulation served over HTTP, in real (short) time.
@Suite("kubectl drain against a full simulation", .enabled(if: Kubectl.path != nil, "kubectl not found (set MEND_KUBECTL or install /usr/bin/kubectl)"))
struct SimDrainTests {
    static let scenario = """
        nodeGroups:
          - {name: general, count: 3, maxSize: 5, bootDelay: 1s, capacity: {cpu: "2", memory: 8Gi, pods: 29}}
        workloads:
          - {name: web, namespace: shop, replicas: 4, requests: {cpu: 200m}, pdb: {maxUnavailable: 1},
             terminationGracePeriodSeconds: 5}
        daemonSets:
          - {name: node-agent, namespace: kube-system, requests: {cpu: 10m}}
        """

    @Test(.timeLimit(.minutes(2)))
    func drainWithIgnoreDaemonSetsSucceedsAndTheReplicaSetComesBackOnOtherNodes() async throws {
        var configuration = ClusterSimulation.Configuration(clock: SystemClock())
        configuration.kubelets.podStartDelay = .milliseconds(100)
        configuration.kubelets.gracePeriodScale = 0
        let sim = try await ClusterSimulation.start(configuration)
        try sim.load(Scenario.parse(Self.scenario, file: "drain.yaml"), file: "drain.yaml")
        let server = try #require(sim.server)
        let kubeconfig = try server.writeKubeconfig()
        defer { try? FileManager.default.removeItem(at: kubeconfig) }

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await sim.run() }
            defer { group.cancelAll() }

            try await waitUntil("all 7 pods run") {
                let pods = sim.allPods()
                return pods.count == 7 && pods.allSatisfy { $0.phase == "Running" && $0.condition("Ready") != nil }
            }
            // Drain the node with the most web pods.
            let webPods = sim.allPods(namespace: "shop")
            let counts = Dictionary(grouping: webPods, by: \.nodeName).mapValues(\.count)
            let target = try #require(counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key)

            let result = try await Kubectl.run(
                ["drain", target, "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=60s"], kubeconfig: kubeconfig,
                timeout: .seconds(90))
            #expect(result.status == 0, "kubectl drain failed: \(result.output)")
            #expect(result.output.contains("drained"), "\(result.output)")

            #expect(sim.node(target)?[path: ["spec", "unschedulable"]]?.boolValue == true)
            try await waitUntil("4 web pods run on other nodes") {
                let pods = sim.allPods(namespace: "shop").filter { $0[path: ["metadata", "deletionTimestamp"]] == nil }
                return pods.count == 4 && pods.allSatisfy { $0.phase == "Running" && $0.nodeName != target }
            }
            let agents = sim.allPods(namespace: "kube-system")
            #expect(agents.contains { $0.nodeName == target }, "the daemon pod stays on the drained node")
        }
    }

    private func waitUntil(_ what: String, timeout: Duration = .seconds(30), _ condition: () -> Bool) async throws {
        let start = ContinuousClock.now
        while !condition() {
            if ContinuousClock.now - start > timeout {
                Issue.record("timed out waiting until \(what)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
