import KubeModels
import Scheduling

/// What a new node of a group would look like to the scheduler: its labels, taints and
/// allocatable resources, and the DaemonSet pods that would start on it (system overhead).
public struct NodeTemplate: Sendable, Hashable {
    /// The group the template stands for.
    public var group: String
    /// The node view (name `template-<group>`), allocatable already net of kube-reserved.
    public var node: SchedulingNode
    /// DaemonSet pods a new node runs from the start; they take resources and pod slots.
    public var daemonSetPods: [SchedulingPod]
    /// Where the template came from, for the status and logs.
    public var origin: Origin

    /// How a template was built.
    public enum Origin: Sendable, Hashable, CustomStringConvertible {
        /// Copied from a live node of the group.
        case liveNode(String)
        /// Built from instance types (the smallest of them) and node-template tags.
        case instanceTypes([String])
        /// Built from node-template tags alone.
        case tags

        public var description: String {
            switch self {
            case .liveNode(let name): "live node \(name)"
            case .instanceTypes(let names): "instance type\(names.count == 1 ? "" : "s") \(names.joined(separator: ", "))"
            case .tags: "node-template tags"
            }
        }
    }

    /// A template from its parts.
    public init(group: String, node: SchedulingNode, daemonSetPods: [SchedulingPod] = [], origin: Origin) {
        self.group = group
        self.node = node
        self.daemonSetPods = daemonSetPods
        self.origin = origin
    }

    /// A fresh node of this template with its DaemonSet pods placed.
    public var emptyState: NodeState { NodeState(node: node, pods: daemonSetPods) }

    /// What is left for workload pods on a new node: allocatable minus the DaemonSet pods.
    public var workloadAllocatable: ResourceVector {
        var free = node.allocatable
        for pod in daemonSetPods { free -= pod.requests }
        free.pods -= Int64(daemonSetPods.count)
        return free
    }

    /// Labels and taints a node gets from its life, not from its group: never copied to a template.
    static let transientTaintKeys: Set<String> = [
        NodeTaints.unschedulable, NodeTaints.notReady, NodeTaints.unreachable, NodeTaints.memoryPressure,
        NodeTaints.diskPressure, NodeTaints.pidPressure, NodeTaints.networkUnavailable,
        NodeTaints.toBeDeletedByClusterAutoscaler, NodeTaints.deletionCandidateOfClusterAutoscaler,
    ]

    /// A template copied from a live node of `group`: its labels (hostname replaced), its
    /// lasting taints, its allocatable, and the DaemonSet pods that should run on it.
    ///
    /// - Parameter daemonSetPods: DaemonSet pods of the cluster (one per DaemonSet is enough);
    ///   only those that would run on the template node are kept.
    public static func fromLiveNode(_ node: Node, group: String, daemonSetPods: [SchedulingPod] = []) -> NodeTemplate {
        var view = SchedulingNode(node)
        let name = "template-\(group)"
        view.name = name
        view.labels[NodeLabels.hostname] = name
        view.unschedulable = false
        let lasting = (node.spec.taints ?? []).filter { !transientTaintKeys.contains($0.key) }
        view = SchedulingNode(
            name: name, labels: view.labels, unschedulable: false, taints: lasting, allocatable: view.allocatable)
        return NodeTemplate(
            group: group, node: view, daemonSetPods: Self.daemonSets(daemonSetPods, on: view),
            origin: .liveNode(node.metadata.name ?? ""))
    }

    /// A template for scale-from-zero: the smallest of the group's instance types (each
    /// resource the least any of them offers, so every pod planned fits whichever type
    /// launches), kube-reserved subtracted, then labels, taints and resource overrides from
    /// the node-template tags.
    ///
    /// Returns nil when the group names no instance type and no CPU/memory tags.
    public static func fromSource(
        _ source: TemplateSource, group: String, reserved: ReservedResources = .eks,
        daemonSetPods: [SchedulingPod] = []
    ) -> NodeTemplate? {
        let name = "template-\(group)"
        var capacity = ResourceVector()
        var labels: [String: String] = [NodeLabels.os: "linux", NodeLabels.hostname: name]
        let types = source.instanceTypes
        if let first = types.first {
            capacity = ResourceVector(
                milliCPU: types.map { $0.vCPUs * 1000 }.min()!, memory: types.map { $0.memoryMiB << 20 }.min()!,
                pods: types.map { $0.maxPods ?? ReservedResources.defaultMaxPods }.min()!)
            let gpus = types.map(\.gpus).min()!
            if gpus > 0 { capacity[scalar: "nvidia.com/gpu"] = gpus }
            if types.allSatisfy({ $0.name == first.name }) { labels[NodeLabels.instanceType] = first.name }
            if let arch = first.architecture, types.allSatisfy({ $0.architecture == arch }) {
                labels[NodeLabels.arch] = arch
            }
        } else {
            capacity.pods = ReservedResources.defaultMaxPods
        }
        if source.zones.count == 1 { labels[NodeLabels.zone] = source.zones[0] }
        let overrides = ResourceVector(source.tags.resources)
        for resource in source.tags.resources.keys {
            switch resource {
            case "cpu": capacity.milliCPU = overrides.milliCPU
            case "memory": capacity.memory = overrides.memory
            case "ephemeral-storage": capacity.ephemeralStorage = overrides.ephemeralStorage
            case "pods": capacity.pods = overrides.pods
            default: capacity[scalar: resource] = overrides[scalar: resource]
            }
        }
        guard capacity.milliCPU > 0, capacity.memory > 0 else { return nil }
        labels.merge(source.tags.labels) { _, tag in tag }
        let allocatable = reserved.allocatable(capacity: capacity)
        let view = SchedulingNode(name: name, labels: labels, taints: source.tags.taints, allocatable: allocatable)
        let origin: Origin = types.isEmpty ? .tags : .instanceTypes(types.map(\.name))
        return NodeTemplate(
            group: group, node: view, daemonSetPods: Self.daemonSets(daemonSetPods, on: view), origin: origin)
    }

    /// The DaemonSet pods that would land on `node` (one per controller shape is assumed by
    /// the caller), checked with the same predicates as any pod.
    static func daemonSets(_ pods: [SchedulingPod], on node: SchedulingNode) -> [SchedulingPod] {
        var state = NodeState(node: node)
        var kept: [SchedulingPod] = []
        for pod in pods where Predicates.staticFailure(pod, node) == nil && Predicates.resourcesFit(pod, state) {
            state.add(pod)
            kept.append(pod)
        }
        return kept
    }
}

/// What the kubelet keeps for the system on a node (kube-reserved, system-reserved, eviction
/// threshold), so a template's allocatable matches what a real node would report.
public struct ReservedResources: Sendable, Hashable {
    /// The pod limit when an instance type does not say (the kubelet default).
    public static let defaultMaxPods: Int64 = 110

    /// CPU reserved for a node of `milliCPU` cores.
    public var cpu: @Sendable (Int64) -> Int64
    /// Memory reserved (bytes) for a node running at most `maxPods` pods.
    public var memory: @Sendable (Int64) -> Int64
    /// A name for logs and equality.
    public var name: String

    /// Reserved resources from two functions.
    public init(name: String, cpu: @escaping @Sendable (Int64) -> Int64, memory: @escaping @Sendable (Int64) -> Int64) {
        self.name = name
        self.cpu = cpu
        self.memory = memory
    }

    /// Nothing reserved (tests, or allocatable given by tags).
    public static let none = ReservedResources(name: "none", cpu: { _ in 0 }, memory: { _ in 0 })

    /// The EKS-optimized AMI's bootstrap: CPU 6 % of the first core, 1 % of the second,
    /// 0.5 % of the next two, 0.25 % of the rest; memory 255 MiB + 11 MiB per pod, plus the
    /// 100 MiB hard eviction threshold.
    public static let eks = ReservedResources(
        name: "eks",
        cpu: { milli in
            var reserved: Int64 = 0
            let bands: [(upTo: Int64, perMille: Int64)] = [(1000, 60), (2000, 10), (4000, 5), (Int64.max, 25)]
            var from: Int64 = 0
            for band in bands where milli > from {
                let slice = min(milli, band.upTo) - from
                // 0.25 % is 2.5 per mille: the last band is stored as tenths of a per mille.
                reserved += band.upTo == Int64.max ? slice * band.perMille / 10_000 : slice * band.perMille / 1000
                from = band.upTo
            }
            return reserved
        },
        memory: { maxPods in (255 + 11 * maxPods + 100) << 20 })

    /// Capacity minus what is reserved (never below zero).
    public func allocatable(capacity: ResourceVector) -> ResourceVector {
        var result = capacity
        result.milliCPU = max(0, capacity.milliCPU - cpu(capacity.milliCPU))
        result.memory = max(0, capacity.memory - memory(capacity.pods))
        return result
    }

    public static func == (a: ReservedResources, b: ReservedResources) -> Bool { a.name == b.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}
