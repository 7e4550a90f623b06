import KubeModels

/// The scheduling predicates, one function per kube-scheduler filter plugin, in the order the
/// default scheduler runs them. Each returns nil when the pod passes.
///
/// Pure functions of the pod view and the node view / node state: no I/O, no clocks.
public enum Predicates {
    /// NodeUnschedulable: a cordoned node takes only pods tolerating
    /// `node.kubernetes.io/unschedulable:NoSchedule`.
    @inlinable
    public static func nodeUnschedulable(_ pod: SchedulingPod, _ node: SchedulingNode) -> SchedulingFailure? {
        node.unschedulable && !pod.toleratesUnschedulable ? .unschedulable : nil
    }

    /// NodeName: a pod with `spec.nodeName` fits only that node.
    @inlinable
    public static func nodeName(_ pod: SchedulingPod, _ node: SchedulingNode) -> SchedulingFailure? {
        if let wanted = pod.nodeName, !wanted.isEmpty, wanted != node.name { return .nodeNameMismatch }
        return nil
    }

    /// TaintToleration: every `NoSchedule`/`NoExecute` taint must be tolerated;
    /// `PreferNoSchedule` never blocks. Reports the first untolerated taint.
    @inlinable
    public static func taints(_ pod: SchedulingPod, _ node: SchedulingNode) -> SchedulingFailure? {
        if node.blockingTaints.isEmpty { return nil }
        return untoleratedTaint(pod, node)
    }

    @usableFromInline
    static func untoleratedTaint(_ pod: SchedulingPod, _ node: SchedulingNode) -> SchedulingFailure? {
        for taint in node.blockingTaints where !pod.tolerations.contains(where: { $0.tolerates(taint) }) {
            return .untoleratedTaint(key: taint.key, value: taint.value ?? "")
        }
        return nil
    }

    /// NodeAffinity: `nodeSelector` and required node affinity.
    @inlinable
    public static func nodeAffinity(_ pod: SchedulingPod, _ node: SchedulingNode) -> SchedulingFailure? {
        if !pod.hasNodeConstraints { return nil }
        return NodeSelectorMatching.matches(pod, node) ? nil : .nodeAffinityMismatch
    }

    /// NodePorts: no requested host port may conflict with one in use (same protocol and
    /// port, same IP or either `0.0.0.0`).
    @inlinable
    public static func hostPorts(_ pod: SchedulingPod, _ state: NodeState) -> SchedulingFailure? {
        if !pod.hasHostPorts || state.usedHostPorts.isEmpty { return nil }
        return hostPortConflict(pod, state)
    }

    @usableFromInline
    static func hostPortConflict(_ pod: SchedulingPod, _ state: NodeState) -> SchedulingFailure? {
        for wanted in pod.hostPorts {
            for used in state.usedHostPorts where wanted.conflicts(with: used) { return .hostPortsUnavailable }
        }
        return nil
    }

    /// NodeResourcesFit, allocation-free: whether the pod fits the pod count and every
    /// resource it requests (a resource the pod does not request is never checked, so an
    /// over-committed node still takes zero-request pods).
    @inlinable
    public static func resourcesFit(_ pod: SchedulingPod, _ state: NodeState) -> Bool {
        // Fields are read in place (no local copies of the vectors, which would retain their
        // scalar arrays): this runs once per pod and node tried.
        if state.podCount + 1 > state.node.allocatable.pods { return false }
        let cpu = pod.requests.milliCPU
        if cpu > 0 && cpu > state.node.allocatable.milliCPU - state.requested.milliCPU { return false }
        let memory = pod.requests.memory
        if memory > 0 && memory > state.node.allocatable.memory - state.requested.memory { return false }
        let storage = pod.requests.ephemeralStorage
        if storage > 0 && storage > state.node.allocatable.ephemeralStorage - state.requested.ephemeralStorage {
            return false
        }
        if pod.requests.scalars.isEmpty { return true }
        return scalarsFit(pod, state)
    }

    @usableFromInline
    static func scalarsFit(_ pod: SchedulingPod, _ state: NodeState) -> Bool {
        for scalar in pod.requests.scalars where scalar.amount > 0 {
            if scalar.amount > state.node.allocatable[scalar: scalar.name] - state.requested[scalar: scalar.name] {
                return false
            }
        }
        return true
    }

    /// NodeResourcesFit with reasons, in the scheduler's order: `Too many pods`, then
    /// `Insufficient cpu`, `memory`, `ephemeral-storage`, then other resources by name.
    public static func resources(_ pod: SchedulingPod, _ state: NodeState) -> [SchedulingFailure] {
        if resourcesFit(pod, state) { return [] }
        var failures: [SchedulingFailure] = []
        let free = state.node.allocatable
        let used = state.requested
        let want = pod.requests
        if state.podCount + 1 > free.pods { failures.append(.tooManyPods) }
        if want.milliCPU > 0 && want.milliCPU > free.milliCPU - used.milliCPU {
            failures.append(.insufficient(resource: "cpu"))
        }
        if want.memory > 0 && want.memory > free.memory - used.memory {
            failures.append(.insufficient(resource: "memory"))
        }
        if want.ephemeralStorage > 0 && want.ephemeralStorage > free.ephemeralStorage - used.ephemeralStorage {
            failures.append(.insufficient(resource: "ephemeral-storage"))
        }
        for scalar in want.scalars where scalar.amount > 0 {
            if scalar.amount > free[scalar: scalar.name] - used[scalar: scalar.name] {
                failures.append(.insufficient(resource: scalar.name))
            }
        }
        return failures
    }

    /// InterPodAffinity (required anti-affinity, topology `kubernetes.io/hostname`), in the
    /// plugin's order: first the terms of pods already on the node against this pod, then this
    /// pod's terms against the pods on the node.
    @inlinable
    public static func podAntiAffinity(_ pod: SchedulingPod, _ state: NodeState) -> SchedulingFailure? {
        if !pod.hasAntiAffinity && state.antiAffinityHolders.isEmpty { return nil }
        return antiAffinityConflict(pod, state)
    }

    @usableFromInline
    static func antiAffinityConflict(_ pod: SchedulingPod, _ state: NodeState) -> SchedulingFailure? {
        for holder in state.antiAffinityHolders {
            for term in holder.antiAffinityTerms where term.matches(namespace: pod.namespace, labels: pod.labels) {
                return .existingPodsAntiAffinity
            }
        }
        if pod.hasAntiAffinity {
            for placed in state.pods {
                for term in pod.antiAffinityTerms where term.matches(namespace: placed.namespace, labels: placed.labels)
                {
                    return .podAntiAffinity
                }
            }
        }
        return nil
    }

    /// The node-only predicates (unschedulable, node name, taints, node affinity): they do not
    /// depend on what runs on the node, so a caller may cache them per (pod shape, node).
    /// Returns the first failure, as the scheduler stops at the first failing plugin.
    @inlinable
    public static func staticFailure(_ pod: SchedulingPod, _ node: SchedulingNode) -> SchedulingFailure? {
        if let f = nodeUnschedulable(pod, node) { return f }
        if let f = nodeName(pod, node) { return f }
        if let f = taints(pod, node) { return f }
        if let f = nodeAffinity(pod, node) { return f }
        return nil
    }

    /// Every predicate in the scheduler's order; returns the reasons of the first failing
    /// plugin (several only for resources), or an empty array when the pod fits.
    public static func failures(_ pod: SchedulingPod, _ state: NodeState) -> [SchedulingFailure] {
        if let f = staticFailure(pod, state.node) { return [f] }
        if let f = hostPorts(pod, state) { return [f] }
        let resourceFailures = resources(pod, state)
        if !resourceFailures.isEmpty { return resourceFailures }
        if let f = podAntiAffinity(pod, state) { return [f] }
        return []
    }

    /// Whether the pod fits: ``failures(_:_:)`` is empty. Allocates nothing when the pod has
    /// no host ports or anti-affinity and the node has no anti-affinity holders.
    @inlinable
    public static func fits(_ pod: SchedulingPod, _ state: NodeState) -> Bool {
        staticFailure(pod, state.node) == nil && hostPorts(pod, state) == nil && resourcesFit(pod, state)
            && podAntiAffinity(pod, state) == nil
    }
}
