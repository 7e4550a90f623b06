#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import KubeModels
import MendTime
import Scheduling

/// Why a pending pod does not take part in a scale-up.
public enum PodSkipReason: Sendable, Hashable, CustomStringConvertible {
    case tooYoung
    case daemonSet
    case expendable(priority: Int32)
    case nominated(node: String)
    case fitsOnUpcomingNode(group: String)

    public var description: String {
        switch self {
        case .tooYoung: "pending for less than the new-pod delay"
        case .daemonSet: "DaemonSet pod (new nodes get their own)"
        case .expendable(let priority): "priority \(priority) is below the expendable cutoff"
        case .nominated(let node): "nominated to node \(node) by preemption"
        case .fitsOnUpcomingNode(let group): "fits on a node of \(group) that is already coming up"
        }
    }
}

/// One group to grow.
public struct GroupIncrease: Sendable, Hashable {
    public var group: String
    /// The desired capacity now.
    public var from: Int
    /// The desired capacity to set (never above the group's max).
    public var to: Int
    /// The option the expanders chose.
    public var option: ScaleUpOption
}

/// What scale-up would do now, and why.
public struct ScaleUpPlan: Sendable {
    /// At most one increase per group.
    public var increases: [GroupIncrease] = []
    /// Pending pods left out of the decision, with why.
    public var skippedPods: [String: PodSkipReason] = [:]
    /// Pods no group can help, each with one reason per group (for `NotTriggerScaleUp` events).
    public var noScaleUp: [String: [String: String]] = [:]
    /// Groups not considered, with why (backed off, at max size, no template, limits).
    public var skippedGroups: [String: String] = [:]
    /// Set when the whole scale-up is stopped (unready cluster).
    public var halted: String?
}

/// Decides scale-ups: pure logic over a snapshot, no I/O.
public struct ScaleUpPlanner: Sendable {
    public var settings: ScaleUpSettings
    public var health: ClusterHealth

    /// A planner.
    public init(settings: ScaleUpSettings = ScaleUpSettings(), health: ClusterHealth = ClusterHealth()) {
        self.settings = settings
        self.health = health
    }

    /// The node templates of every group: from a live ready node when one exists, else from the
    /// group's instance types and tags. Groups with neither are reported in `missing`.
    public func templates(_ snapshot: ClusterSnapshot) -> (templates: [String: NodeTemplate], missing: [String]) {
        let membership = snapshot.membership
        let daemonSets = snapshot.daemonSetPodViews
        var live: [String: Node] = [:]
        for node in snapshot.nodes.sorted(by: { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") })
        where node.isReady {
            if let group = membership.group(of: node), live[group] == nil { live[group] = node }
        }
        var templates: [String: NodeTemplate] = [:]
        var missing: [String] = []
        for group in snapshot.groups {
            if let node = live[group.id] {
                templates[group.id] = NodeTemplate.fromLiveNode(node, group: group.id, daemonSetPods: daemonSets)
            } else if let template = NodeTemplate.fromSource(
                group.templateSource, group: group.id, reserved: settings.reserved, daemonSetPods: daemonSets)
            {
                templates[group.id] = template
            } else {
                missing.append(group.id)
            }
        }
        return (templates, missing)
    }

    /// The scale-up to make now.
    ///
    /// - Parameter backoff: groups that failed to launch recently are skipped until it ends.
    public func plan(_ snapshot: ClusterSnapshot, backoff: GroupBackoff = GroupBackoff(), now: Date) -> ScaleUpPlan {
        var plan = ScaleUpPlan()
        if let halt = health.haltReason(nodes: snapshot.nodes, now: now) {
            plan.halted = halt
            return plan
        }
        // 1. The pods that ask for capacity.
        var pending: [PodSummary] = []
        for pod in snapshot.pods
        where pod.isUnschedulable && (pod.nodeName ?? "").isEmpty && !pod.isTerminal && !pod.isBeingDeleted {
            if let node = pod.nominatedNodeName, !node.isEmpty {
                plan.skippedPods[pod.key] = .nominated(node: node)
            } else if pod.isDaemonSetPod {
                plan.skippedPods[pod.key] = .daemonSet
            } else if pod.priority < settings.expendablePriorityCutoff {
                plan.skippedPods[pod.key] = .expendable(priority: pod.priority)
            } else if let created = pod.creationTimestamp?.date, now.timeIntervalSince(created) < settings.newPodDelay.seconds {
                plan.skippedPods[pod.key] = .tooYoung
            } else {
                pending.append(pod)
            }
        }
        guard !pending.isEmpty else { return plan }

        // 2. Templates, registered nodes and upcoming nodes per group.
        let (templates, missing) = templates(snapshot)
        for group in missing { plan.skippedGroups[group] = "no node and no instance type or node-template tags to plan from" }
        let membership = snapshot.membership
        var registered: [String: Int] = [:]
        var totalMilliCPU: Int64 = 0
        var totalMemory: Int64 = 0
        for node in snapshot.nodes {
            if let group = membership.group(of: node) { registered[group, default: 0] += 1 }
            let capacity = ResourceVector(node.status.capacity ?? node.status.allocatable ?? [:])
            totalMilliCPU += capacity.milliCPU
            totalMemory += capacity.memory
        }
        var totalNodes = snapshot.nodes.count
        for group in snapshot.groups {
            let upcoming = max(0, group.desiredCapacity - (registered[group.id] ?? 0))
            if upcoming > 0, let template = templates[group.id] {
                totalNodes += upcoming
                totalMilliCPU += template.node.allocatable.milliCPU * Int64(upcoming)
                totalMemory += template.node.allocatable.memory * Int64(upcoming)
            }
        }

        // 3. Pods that will fit on nodes already coming up need nothing more.
        var pods = pending.map { SchedulingPod($0) }
        var keys = pending.map(\.key)
        for group in snapshot.groups {
            let upcoming = max(0, group.desiredCapacity - (registered[group.id] ?? 0))
            guard upcoming > 0, let template = templates[group.id], !pods.isEmpty else { continue }
            let estimate = BinPackingEstimator.estimate(pods, template: template, openNodes: upcoming, maxNewNodes: 0)
            var keptPods: [SchedulingPod] = []
            var keptKeys: [String] = []
            for i in pods.indices {
                if estimate.placement[i] != nil {
                    plan.skippedPods[keys[i]] = .fitsOnUpcomingNode(group: group.id)
                } else {
                    keptPods.append(pods[i])
                    keptKeys.append(keys[i])
                }
            }
            pods = keptPods
            keys = keptKeys
        }

        // 4. Eligible groups.
        var eligible: [NodeGroup] = []
        for group in snapshot.groups where templates[group.id] != nil {
            if let entry = backoff.backoff(group: group.id, now: now) {
                plan.skippedGroups[group.id] = "backed off until \(KubeTime(entry.until)) after: \(entry.reason)"
            } else if group.desiredCapacity >= group.maxSize {
                plan.skippedGroups[group.id] = "at its maximum size \(group.maxSize)"
            } else {
                eligible.append(group)
            }
        }

        // 5. Choose, grow, repeat with the pods still pending (each group at most once). Why a
        // group could not take a pod is worded only for the pods left at the end, from the
        // last round's estimates.
        var lastRound: [(group: NodeGroup, room: Int, estimate: BinPackingEstimator.Estimate)] = []
        var lastRoundKeys = keys
        while !pods.isEmpty && !eligible.isEmpty {
            var options: [ScaleUpOption] = []
            var estimates: [String: BinPackingEstimator.Estimate] = [:]
            lastRound = []
            lastRoundKeys = keys
            for group in eligible {
                let template = templates[group.id]!
                let room = min(
                    group.maxSize - group.desiredCapacity,
                    settings.limits.headroom(
                        nodes: totalNodes, milliCPU: totalMilliCPU, memory: totalMemory,
                        perNode: template.node.allocatable))
                let estimate = BinPackingEstimator.estimate(pods, template: template, maxNewNodes: room)
                lastRound.append((group, room, estimate))
                guard estimate.newNodes > 0 else {
                    if room == 0 { plan.skippedGroups[group.id] = "no room under the cluster-wide limits" }
                    continue
                }
                estimates[group.id] = estimate
                var placed: [String] = []
                placed.reserveCapacity(pods.count - estimate.unplacedReasons.count)
                for i in pods.indices where estimate.placement[i] != nil { placed.append(keys[i]) }
                let types = group.templateSource.instanceTypes
                options.append(
                    ScaleUpOption(
                        group: group.id, nodeCount: estimate.newNodes, pods: placed,
                        requested: estimate.newNodesRequested, allocatable: estimate.newNodesAllocatable,
                        instanceType: template.node.labels[NodeLabels.instanceType] ?? types.first?.name))
            }
            guard let best = Expander.choose(options, chain: settings.expanders),
                let group = eligible.first(where: { $0.id == best.group })
            else { break }
            plan.increases.append(
                GroupIncrease(
                    group: group.id, from: group.desiredCapacity, to: group.desiredCapacity + best.nodeCount,
                    option: best))
            let template = templates[group.id]!
            totalNodes += best.nodeCount
            totalMilliCPU += template.node.allocatable.milliCPU * Int64(best.nodeCount)
            totalMemory += template.node.allocatable.memory * Int64(best.nodeCount)
            let estimate = estimates[group.id]!
            var keptPods: [SchedulingPod] = []
            var keptKeys: [String] = []
            for i in pods.indices where estimate.placement[i] == nil {
                keptPods.append(pods[i])
                keptKeys.append(keys[i])
            }
            pods = keptPods
            keys = keptKeys
            eligible.removeAll { $0.id == group.id }
        }
        if !keys.isEmpty {
            let left = Set(keys)
            var lastReasons: [String: [String: String]] = [:]
            for (group, room, estimate) in lastRound {
                let limit = room == group.maxSize - group.desiredCapacity
                    ? "max node group size reached" : "cluster-wide limit reached"
                var worded: [SchedulingFailure: String] = [:]
                for (i, reason) in estimate.unplacedReasons where left.contains(lastRoundKeys[i]) {
                    let why: String
                    if let reason {
                        if let known = worded[reason] {
                            why = known
                        } else {
                            why = reason.description
                            worded[reason] = why
                        }
                    } else {
                        why = limit
                    }
                    lastReasons[lastRoundKeys[i], default: [:]][group.id] = why
                }
            }
            for key in keys {
                var reasons = lastReasons[key] ?? [:]
                for (group, why) in plan.skippedGroups { reasons[group] = why }
                plan.noScaleUp[key] = reasons
            }
        }
        return plan
    }
}

extension ScaleUpPlan {
    /// The `NotTriggerScaleUp` message for a pod no group could help, grouping equal reasons
    /// (`pod didn't trigger scale-up: 2 node group(s) at its maximum size, 1 Insufficient cpu`).
    public func noScaleUpMessage(for pod: String) -> String? {
        guard let reasons = noScaleUp[pod] else { return nil }
        var counts: [String: Int] = [:]
        for why in reasons.values { counts[why, default: 0] += 1 }
        if counts.isEmpty { return "pod didn't trigger scale-up: no node groups" }
        let parts = counts.sorted { $0.key < $1.key }.map { "\($0.value) node group(s): \($0.key)" }
        return "pod didn't trigger scale-up: " + parts.joined(separator: "; ")
    }
}
