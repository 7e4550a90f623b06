#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import KubeModels
import MendTime
import Scheduling

/// Why a node stays.
public enum ScaleDownBlock: Sendable, Hashable, CustomStringConvertible {
    case notInManagedGroup
    case scaleDownDisabled
    case groupAtMinimum(group: String, min: Int)
    case utilizationAboveThreshold(utilization: Double, threshold: Double)
    case unneededForTooShort(since: Date, needed: Duration)
    case recentScaleUp(until: Date)
    case podNotSafeToEvict(pod: String)
    case podNotReplicated(pod: String)
    case podWithLocalStorage(pod: String)
    case kubeSystemPodWithoutPDB(pod: String)
    case podDisruptionBudget(pod: String, budget: String)
    case podFitsNowhereElse(pod: String, reason: String)
    case removalLimitReached
    case notReady

    public var description: String {
        switch self {
        case .notInManagedGroup: "not in a managed node group"
        case .scaleDownDisabled: "annotated \(NodeAnnotations.scaleDownDisabled)=true"
        case .groupAtMinimum(let group, let min): "node group \(group) is at its minimum size \(min)"
        case .utilizationAboveThreshold(let u, let t):
            "utilization \(Int((u * 100).rounded())) % is not below the threshold \(Int((t * 100).rounded())) %"
        case .unneededForTooShort(let since, let needed):
            "unneeded since \(KubeTime(since)), not yet for \(Int(needed.seconds)) s"
        case .recentScaleUp(let until): "scale-down waits after a scale-up, until \(KubeTime(until))"
        case .podNotSafeToEvict(let pod): "pod \(pod) is annotated cluster-autoscaler.kubernetes.io/safe-to-evict=false"
        case .podNotReplicated(let pod): "pod \(pod) has no controller to recreate it"
        case .podWithLocalStorage(let pod): "pod \(pod) uses local storage (emptyDir)"
        case .kubeSystemPodWithoutPDB(let pod): "kube-system pod \(pod) has no PodDisruptionBudget"
        case .podDisruptionBudget(let pod, let budget): "PodDisruptionBudget \(budget) allows no disruption of pod \(pod)"
        case .podFitsNowhereElse(let pod, let reason): "pod \(pod) fits on no other node: \(reason)"
        case .removalLimitReached: "enough nodes are being removed in this decision"
        case .notReady: "node is not ready (left to the node lifecycle)"
        }
    }
}

/// One node to remove.
public struct NodeRemoval: Sendable, Hashable {
    /// Why the node goes.
    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        /// Already tainted `ToBeDeletedByClusterAutoscaler` by an earlier decision: finish it.
        case resumed
        /// Drained by mend-drainer.
        case drained
        /// No pods to move.
        case empty
        /// Its pods fit elsewhere.
        case underutilized(Double)

        public var description: String {
            switch self {
            case .resumed: "removal in progress (resumed)"
            case .drained: "drained by mend-drainer"
            case .empty: "empty"
            case .underutilized(let u): "underutilized (\(Int((u * 100).rounded())) %)"
            }
        }
    }

    public var node: String
    public var group: String
    public var instanceID: String
    public var kind: Kind
    /// The pods to evict before terminating (`namespace/name`).
    public var podsToEvict: [String]
}

/// What scale-down would do now.
public struct ScaleDownPlan: Sendable {
    public var removals: [NodeRemoval] = []
    /// Nodes considered and kept, with the reason.
    public var blocked: [String: ScaleDownBlock] = [:]
    /// When each currently unneeded node became unneeded (the caller keeps this for next time).
    public var unneededSince: [String: Date] = [:]
    /// Set when the whole scale-down is stopped.
    public var halted: String?
}

/// Decides which nodes to remove: pure logic over a snapshot, no I/O.
public struct ScaleDownPlanner: Sendable {
    public var settings: ScaleDownSettings
    public var health: ClusterHealth

    /// A planner.
    public init(settings: ScaleDownSettings = ScaleDownSettings(), health: ClusterHealth = ClusterHealth()) {
        self.settings = settings
        self.health = health
    }

    /// The removals to make now.
    ///
    /// - Parameters:
    ///   - unneededSince: what the previous decision returned (nodes unneeded and since when).
    ///   - lastScaleUp: when the last scale-up was requested, if any.
    public func plan(
        _ snapshot: ClusterSnapshot, unneededSince previous: [String: Date] = [:], lastScaleUp: Date? = nil, now: Date
    ) -> ScaleDownPlan {
        var plan = ScaleDownPlan()
        if let halt = health.haltReason(nodes: snapshot.nodes, now: now) {
            plan.halted = halt
            plan.unneededSince = previous
            return plan
        }
        let membership = snapshot.membership
        let allPods = snapshot.pods
        // Pods by node, as indices into the snapshot (no copies of the summaries).
        var podsByNode: [String: [Int]] = [:]
        for (i, pod) in allPods.enumerated() where !pod.isTerminal {
            if let node = pod.nodeName, !node.isEmpty { podsByNode[node, default: []].append(i) }
        }
        let groupsByID = Dictionary(uniqueKeysWithValues: snapshot.groups.map { ($0.id, $0) })
        var removedFromGroup: [String: Int] = [:]
        var budgets: [Int: Int32] = [:]
        for (i, pdb) in snapshot.podDisruptionBudgets.enumerated() { budgets[i] = pdb.status.disruptionsAllowed ?? 0 }

        // Where pods could go: ready, schedulable nodes not being removed. Built on first need
        // (a decision that removes nothing busy never simulates).
        var destinations: [NodeState] = []
        var destinationIndex: [String: Int] = [:]
        var podViews: [Int: SchedulingPod] = [:]
        var removedDestination: [Bool] = []
        var destinationsBuilt = false
        /// Nodes this decision removes (they take no pods).
        var removedNodes = Set<String>()
        func buildDestinations() {
            destinationsBuilt = true
            for node in snapshot.nodes.sorted(by: { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") })
            where node.isReady && !node.isUnschedulable && !Self.isBeingDeleted(node) {
                let name = node.metadata.name ?? ""
                var placed: [SchedulingPod] = []
                for i in podsByNode[name] ?? [] {
                    let view = SchedulingPod(allPods[i])
                    podViews[i] = view
                    placed.append(view)
                }
                destinationIndex[name] = destinations.count
                destinations.append(NodeState(node: SchedulingNode(node), pods: placed))
            }
            removedDestination = Array(repeating: false, count: destinations.count)
            for name in removedNodes { if let d = destinationIndex[name] { removedDestination[d] = true } }
        }

        // Candidates in order: resumed removals, drained nodes, then the least utilized first.
        struct Candidate {
            var node: Node
            var name: String
            var group: String
            /// Indices into the snapshot's pods.
            var movable: [Int]
            var utilization: Double
            var drained: Bool
            var resumed: Bool
            var rank: Int { resumed ? 0 : drained ? 1 : movable.isEmpty ? 2 : 3 }
        }
        var candidates: [Candidate] = []
        for node in snapshot.nodes {
            let name = node.metadata.name ?? ""
            guard let group = membership.group(of: node) else { continue }
            let movable = (podsByNode[name] ?? []).filter { !allPods[$0].isDaemonSetPod && !allPods[$0].isMirrorPod }
            let allocatable = ResourceVector(node.status.allocatable ?? node.status.capacity ?? [:])
            var requestedCPU: Int64 = 0
            var requestedMemory: Int64 = 0
            for i in movable {
                requestedCPU += allPods[i].requests.milliCPU
                requestedMemory += allPods[i].requests.memory
            }
            let utilization = max(
                allocatable.milliCPU > 0 ? Double(requestedCPU) / Double(allocatable.milliCPU) : 0,
                allocatable.memory > 0 ? Double(requestedMemory) / Double(allocatable.memory) : 0)
            let drained = node.isUnschedulable && node.metadata.annotations?[DrainerContract.drained] != nil
            candidates.append(
                Candidate(
                    node: node, name: name, group: group, movable: movable, utilization: utilization, drained: drained,
                    resumed: Self.isBeingDeleted(node)))
        }
        candidates.sort {
            ($0.rank, $0.utilization, $0.name) < ($1.rank, $1.utilization, $1.name)
        }

        let scaleUpHold = lastScaleUp.map { $0.addingTimeInterval(settings.delayAfterScaleUp.seconds) }
        var emptyRemovals = 0
        var busyRemovals = 0
        for candidate in candidates {
            let name = candidate.name
            let instanceID = GroupMembership.instanceID(of: candidate.node) ?? ""
            if candidate.resumed {
                removedFromGroup[candidate.group, default: 0] += 1
                plan.removals.append(
                    NodeRemoval(
                        node: name, group: candidate.group, instanceID: instanceID, kind: .resumed,
                        podsToEvict: candidate.movable.map { allPods[$0].key }))
                continue
            }
            if candidate.node.metadata.annotations?[NodeAnnotations.scaleDownDisabled] == "true" {
                plan.blocked[name] = .scaleDownDisabled
                continue
            }
            if !candidate.drained {
                if !candidate.node.isReady {
                    plan.blocked[name] = .notReady
                    continue
                }
                if candidate.utilization >= settings.utilizationThreshold {
                    plan.blocked[name] = .utilizationAboveThreshold(
                        utilization: candidate.utilization, threshold: settings.utilizationThreshold)
                    continue
                }
                let since = previous[name] ?? now
                plan.unneededSince[name] = since
                if now.timeIntervalSince(since) < settings.unneededTime.seconds {
                    plan.blocked[name] = .unneededForTooShort(since: since, needed: settings.unneededTime)
                    continue
                }
                if let hold = scaleUpHold, hold > now {
                    plan.blocked[name] = .recentScaleUp(until: hold)
                    continue
                }
            }
            let group = groupsByID[candidate.group]!
            if group.desiredCapacity - (removedFromGroup[group.id] ?? 0) <= group.minSize {
                plan.blocked[name] = .groupAtMinimum(group: group.id, min: group.minSize)
                continue
            }
            let isEmpty = candidate.movable.isEmpty
            if (isEmpty || candidate.drained) ? emptyRemovals >= settings.maxEmptyBulk
                : busyRemovals >= settings.maxNonEmptyPerDecision
            {
                plan.blocked[name] = .removalLimitReached
                continue
            }
            if let block = movableBlock(
                candidate.movable.lazy.map { allPods[$0] }, budgets: &budgets, pdbs: snapshot.podDisruptionBudgets)
            {
                plan.blocked[name] = block
                continue
            }
            // Every pod must fit on the remaining nodes: place them (first fit, largest CPU
            // first) and take the placements back unless all fit.
            if !isEmpty && !destinationsBuilt { buildDestinations() }
            let ownIndex = destinationIndex[name]
            var trial: [(slot: Int, pod: SchedulingPod)] = []
            var homeless: (String, String)?
            let moving = candidate.movable.sorted { allPods[$0].requests.milliCPU > allPods[$1].requests.milliCPU }
            for i in moving {
                let view = (podViews[i] ?? SchedulingPod(allPods[i])).withNodeName(nil)
                var slot: Int?
                for d in destinations.indices
                where d != ownIndex && !removedDestination[d] && destinations[d].fits(view) {
                    slot = d
                    break
                }
                guard let slot else {
                    let reason =
                        destinations.indices.lazy.filter { $0 != ownIndex && !removedDestination[$0] }
                        .compactMap { destinations[$0].failures(view).first }
                        .first.map(\.description) ?? "no other schedulable node"
                    homeless = (allPods[i].key, reason)
                    break
                }
                destinations[slot].add(view)
                trial.append((slot, view))
            }
            if let (pod, reason) = homeless {
                for (slot, view) in trial.reversed() { destinations[slot].remove(view) }
                plan.blocked[name] = .podFitsNowhereElse(pod: pod, reason: reason)
                continue
            }
            // Commit: the node leaves the destinations; its pods now count where they went.
            if let ownIndex { removedDestination[ownIndex] = true }
            removedNodes.insert(name)
            for i in candidate.movable {
                Self.spend(allPods[i], budgets: &budgets, pdbs: snapshot.podDisruptionBudgets)
            }
            removedFromGroup[group.id, default: 0] += 1
            if isEmpty || candidate.drained { emptyRemovals += 1 } else { busyRemovals += 1 }
            let kind: NodeRemoval.Kind =
                candidate.drained ? .drained : isEmpty ? .empty : .underutilized(candidate.utilization)
            plan.removals.append(
                NodeRemoval(
                    node: name, group: group.id, instanceID: instanceID, kind: kind,
                    podsToEvict: candidate.movable.map { allPods[$0].key }))
        }
        return plan
    }

    /// The first pod that may not be moved, as a block; nil when every pod may go.
    private func movableBlock(
        _ pods: some Sequence<PodSummary>, budgets: inout [Int: Int32], pdbs: [PodDisruptionBudget]
    ) -> ScaleDownBlock? {
        var wanted: [Int: Int32] = [:]
        for pod in pods {
            let matching = pdbs.indices.filter { pdbs[$0].selects(namespace: pod.namespace, labels: pod.labels) }
            if pod.safeToEvict == false { return .podNotSafeToEvict(pod: pod.key) }
            if pod.safeToEvict != true {
                if pod.controllerKind == nil { return .podNotReplicated(pod: pod.key) }
                if settings.skipNodesWithLocalStorage && pod.usesLocalStorage { return .podWithLocalStorage(pod: pod.key) }
                if settings.skipNodesWithSystemPods && pod.namespace == "kube-system" && matching.isEmpty {
                    return .kubeSystemPodWithoutPDB(pod: pod.key)
                }
            }
            for i in matching {
                wanted[i, default: 0] += 1
                if wanted[i]! > budgets[i] ?? 0 {
                    let pdb = pdbs[i].metadata
                    return .podDisruptionBudget(pod: pod.key, budget: "\(pdb.namespace ?? "")/\(pdb.name ?? "")")
                }
            }
        }
        return nil
    }

    private static func spend(_ pod: PodSummary, budgets: inout [Int: Int32], pdbs: [PodDisruptionBudget]) {
        for i in pdbs.indices where pdbs[i].selects(namespace: pod.namespace, labels: pod.labels) {
            budgets[i, default: 0] -= 1
        }
    }

    /// Whether an earlier decision already tainted the node for deletion.
    public static func isBeingDeleted(_ node: Node) -> Bool {
        node.spec.taints?.contains { $0.key == NodeTaints.toBeDeletedByClusterAutoscaler } ?? false
    }
}
