import Foundation
import KubeModels
import Testing

@testable import Scheduling

@Suite("Resource and pod-count predicates")
struct ResourcePredicateTests {
    @Test func podFitsWhenEveryRequestedResourceIsFree() {
        var state = NodeState(node: node(cpu: 1000, memory: 1 << 30))
        state.add(pod("a", cpu: 600, memory: 512 << 20))
        #expect(state.fits(pod("b", cpu: 400, memory: 512 << 20)))
        #expect(state.failures(pod("b", cpu: 401)) == [.insufficient(resource: "cpu")])
        #expect(
            state.failures(pod("b", cpu: 500, memory: 600 << 20))
                == [.insufficient(resource: "cpu"), .insufficient(resource: "memory")])
    }

    @Test func tooManyPodsWhenAllocatablePodsAreUsed() {
        let state = NodeState(node: node(pods: 2), pods: [pod("a", cpu: 0, memory: 0), pod("b", cpu: 0, memory: 0)])
        #expect(state.failures(pod("c", cpu: 0, memory: 0)) == [.tooManyPods])
        #expect(SchedulingFailure.tooManyPods.description == "Too many pods")
    }

    @Test func zeroRequestPodsFitOverCommittedNodes() {
        let state = NodeState(node: node(cpu: 1000), pods: [pod("a", cpu: 1500)])
        #expect(state.free.milliCPU == -500)
        #expect(state.fits(pod("b", cpu: 0)))
        #expect(!state.fits(pod("c", cpu: 1)))
    }

    @Test func extendedResourcesAreChecked() {
        let gpuNode = node(scalars: [ScalarResource(name: "nvidia.com/gpu", amount: 1)])
        var state = NodeState(node: gpuNode)
        let gpuPod = pod("g", scalars: [ScalarResource(name: "nvidia.com/gpu", amount: 1)])
        #expect(state.fits(gpuPod))
        state.add(gpuPod)
        #expect(
            state.failures(pod("h", scalars: [ScalarResource(name: "nvidia.com/gpu", amount: 1)]))
                == [.insufficient(resource: "nvidia.com/gpu")])
        #expect(NodeState(node: node()).failures(gpuPod) == [.insufficient(resource: "nvidia.com/gpu")])
    }

    @Test func removingAPodFreesItsResourcesAndPorts() {
        let a = pod("a", cpu: 1000, hostPorts: [HostPort(port: 80)])
        var state = NodeState(node: node(cpu: 1000), pods: [a])
        #expect(!state.fits(pod("b", cpu: 1000)))
        let removed = state.remove(a)
        let removedAgain = state.remove(a)
        #expect(removed && !removedAgain)
        #expect(state.requested.isZero && state.podCount == 0 && state.usedHostPorts.isEmpty)
        #expect(state.fits(pod("b", cpu: 1000, hostPorts: [HostPort(port: 80)])))
    }
}

@Suite("Node predicates")
struct NodePredicateTests {
    @Test func cordonedNodesRejectPodsUnlessTolerated() {
        let cordoned = NodeState(node: node(unschedulable: true))
        #expect(cordoned.failures(pod()) == [.unschedulable])
        let tolerant = pod(tolerations: [
            Toleration(key: "node.kubernetes.io/unschedulable", operator: .exists, effect: .noSchedule)
        ])
        #expect(cordoned.fits(tolerant))
        #expect(cordoned.fits(pod(tolerations: [Toleration(operator: .exists)])))
        #expect(
            !cordoned.fits(
                pod(tolerations: [
                    Toleration(key: "node.kubernetes.io/unschedulable", operator: .exists, effect: .noExecute)
                ])))
    }

    @Test func blockingTaintsNeedTolerationsAndPreferNoScheduleDoesNot() {
        let tainted = NodeState(
            node: node(taints: [
                Taint(key: "soft", effect: .preferNoSchedule),
                Taint(key: "dedicated", value: "gpu", effect: .noSchedule),
                Taint(key: "evict", effect: .noExecute),
            ]))
        #expect(tainted.failures(pod()) == [.untoleratedTaint(key: "dedicated", value: "gpu")])
        #expect(
            SchedulingFailure.untoleratedTaint(key: "dedicated", value: "gpu").description
                == "node(s) had untolerated taint {dedicated: gpu}")
        let partly = pod(tolerations: [
            Toleration(key: "dedicated", operator: .equal, value: "gpu", effect: .noSchedule)
        ])
        #expect(tainted.failures(partly) == [.untoleratedTaint(key: "evict", value: "")])
        let fully = pod(tolerations: [
            Toleration(key: "dedicated", value: "gpu"), Toleration(key: "evict", operator: .exists, effect: .noExecute),
        ])
        #expect(tainted.fits(fully))
        #expect(tainted.fits(pod(tolerations: [Toleration(operator: .exists)])))
        #expect(!tainted.fits(pod(tolerations: [Toleration(key: "dedicated", value: "cpu")])))
    }

    @Test func nodeSelectorNeedsEveryLabel() {
        let n = NodeState(node: node(labels: ["zone": "a", "disk": "ssd"]))
        #expect(n.fits(pod(nodeSelector: ["zone": "a", "disk": "ssd"])))
        #expect(n.failures(pod(nodeSelector: ["zone": "b"])) == [.nodeAffinityMismatch])
        #expect(
            SchedulingFailure.nodeAffinityMismatch.description == "node(s) didn't match Pod's node affinity/selector")
    }

    @Test(
        "required node affinity operators",
        arguments: [
            (NodeSelectorOperator.in, ["a", "b"], true), (.in, ["c"], false), (.notIn, ["c"], true),
            (.notIn, ["a"], false),
            (.exists, [], true), (.doesNotExist, [], false),
        ] as [(NodeSelectorOperator, [String], Bool)])
    func nodeAffinityOperators(op: NodeSelectorOperator, values: [String], fits: Bool) {
        let n = NodeState(node: node(labels: ["zone": "a"]))
        #expect(
            n.fits(pod(affinity: affinity(NodeSelectorRequirement(key: "zone", operator: op, values: values)))) == fits)
    }

    @Test func missingLabelsFollowKubernetesSemantics() {
        let n = NodeState(node: node(labels: [:]))
        #expect(n.fits(pod(affinity: affinity(NodeSelectorRequirement(key: "zone", operator: .notIn, values: ["a"])))))
        #expect(n.fits(pod(affinity: affinity(NodeSelectorRequirement(key: "zone", operator: .doesNotExist)))))
        #expect(!n.fits(pod(affinity: affinity(NodeSelectorRequirement(key: "zone", operator: .in, values: ["a"])))))
        #expect(!n.fits(pod(affinity: affinity(NodeSelectorRequirement(key: "cores", operator: .gt, values: ["1"])))))
    }

    @Test func gtAndLtCompareIntegers() {
        let n = NodeState(node: node(labels: ["cores": "8", "name": "x"]))
        #expect(n.fits(pod(affinity: affinity(NodeSelectorRequirement(key: "cores", operator: .gt, values: ["4"])))))
        #expect(!n.fits(pod(affinity: affinity(NodeSelectorRequirement(key: "cores", operator: .gt, values: ["8"])))))
        #expect(n.fits(pod(affinity: affinity(NodeSelectorRequirement(key: "cores", operator: .lt, values: ["9"])))))
        #expect(!n.fits(pod(affinity: affinity(NodeSelectorRequirement(key: "name", operator: .lt, values: ["9"])))))
        #expect(
            !n.fits(pod(affinity: affinity(NodeSelectorRequirement(key: "cores", operator: .gt, values: ["1", "2"])))))
    }

    @Test func termsAreOredAndEmptyTermsMatchNothing() {
        let n = NodeState(node: node(labels: ["zone": "a"]))
        let two = NodeSelector(nodeSelectorTerms: [
            NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "zone", operator: .in, values: ["b"])]),
            NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "zone", operator: .in, values: ["a"])]),
        ])
        #expect(n.fits(pod(affinity: two)))
        #expect(!n.fits(pod(affinity: NodeSelector(nodeSelectorTerms: [NodeSelectorTerm()]))))
        #expect(!n.fits(pod(affinity: NodeSelector(nodeSelectorTerms: []))))
    }

    @Test func matchFieldsSelectByNodeName() {
        let n = NodeState(node: node("node-7"))
        let byName = NodeSelector(nodeSelectorTerms: [
            NodeSelectorTerm(matchFields: [
                NodeSelectorRequirement(key: "metadata.name", operator: .in, values: ["node-7"])
            ])
        ])
        #expect(n.fits(pod(affinity: byName)))
        let other = NodeSelector(nodeSelectorTerms: [
            NodeSelectorTerm(matchFields: [
                NodeSelectorRequirement(key: "metadata.name", operator: .in, values: ["node-8"])
            ])
        ])
        #expect(n.failures(pod(affinity: other)) == [.nodeAffinityMismatch])
        let unsupported = NodeSelector(nodeSelectorTerms: [
            NodeSelectorTerm(matchFields: [
                NodeSelectorRequirement(key: "metadata.uid", operator: .in, values: ["node-7"])
            ])
        ])
        #expect(!n.fits(pod(affinity: unsupported)))
    }

    @Test func nodeNamePinsThePod() {
        #expect(NodeState(node: node("a")).failures(pod(nodeName: "b")) == [.nodeNameMismatch])
        #expect(NodeState(node: node("a")).fits(pod(nodeName: "a")))
    }
}

@Suite("Host port and anti-affinity predicates")
struct InterPodPredicateTests {
    @Test(
        "host ports conflict by protocol, port and IP with 0.0.0.0 as wildcard",
        arguments: [
            (HostPort(port: 80), HostPort(port: 80), true),
            (HostPort(port: 80), HostPort(port: 81), false),
            (HostPort(port: 53, protocol: "UDP"), HostPort(port: 53, protocol: "TCP"), false),
            (HostPort(port: 80, hostIP: "10.0.0.1"), HostPort(port: 80, hostIP: "10.0.0.2"), false),
            (HostPort(port: 80, hostIP: "10.0.0.1"), HostPort(port: 80), true),
            (HostPort(port: 80), HostPort(port: 80, hostIP: "10.0.0.1"), true),
            (HostPort(port: 80, hostIP: "10.0.0.1"), HostPort(port: 80, hostIP: "10.0.0.1"), true),
        ])
    func hostPorts(used: HostPort, wanted: HostPort, conflicts: Bool) {
        let state = NodeState(node: node(), pods: [pod("a", hostPorts: [used])])
        #expect(state.failures(pod("b", hostPorts: [wanted])) == (conflicts ? [.hostPortsUnavailable] : []))
    }

    @Test func incomingPodAntiAffinityRejectsNodesWithMatchingPods() {
        let state = NodeState(node: node(), pods: [pod("web-1", labels: ["app": "web"])])
        let newcomer = pod("web-2", labels: ["app": "web"], antiAffinity: [antiAffinity(["app": "web"])])
        #expect(state.failures(newcomer) == [.podAntiAffinity])
        #expect(SchedulingFailure.podAntiAffinity.description == "node(s) didn't match pod anti-affinity rules")
        #expect(NodeState(node: node(), pods: [pod("db", labels: ["app": "db"])]).fits(newcomer))
        // The term covers only its namespaces.
        let elsewhere = NodeState(node: node(), pods: [pod("web-x", namespace: "other", labels: ["app": "web"])])
        #expect(elsewhere.fits(newcomer))
        let everywhere = pod(
            "web-3",
            antiAffinity: [
                AffinityTerm(
                    selector: LabelSelector(matchLabels: ["app": "web"]), namespaces: [], matchesAllNamespaces: true)
            ])
        #expect(!elsewhere.fits(everywhere))
    }

    @Test func existingPodsAntiAffinityRejectsMatchingNewcomers() {
        let loner = pod("loner", labels: ["app": "loner"], antiAffinity: [antiAffinity(["app": "web"])])
        let state = NodeState(node: node(), pods: [loner])
        #expect(state.failures(pod("web-1", labels: ["app": "web"])) == [.existingPodsAntiAffinity])
        #expect(
            SchedulingFailure.existingPodsAntiAffinity.description
                == "node(s) didn't satisfy existing pods anti-affinity rules")
        #expect(state.fits(pod("db-1", labels: ["app": "db"])))
    }

    @Test func nilLabelSelectorInATermMatchesNoPod() {
        let term = AffinityTerm(selector: nil, namespaces: ["default"])
        let state = NodeState(node: node(), pods: [pod("a", labels: ["app": "web"])])
        #expect(state.fits(pod("b", antiAffinity: [term])))
    }

    @Test func podTermsCompileNamespacesAndTopology() throws {
        let json = """
            {"metadata":{"name":"w","namespace":"shop","labels":{"app":"web"}},
             "spec":{"containers":[{"name":"c","resources":{"requests":{"cpu":"100m"}}}],
              "affinity":{"podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[
                {"labelSelector":{"matchLabels":{"app":"web"}},"topologyKey":"kubernetes.io/hostname"},
                {"labelSelector":{"matchLabels":{"app":"web"}},"topologyKey":"topology.kubernetes.io/zone"},
                {"labelSelector":{"matchLabels":{"app":"cache"}},"topologyKey":"kubernetes.io/hostname",
                 "namespaceSelector":{"matchLabels":{"team":"shop"}}}]},
               "podAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[
                {"labelSelector":{"matchLabels":{"app":"db"}},"topologyKey":"kubernetes.io/hostname"}]}}}}
            """
        let data = Data(json.utf8)
        let labels: [String: [String: String]] = ["shop": ["team": "shop"], "shop-cache": ["team": "shop"], "ops": [:]]
        let full = SchedulingPod(
            try JSONDecoder().decode(Pod.self, from: data), namespaceLabels: { labels[$0] },
            allNamespaces: ["shop", "shop-cache", "ops"])
        let slim = SchedulingPod(
            try JSONDecoder().decode(PodSummary.self, from: data), namespaceLabels: { labels[$0] },
            allNamespaces: ["shop", "shop-cache", "ops"])
        #expect(full == slim)
        #expect(full.antiAffinityTerms.count == 2)
        #expect(full.antiAffinityTerms[0].namespaces == ["shop"])
        #expect(full.antiAffinityTerms[1].namespaces == ["shop", "shop-cache"])
        #expect(
            full.unsupportedConstraints == [
                "required pod affinity", "required pod anti-affinity with topologyKey topology.kubernetes.io/zone",
            ])
        #expect(full.requests.milliCPU == 100)
    }
}

@Suite("Scheduler order and FailedScheduling message")
struct FailedSchedulingTests {
    @Test func theFirstFailingPluginDecidesTheReasons() {
        // Cordoned, tainted, and full: the scheduler reports only "unschedulable".
        let state = NodeState(node: node(cpu: 0, unschedulable: true, taints: [Taint(key: "x", effect: .noSchedule)]))
        #expect(state.failures(pod()) == [.unschedulable])
        let tainted = NodeState(
            node: node(cpu: 0, labels: ["zone": "b"], taints: [Taint(key: "x", effect: .noSchedule)]))
        #expect(tainted.failures(pod(nodeSelector: ["zone": "a"])) == [.untoleratedTaint(key: "x", value: "")])
    }

    @Test func messageMatchesTheScheduler() {
        let message = FailedScheduling.message(
            totalNodes: 3, nodeFailures: [[.insufficient(resource: "cpu")], [.unschedulable], [.unschedulable]])
        #expect(message == "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) were unschedulable.")
    }

    @Test func messageCountsEveryReasonAndSortsAsStrings() {
        var failures: [[SchedulingFailure]] = Array(repeating: [.insufficient(resource: "memory")], count: 10)
        failures.append(
            contentsOf: Array(repeating: [.insufficient(resource: "cpu"), .insufficient(resource: "memory")], count: 2))
        failures.append([.untoleratedTaint(key: "node-role.kubernetes.io/control-plane", value: "")])
        let message = FailedScheduling.message(
            totalNodes: 13, nodeFailures: failures,
            postFilterMessage: "preemption: 0/13 nodes are available: 13 Preemption is not helpful for scheduling")
        #expect(
            message
                == "0/13 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
                + "12 Insufficient memory, 2 Insufficient cpu. "
                + "preemption: 0/13 nodes are available: 13 Preemption is not helpful for scheduling.")
        #expect(FailedScheduling.message(totalNodes: 0, nodeFailures: []) == "no nodes available to schedule pods")
    }

    @Test func diagnosisListsFeasibleNodesAndExplainsFailures() {
        let nodes = [
            NodeState(node: node("a", cpu: 100)),
            NodeState(node: node("b", unschedulable: true)),
            NodeState(node: node("c", cpu: 100)),
        ]
        let big = SchedulingDiagnosis(pod: pod(cpu: 500), nodes: nodes)
        #expect(!big.isSchedulable)
        #expect(big.message == "0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu.")
        let small = SchedulingDiagnosis(pod: pod(cpu: 50), nodes: nodes)
        #expect(small.feasibleNodes == [0, 2])
    }

    @Test func firstFitPlacementAccumulatesExactly() {
        var nodes = (0..<30).map { NodeState(node: node("n\($0)", cpu: 2000, memory: 4 << 30, pods: 20)) }
        var placed = 0
        for i in 0..<1000 {
            let p = pod("p\(i)", cpu: 250, memory: 256 << 20)
            if let index = nodes.firstIndex(where: { $0.fits(p) }) {
                nodes[index].add(p)
                placed += 1
            }
        }
        // 2000m / 250m = 8 pods per node by CPU, 30 nodes.
        #expect(placed == 240)
        #expect(nodes.allSatisfy { $0.requested.milliCPU == 2000 && $0.podCount == 8 })
    }

    @Test func nodeViewFromTheModelKeepsOnlyBlockingTaints() throws {
        let json = """
            {"metadata":{"name":"n1","labels":{"zone":"a"}},
             "spec":{"unschedulable":true,"taints":[{"key":"a","effect":"PreferNoSchedule"},{"key":"b","value":"1","effect":"NoExecute"}]},
             "status":{"allocatable":{"cpu":"1930m","memory":"7220184Ki","pods":"29","nvidia.com/gpu":"1"}}}
            """
        let view = SchedulingNode(try JSONDecoder().decode(Node.self, from: Data(json.utf8)))
        #expect(view.blockingTaints == [Taint(key: "b", value: "1", effect: .noExecute)])
        #expect(view.unschedulable)
        #expect(view.allocatable.milliCPU == 1930 && view.allocatable.memory == 7_220_184 * 1024)
        #expect(view.allocatable.pods == 29 && view.allocatable[scalar: "nvidia.com/gpu"] == 1)
    }
}

@Suite("Scoring")
struct ScoringTests {
    @Test func leastAllocatedPrefersTheEmptierNode() {
        let busy = NodeState(
            node: node("busy", cpu: 4000, memory: 8 << 30), pods: [pod("a", cpu: 3000, memory: 6 << 30)])
        let idle = NodeState(node: node("idle", cpu: 4000, memory: 8 << 30))
        let newcomer = pod("b", cpu: 500, memory: 1 << 30)
        // idle: cpu (4000-500)/4000 = 87, memory 7/8 = 87 → 87; busy: cpu 12, memory 12 → 12.
        #expect(Scoring.leastAllocated(newcomer, idle) == 87)
        #expect(Scoring.leastAllocated(newcomer, busy) == 12)
        #expect(Scoring.bestNode(for: newcomer, in: [busy, idle]) == 1)
        #expect(Scoring.bestNode(for: pod("huge", cpu: 9000), in: [busy, idle]) == nil)
    }

    @Test func podsWithoutRequestsCountTheSchedulerDefaults() {
        let n = NodeState(node: node(cpu: 1000, memory: 1000 << 20))
        // cpu: 900/1000 = 90; memory: 800/1000 = 80 → 85.
        #expect(Scoring.leastAllocated(pod(cpu: 0, memory: 0), n) == 85)
    }
}

@Suite("Scheduling shapes")
struct SchedulingShapeTests {
    @Test func podsDifferingOnlyByNameShareAShape() {
        let a = pod("web-1", labels: ["app": "web"], tolerations: [Toleration(operator: .exists)])
        let b = pod("web-2", labels: ["app": "web"], tolerations: [Toleration(operator: .exists)])
        #expect(a.shape == b.shape)
        #expect(Set([a.shape, b.shape]).count == 1)
        #expect(a.shape != pod("web-3", cpu: 200, labels: ["app": "web"]).shape)
        #expect(a.shape != pod("web-4", labels: ["app": "api"], tolerations: [Toleration(operator: .exists)]).shape)
    }
}
