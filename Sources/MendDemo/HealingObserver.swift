import Foundation
import KubeModels

/// What the demo saw happen, one line of its timeline.
public struct TimelineEntry: Sendable, Hashable, CustomStringConvertible {
    /// The kinds of step the chain takes while it heals a cluster.
    public enum Kind: String, Sendable, Hashable {
        case faultInjected, conditionSet, conditionCleared, cordoned, uncordoned, podEvicted, podsPending,
             podsScheduled, scaledUp, scaledDown, nodeRegistered, nodeReady, nodeRemoved, healthy

        /// Who acted (or what the step is about), for the timeline's second column.
        public var actor: String {
            switch self {
            case .faultInjected: "fault"
            case .conditionSet, .conditionCleared: "detector"
            case .cordoned, .uncordoned, .podEvicted: "drainer"
            case .scaledUp, .scaledDown, .nodeRemoved: "autoscaler"
            case .nodeRegistered, .nodeReady: "cloud"
            case .podsPending, .podsScheduled: "scheduler"
            case .healthy: "healed"
            }
        }
    }

    /// Simulated time of the observation.
    public var time: Date
    public var kind: Kind
    /// What happened, for a person.
    public var text: String
    /// Simulated seconds since the fault was injected (nil before it).
    public var sinceFault: TimeInterval?

    /// An entry.
    public init(time: Date, kind: Kind, text: String, sinceFault: TimeInterval? = nil) {
        self.time = time
        self.kind = kind
        self.text = text
        self.sinceFault = sinceFault
    }

    public var description: String { text }

    /// The entry as a timeline line: `  +4:05  autoscaler  node group general scaled up 3 → 4`.
    public var line: String {
        let seconds = Int((sinceFault ?? 0).rounded())
        let clock = "+\(seconds / 60):\(String(format: "%02d", seconds % 60))"
        return "  " + clock.padding(toLength: 7, withPad: " ", startingAt: 0) + kind.actor.padding(toLength: 12, withPad: " ", startingAt: 0) + text
    }
}

/// One look at the cluster: its nodes, its pods and the node groups' desired capacities.
public struct ClusterObservation: Sendable {
    public var time: Date
    public var nodes: [Node]
    public var pods: [PodSummary]
    /// Desired capacity per node group.
    public var groupSizes: [String: Int]

    /// An observation.
    public init(time: Date, nodes: [Node], pods: [PodSummary], groupSizes: [String: Int]) {
        self.time = time
        self.nodes = nodes
        self.pods = pods
        self.groupSizes = groupSizes
    }
}

/// Turns successive observations of a cluster into the steps of its healing, and decides when it
/// is healed: no node carries the bad condition, every node is Ready and schedulable, no pod is
/// pending and at least as many workload pods run as before the fault.
///
/// Pure: the demo feeds it what it lists from ClusterSim; tests feed it hand-made observations.
public struct HealingObserver: Sendable {
    /// The condition type the fault sets (e.g. `KernelDeadlock`).
    public let conditionType: String
    private var nodes: [String: NodeView] = [:]
    private var podsOnNode: [String: String] = [:]
    private var pendingCount = 0
    private var groupSizes: [String: Int] = [:]
    private var baselineRunning: Int?
    private var primed = false
    private var sawCondition = false
    /// Pods evicted (deleted from a node that carried the condition or was cordoned).
    public private(set) var podsDisrupted = 0
    /// Nodes that registered after the fault (capacity that really arrived).
    public private(set) var capacityAdded = 0
    /// Nodes removed from the cluster.
    public private(set) var nodesRemoved = 0
    /// When the cluster was first seen healthy after the fault (nil until then).
    public private(set) var healedAt: Date?
    /// When the fault was injected.
    public private(set) var faultAt: Date?

    private struct NodeView: Equatable {
        var ready: Bool
        var unschedulable: Bool
        var bad: Bool
    }

    /// An observer watching for `conditionType`.
    public init(conditionType: String) {
        self.conditionType = conditionType
    }

    /// Notes the fault injection (the clock starts for time-to-heal).
    public mutating func faultInjected(at time: Date, text: String) -> TimelineEntry {
        faultAt = time
        healedAt = nil
        return TimelineEntry(time: time, kind: .faultInjected, text: text, sinceFault: 0)
    }

    /// Workload pods: not owned by a DaemonSet and not mirror pods.
    static func isWorkload(_ pod: PodSummary) -> Bool { !pod.isDaemonSetPod && !pod.isMirrorPod }

    /// Compares `observation` with the previous one and returns what changed, in a stable order.
    public mutating func observe(_ observation: ClusterObservation) -> [TimelineEntry] {
        let now = observation.time
        var entries: [TimelineEntry] = []
        let since = faultAt.map { now.timeIntervalSince($0) }
        func add(_ kind: TimelineEntry.Kind, _ text: String) {
            entries.append(TimelineEntry(time: now, kind: kind, text: text, sinceFault: since))
        }

        var current: [String: NodeView] = [:]
        for node in observation.nodes {
            guard let name = node.metadata.name else { continue }
            let bad = node.status.conditions?.contains { $0.type.rawValue == conditionType && $0.status == .true } ?? false
            current[name] = NodeView(ready: node.isReady, unschedulable: node.isUnschedulable, bad: bad)
        }
        let workload = observation.pods.filter(Self.isWorkload)
        let pending = workload.filter { $0.phase == .pending || $0.nodeName == nil }.count
        let running = workload.filter { $0.phase == .running && !$0.isBeingDeleted }.count
        var placement: [String: String] = [:]
        for pod in workload where !pod.isBeingDeleted {
            if let node = pod.nodeName { placement["\(pod.namespace)/\(pod.name)"] = node }
        }

        guard primed else {
            nodes = current
            podsOnNode = placement
            pendingCount = pending
            groupSizes = observation.groupSizes
            baselineRunning = running
            primed = true
            return []
        }

        for (group, size) in observation.groupSizes.sorted(by: { $0.key < $1.key }) {
            let before = groupSizes[group] ?? size
            if size > before {
                add(.scaledUp, "node group \(group) scaled up \(before) → \(size)")
            } else if size < before {
                add(.scaledDown, "node group \(group) scaled down \(before) → \(size)")
            }
        }
        for (name, view) in current.sorted(by: { $0.key < $1.key }) {
            guard let old = nodes[name] else {
                if faultAt != nil { capacityAdded += 1 }
                add(.nodeRegistered, "node \(name) registered")
                if view.ready { add(.nodeReady, "node \(name) Ready") }
                continue
            }
            if view.bad && !old.bad { add(.conditionSet, "\(conditionType)=True on \(name)") }
            if view.bad { sawCondition = true }
            if !view.bad && old.bad { add(.conditionCleared, "\(conditionType) cleared on \(name)") }
            if view.unschedulable && !old.unschedulable { add(.cordoned, "node \(name) cordoned") }
            if !view.unschedulable && old.unschedulable { add(.uncordoned, "node \(name) uncordoned") }
            if view.ready && !old.ready { add(.nodeReady, "node \(name) Ready") }
        }
        var evicted: [String] = []
        for (pod, node) in podsOnNode.sorted(by: { $0.key < $1.key }) where placement[pod] != node {
            // Leaving its node (deleted, or terminating): evicted if that node was sick or cordoned.
            if let view = nodes[node], view.bad || view.unschedulable { evicted.append("\(pod) from \(node)") }
        }
        for text in evicted { add(.podEvicted, "evicted \(text)") }
        podsDisrupted += evicted.count
        for name in nodes.keys.sorted() where current[name] == nil {
            nodesRemoved += 1
            add(.nodeRemoved, "node \(name) removed")
        }
        if pending != pendingCount {
            if pending > 0 {
                add(.podsPending, "\(pending) pod\(pending == 1 ? "" : "s") pending")
            } else {
                add(.podsScheduled, "every pod scheduled and running")
            }
        }

        nodes = current
        podsOnNode = placement
        pendingCount = pending
        groupSizes = observation.groupSizes

        let healthy = faultAt != nil && healedAt == nil && pending == 0 && running >= (baselineRunning ?? 0)
            && workload.allSatisfy { $0.phase == .running }
            && current.values.allSatisfy { $0.ready && !$0.unschedulable && !$0.bad }
            && evidenceOfHealing
        if healthy {
            healedAt = now
            add(.healthy, "cluster healthy")
        }
        return entries
    }

    /// The fault was seen (some node carried the condition), so a healthy look means it healed.
    private var evidenceOfHealing: Bool { sawCondition }
}
