import KubeModels

/// Everything about a pod that the predicates look at, without its name: two pods with the
/// same shape fit (or fail on) exactly the same nodes given the same node states.
///
/// Estimators group pending pods by shape (typically one shape per controller) and cache the
/// node-only predicates per (shape, node template) instead of re-running them per pod.
public struct SchedulingShape: Sendable, Hashable {
    public let namespace: String
    public let labels: [String: String]
    public let nodeName: String?
    public let requests: ResourceVector
    public let tolerations: [Toleration]
    public let nodeSelector: [String: String]
    public let requiredNodeAffinity: NodeSelector?
    public let hostPorts: [HostPort]
    public let antiAffinityTerms: [AffinityTerm]
}

extension SchedulingPod {
    /// The pod's scheduling shape (see ``SchedulingShape``).
    public var shape: SchedulingShape {
        SchedulingShape(
            namespace: namespace, labels: labels, nodeName: nodeName, requests: requests, tolerations: tolerations,
            nodeSelector: nodeSelector, requiredNodeAffinity: requiredNodeAffinity, hostPorts: hostPorts,
            antiAffinityTerms: antiAffinityTerms)
    }
}
