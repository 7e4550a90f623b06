import ClusterSim
import Drainer
import Foundation
import KubeClient
import KubeModels
import MendTime
import MetricsTestKit
import Synchronization
import Testing

@testable import Autoscaler

/// NodeRemover against a whole ClusterSim simulation served over HTTP, with its simulated cloud.
@Suite("Removing nodes", .serialized)
struct NodeRemoverTests {
    static let agents = """
        daemonSets:
          - {name: node-agent, namespace: kube-system, requests: {cpu: 10m}}
        """

    static func cluster(count: Int = 3, min: Int = 1, workload: String = "") -> String {
        """
        nodeGroups:
          - {name: general, count: \(count), minSize: \(min), maxSize: 6, bootDelay: 1s, capacity: {cpu: "2", memory: 8Gi, pods: 29}}
        \(workload)
        \(agents)
        """
    }

    /// Four web pods on three nodes (so one node has two), one disruption at a time.
    static let web = """
        workloads:
          - {name: web, namespace: shop, replicas: 4, requests: {cpu: 200m}, pdb: {maxUnavailable: 1}, terminationGracePeriodSeconds: 5}
        """

    static let deletionTaint = NodeTaints.toBeDeletedByClusterAutoscaler

    @Test(.timeLimit(.minutes(2)))
    func emptyNodesAreTaintedThenTerminatedWithTheGroupShrunkAndTheirNodesGo() async throws {
        try await RemoverSim.with(Self.cluster(count: 3)) { sim in
            let targets = Array(sim.cloud.instances(group: "general").map(\.nodeName).sorted().prefix(2))
            let removals = try targets.map { try sim.removal(of: $0, kind: .empty) }
            #expect(removals.allSatisfy { $0.podsToEvict.isEmpty })
            let taints = try TaintWatch(sim)
            let metrics = TestMetrics()
            let startedAt = Date()

            let results = await sim.remover(metrics: metrics).remove(removals)

            #expect(results.map(\.outcome) == [.removed, .removed])
            #expect(results.map(\.removal.node) == targets)
            for target in targets {
                #expect(sim.cloud.instance(nodeName: target) == nil)
                let value = try #require(taints.values(for: target).first, "the taint was never seen on \(target)")
                let seconds = try #require(Double(value))
                #expect(abs(seconds - startedAt.timeIntervalSince1970) < 120, "the taint's value is unix seconds")
                #expect(!sim.events(reason: "ScaleDown", node: target).isEmpty)
            }
            #expect(sim.cloud.nodeGroup("general")?.desiredCapacity == 1)
            #expect(await eventually { targets.allSatisfy { sim.node($0) == nil } })
            let removed = try metrics.expectCounter(
                "mend_autoscaler_scale_downs_total", [("group", "general"), ("result", "removed")])
            #expect(removed.totalValue == 2)
            taints.stop()
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func underutilizedNodeIsDrainedOneDisruptionAtATimeThenRemoved() async throws {
        try await RemoverSim.with(Self.cluster(workload: Self.web)) { sim in
            let target = try #require(sim.busiestNode(namespace: "shop"))
            let removal = try sim.removal(of: target, kind: .underutilized(0.2))
            try #require(removal.podsToEvict.count >= 2)

            let results = await sim.remover().remove([removal])

            #expect(results.map(\.outcome) == [.removed])
            let evictions = sim.ourWrites().filter { $0.subresource == "eviction" }
            #expect(evictions.filter { $0.code < 300 }.count == removal.podsToEvict.count)
            #expect(evictions.contains { $0.code == 429 }, "the budget refused the second eviction until the first pod was back")
            #expect(sim.cloud.instance(nodeName: target) == nil)
            #expect(sim.cloud.nodeGroup("general")?.desiredCapacity == 2)
            #expect(
                await eventually {
                    let web = sim.pods(namespace: "shop").filter { !$0.metadata.isBeingDeleted }
                    return web.count == 4 && web.allSatisfy { $0.spec.nodeName != target && $0.status.phase == .running }
                })
            #expect(await eventually { sim.node(target) == nil })
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func podLandingOnAnEmptyNodeAfterTheTaintAbandonsTheRemovalAndUntaints() async throws {
        try await RemoverSim.with(Self.cluster()) { sim in
            let target = try #require(sim.cloud.instances(group: "general").first?.nodeName)
            let removal = try sim.removal(of: target, kind: .empty)
            let metrics = TestMetrics()
            // The pod is bound right after the taint goes on, as a scheduler that read the node
            // just before would.
            let remover = sim.remover(metrics: metrics) { cluster in
                LandingPod(base: cluster, store: sim.store, node: target, pod: "late-arrival")
            }

            let results = await remover.remove([removal])

            let outcome = try #require(results.first?.outcome)
            guard case .abandoned(let reason) = outcome else {
                Issue.record("expected abandoned, got \(outcome)")
                return
            }
            #expect(reason.contains("default/late-arrival"))
            #expect(sim.ourWrites().filter { $0.resource == "nodes" && $0.verb == "patch" }.count == 2, "taint, then untaint")
            #expect(!sim.isTainted(target))
            #expect(sim.cloud.instance(nodeName: target) != nil)
            #expect(sim.cloud.nodeGroup("general")?.desiredCapacity == 3)
            #expect(!sim.events(reason: "ScaleDownAbandoned", node: target).isEmpty)
            let abandoned = try metrics.expectCounter(
                "mend_autoscaler_scale_downs_total", [("group", "general"), ("result", "abandoned")])
            #expect(abandoned.totalValue == 1)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func podOnAnEmptyNodeBeforeTheTaintAbandonsWithoutAnyNodeWrite() async throws {
        try await RemoverSim.with(Self.cluster()) { sim in
            let target = try #require(sim.cloud.instances(group: "general").first?.nodeName)
            let removal = try sim.removal(of: target, kind: .empty)
            try LandingPod.bind("early-arrival", to: target, in: sim.store)

            let results = await sim.remover().remove([removal])

            guard case .abandoned(let reason) = try #require(results.first?.outcome) else {
                Issue.record("expected abandoned, got \(results)")
                return
            }
            #expect(reason.contains("default/early-arrival"))
            #expect(sim.ourWrites().filter { $0.resource == "nodes" }.isEmpty)
            #expect(sim.cloud.instance(nodeName: target) != nil)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func drainThatOutlivesItsTimeoutIsAbandonedUntaintedAndNamesTheBudget() async throws {
        let scenario = Self.cluster(workload: """
            workloads:
              - {name: web, namespace: shop, replicas: 2, requests: {cpu: 200m}, pdb: {minAvailable: 2}}
            """)
        try await RemoverSim.with(scenario) { sim in
            let target = try #require(sim.busiestNode(namespace: "shop"))
            let removal = try sim.removal(of: target, kind: .underutilized(0.1))
            var settings = RemoverSim.fast
            settings.drainTimeout = .seconds(2)

            let results = await sim.remover(settings: settings).remove([removal])

            guard case .abandoned(let reason) = try #require(results.first?.outcome) else {
                Issue.record("expected abandoned, got \(results)")
                return
            }
            #expect(reason.contains("did not finish within 2 s"), "\(reason)")
            #expect(reason.contains("PodDisruptionBudget web"), "\(reason)")
            #expect(!sim.isTainted(target))
            #expect(sim.cloud.instance(nodeName: target) != nil)
            #expect(sim.cloud.nodeGroup("general")?.desiredCapacity == 3)
            #expect(sim.pods(onNode: target, namespace: "shop").count == removal.podsToEvict.count)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func nodeLeftTaintedByACrashIsPlannedAsResumedAndFinished() async throws {
        try await RemoverSim.with(Self.cluster(workload: Self.web)) { sim in
            let target = try #require(sim.busiestNode(namespace: "shop"))
            // What a run that crashed after tainting left behind.
            let node = try #require(sim.node(target))
            let patch = try #require(try DeletionTaint.adding(to: node, at: Date().addingTimeInterval(-300)))
            _ = try await sim.client.patch(Node.self, name: target, patch: .merge(patch))

            let nodes = try await sim.client.listAll(Node.self, namespace: nil).items
            let pods = try await sim.client.listAll(Pod.self, namespace: nil).items.map { PodSummary($0) }
            let budgets = try await sim.client.listAll(PodDisruptionBudget.self, namespace: nil).items
            let groups = try await sim.provider.nodeGroups()
            let plan = ScaleDownPlanner().plan(
                ClusterSnapshot(nodes: nodes, pods: pods, podDisruptionBudgets: budgets, groups: groups), now: Date())
            let removal = try #require(plan.removals.first { $0.node == target })
            #expect(removal.kind == .resumed)

            let results = await sim.remover().remove([removal])

            #expect(results.map(\.outcome) == [.removed])
            #expect(sim.ourWrites().filter { $0.resource == "nodes" && $0.verb == "patch" }.count == 1, "no second taint")
            #expect(sim.cloud.instance(nodeName: target) == nil)
            #expect(sim.cloud.nodeGroup("general")?.desiredCapacity == 2)
            #expect(await eventually { sim.node(target) == nil })
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func resumedRemovalWhoseInstanceIsAlreadyGoneCountsAsRemoved() async throws {
        try await RemoverSim.with(Self.cluster()) { sim in
            let target = try #require(sim.cloud.instances(group: "general").first?.nodeName)
            let removal = try sim.removal(of: target, kind: .resumed)
            // The crashed run had already terminated the instance.
            try sim.cloud.terminateInstance(removal.instanceID, decrementDesiredCapacity: true)

            let results = await sim.remover().remove([removal])

            #expect(results.map(\.outcome) == [.removed])
            #expect(sim.cloud.nodeGroup("general")?.desiredCapacity == 2, "not decremented twice")
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func dryRunWritesNothingAndLogsEveryWriteItWouldMake() async throws {
        try await RemoverSim.with(Self.cluster(workload: Self.web)) { sim in
            let target = try #require(sim.busiestNode(namespace: "shop"))
            let removal = try sim.removal(of: target, kind: .underutilized(0.2))
            let logs = LogRecorder()

            let results = await sim.remover(dryRun: true, logs: logs).remove([removal])

            #expect(results.map(\.outcome) == [.removed])
            #expect(sim.ourWrites().isEmpty, "\(sim.ourWrites())")
            #expect(!sim.isTainted(target))
            #expect(sim.cloud.instance(nodeName: target) != nil)
            #expect(sim.cloud.nodeGroup("general")?.desiredCapacity == 3)
            #expect(sim.pods(onNode: target, namespace: "shop").count == removal.podsToEvict.count)
            let wouldWrite = logs.lines.filter { $0.message == "dry-run: would write" }
            let verbs = wouldWrite.map { $0.metadata["verb"] ?? "" }
            #expect(verbs.filter { $0 == "patch_node" }.count == 1)
            #expect(verbs.filter { $0 == "evict_pod" }.count == removal.podsToEvict.count)
            #expect(verbs.contains("create_event"))
            let terminate = try #require(wouldWrite.first { $0.metadata["verb"] == "terminate_instance" })
            #expect(terminate.metadata["object"] == "asg/general/instance/\(removal.instanceID)")
            #expect(terminate.metadata["change"]?.contains("decrementDesiredCapacity=true") == true)
            let taint = try #require(wouldWrite.first { $0.metadata["verb"] == "patch_node" })
            #expect(taint.metadata["change"]?.contains(Self.deletionTaint) == true)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func terminationBelowTheGroupMinimumIsReportedAndTheNodeUntainted() async throws {
        try await RemoverSim.with(Self.cluster(count: 2, min: 2)) { sim in
            let target = try #require(sim.cloud.instances(group: "general").first?.nodeName)
            let removal = try sim.removal(of: target, kind: .empty)
            let metrics = TestMetrics()

            let results = await sim.remover(metrics: metrics).remove([removal])

            guard case .failed(let reason) = try #require(results.first?.outcome) else {
                Issue.record("expected failed, got \(results)")
                return
            }
            #expect(reason.contains("minimum size (2)"), "\(reason)")
            #expect(reason.contains("untainted"), "\(reason)")
            #expect(!sim.isTainted(target))
            #expect(sim.cloud.instance(nodeName: target) != nil)
            #expect(sim.cloud.nodeGroup("general")?.desiredCapacity == 2)
            #expect(!sim.events(reason: "ScaleDownFailed", node: target).isEmpty)
            let failed = try metrics.expectCounter(
                "mend_autoscaler_scale_downs_total", [("group", "general"), ("result", "failed")])
            #expect(failed.totalValue == 1)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func removalNamingAnInstanceOutsideItsGroupIsReportedAndChangesNothing() async throws {
        try await RemoverSim.with(Self.cluster()) { sim in
            let target = try #require(sim.cloud.instances(group: "general").first?.nodeName)
            var removal = try sim.removal(of: target, kind: .empty)
            removal.instanceID = "i-0000000000000dead"

            let results = await sim.remover().remove([removal])

            guard case .abandoned(let reason) = try #require(results.first?.outcome) else {
                Issue.record("expected abandoned, got \(results)")
                return
            }
            #expect(reason.contains("i-0000000000000dead is not in node group general"), "\(reason)")
            #expect(sim.ourWrites().filter { $0.resource == "nodes" }.isEmpty)
            #expect(!sim.isTainted(target))
            #expect(sim.cloud.instances(group: "general").count == 3)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func nodeAnnotatedScaleDownDisabledIsLeftAlone() async throws {
        try await RemoverSim.with(Self.cluster()) { sim in
            let target = try #require(sim.cloud.instances(group: "general").first?.nodeName)
            let removal = try sim.removal(of: target, kind: .empty)
            let annotations: [String: JSONValue] = [NodeAnnotations.scaleDownDisabled: "true"]
            _ = try await sim.client.patch(
                Node.self, name: target, patch: .merge(["metadata": ["annotations": .object(annotations)]]))

            let results = await sim.remover().remove([removal])

            guard case .abandoned(let reason) = try #require(results.first?.outcome) else {
                Issue.record("expected abandoned, got \(results)")
                return
            }
            #expect(reason.contains(NodeAnnotations.scaleDownDisabled))
            #expect(sim.ourWrites().filter { $0.resource == "nodes" && $0.verb == "patch" }.count == 1, "only the annotation")
            #expect(sim.cloud.instance(nodeName: target) != nil)
        }
    }
}

/// Records the deletion taint's value each time a node is seen carrying it.
final class TaintWatch: Sendable {
    private final class Seen: Sendable {
        let values = Mutex<[String: [String]]>([:])
    }

    private let seen: Seen
    private let task: Task<Void, Never>

    init(_ sim: RemoverSim) throws {
        let stream = try sim.store.watch(sim.store.resource("nodes")!, start: .after(sim.store.currentRevision))
        let seen = Seen()
        self.seen = seen
        task = Task {
            do {
                for try await notification in stream {
                    guard let node = try? notification.object.decode(as: Node.self), let name = node.metadata.name,
                        let taint = node.spec.taints?.first(where: { $0.key == NodeTaints.toBeDeletedByClusterAutoscaler })
                    else { continue }
                    seen.values.withLock { $0[name, default: []].append(taint.value ?? "") }
                }
            } catch {}
        }
    }

    func values(for node: String) -> [String] { seen.values.withLock { $0[node] ?? [] } }

    func stop() { task.cancel() }
}

/// A cluster seam that binds a pod to the node right after the first node patch (the taint).
final class LandingPod: DrainerCluster {
    let base: any DrainerCluster
    let store: ClusterStore
    let node: String
    let pod: String
    private let landed = Mutex(false)

    init(base: any DrainerCluster, store: ClusterStore, node: String, pod: String) {
        self.base = base
        self.store = store
        self.node = node
        self.pod = pod
    }

    static func bind(_ pod: String, to node: String, in store: ClusterStore) throws {
        let value: JSONValue = [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": .string(pod), "namespace": "default"],
            "spec": ["nodeName": .string(node), "containers": [["name": "main", "image": "registry.k8s.io/pause:3.10"]]],
        ]
        _ = try store.create(store.resource("pods")!, namespace: "default", object: value)
    }

    func node(named name: String) async throws -> Node? { try await base.node(named: name) }
    func patchNode(named name: String, patch: JSONValue) async throws {
        try await base.patchNode(named: name, patch: patch)
        if name == node, landed.withLock({ done in defer { done = true }; return !done }) {
            try Self.bind(pod, to: node, in: store)
        }
    }
    func patchNodeStatus(named name: String, patch: JSONValue) async throws {
        try await base.patchNodeStatus(named: name, patch: patch)
    }
    func pods(onNode node: String) async throws -> [Pod] { try await base.pods(onNode: node) }
    func evict(_ pod: Pod, gracePeriodSeconds: Int64?) async throws -> EvictionOutcome {
        try await base.evict(pod, gracePeriodSeconds: gracePeriodSeconds)
    }
    func delete(_ pod: Pod, gracePeriodSeconds: Int64?) async throws {
        try await base.delete(pod, gracePeriodSeconds: gracePeriodSeconds)
    }
    func disruptionBudgets(namespace: String) async throws -> [PodDisruptionBudget] {
        try await base.disruptionBudgets(namespace: namespace)
    }
}
