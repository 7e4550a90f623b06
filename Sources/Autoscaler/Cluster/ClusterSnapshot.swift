#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import KubeModels
import Scheduling

/// Everything one decision looks at, read at one moment: nodes, pods, PDBs and node groups.
/// Built by the program from its informers (or from a snapshot file for `plan`).
public struct ClusterSnapshot: Sendable {
    public var nodes: [Node]
    public var pods: [PodSummary]
    public var podDisruptionBudgets: [PodDisruptionBudget]
    public var groups: [NodeGroup]

    /// A snapshot; groups are kept sorted by name so every decision walks them in one order.
    public init(
        nodes: [Node], pods: [PodSummary], podDisruptionBudgets: [PodDisruptionBudget] = [], groups: [NodeGroup]
    ) {
        self.nodes = nodes
        self.pods = pods
        self.podDisruptionBudgets = podDisruptionBudgets
        self.groups = groups.sorted { $0.id < $1.id }
    }

    /// Which group each node belongs to, through `spec.providerID` and the groups' instance lists.
    public var membership: GroupMembership { GroupMembership(groups: groups) }

    /// One running DaemonSet pod per DaemonSet, as scheduling views, for template overhead.
    public var daemonSetPodViews: [SchedulingPod] {
        var seen = Set<String>()
        var views: [SchedulingPod] = []
        for pod in pods where pod.isDaemonSetPod && !pod.isTerminal {
            let owner = "\(pod.namespace)/\(pod.controllerName ?? pod.name)"
            if seen.insert(owner).inserted { views.append(SchedulingPod(pod)) }
        }
        return views
    }
}

/// Maps nodes to node groups by instance id.
public struct GroupMembership: Sendable {
    private var groupByInstance: [String: String] = [:]

    /// The mapping for `groups`' instances.
    public init(groups: [NodeGroup]) {
        for group in groups {
            for instance in group.instances { groupByInstance[instance.id] = group.id }
        }
    }

    /// The group of `node`, or nil when its provider id names no instance of a managed group.
    public func group(of node: Node) -> String? {
        guard let text = node.spec.providerID, let id = ProviderID(parsing: text) else { return nil }
        return groupByInstance[id.instanceID]
    }

    /// The instance id of `node` from its provider id.
    public static func instanceID(of node: Node) -> String? {
        node.spec.providerID.flatMap { ProviderID(parsing: $0)?.instanceID }
    }
}

/// Whether the cluster is healthy enough to scale: with too many unready nodes (more than
/// `maxUnready` *and* more than `maxUnreadyFraction` of them, as the cluster-autoscaler) every
/// scaling stops, because the autoscaler's picture of the cluster cannot be trusted.
public struct ClusterHealth: Sendable, Hashable {
    public var maxUnready: Int
    public var maxUnreadyFraction: Double
    /// Nodes younger than this are starting, not unready.
    public var startupGrace: Duration

    /// The thresholds (defaults 3 nodes and 45 %, 10 minutes of start-up grace).
    public init(maxUnready: Int = 3, maxUnreadyFraction: Double = 0.45, startupGrace: Duration = .seconds(600)) {
        self.maxUnready = maxUnready
        self.maxUnreadyFraction = maxUnreadyFraction
        self.startupGrace = startupGrace
    }

    /// Nil when scaling may go on, else the reason it must stop.
    public func haltReason(nodes: [Node], now: Date) -> String? {
        guard !nodes.isEmpty else { return nil }
        let unready = nodes.filter { node in
            if node.isReady { return false }
            if let created = node.metadata.creationTimestamp?.date,
                now.timeIntervalSince(created) < Double(startupGrace.components.seconds)
            {
                return false
            }
            return true
        }.count
        let fraction = Double(unready) / Double(nodes.count)
        guard unready > maxUnready && fraction > maxUnreadyFraction else { return nil }
        let percent = Int((fraction * 100).rounded())
        return "cluster unhealthy: \(unready) of \(nodes.count) nodes unready (\(percent) %), above \(maxUnready) nodes and \(Int(maxUnreadyFraction * 100)) %; scaling stopped"
    }
}
