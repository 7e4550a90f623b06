import KubeModels

/// Why a pod cannot go on a node, worded as kube-scheduler words it in `FailedScheduling`.
public enum SchedulingFailure: Sendable, Hashable, CustomStringConvertible {
    /// The node is cordoned and the pod does not tolerate it (NodeUnschedulable).
    case unschedulable
    /// The pod names another node in `spec.nodeName` (NodeName).
    case nodeNameMismatch
    /// A `NoSchedule`/`NoExecute` taint the pod does not tolerate (TaintToleration).
    case untoleratedTaint(key: String, value: String)
    /// `nodeSelector` or required node affinity do not match (NodeAffinity).
    case nodeAffinityMismatch
    /// A requested host port is taken (NodePorts).
    case hostPortsUnavailable
    /// The node already runs its allocatable number of pods (NodeResourcesFit).
    case tooManyPods
    /// Not enough of a resource is left (NodeResourcesFit).
    case insufficient(resource: String)
    /// A pod on the node has a required anti-affinity term matching this pod (InterPodAffinity).
    case existingPodsAntiAffinity
    /// This pod's required anti-affinity matches a pod on the node (InterPodAffinity).
    case podAntiAffinity

    /// The reason text of the scheduler plugin.
    public var description: String {
        switch self {
        case .unschedulable: "node(s) were unschedulable"
        case .nodeNameMismatch: "node(s) didn't match the requested node name"
        case .untoleratedTaint(let key, let value): "node(s) had untolerated taint {\(key): \(value)}"
        case .nodeAffinityMismatch: "node(s) didn't match Pod's node affinity/selector"
        case .hostPortsUnavailable: "node(s) didn't have free ports for the requested pod ports"
        case .tooManyPods: "Too many pods"
        case .insufficient(let resource): "Insufficient \(resource)"
        case .existingPodsAntiAffinity: "node(s) didn't satisfy existing pods anti-affinity rules"
        case .podAntiAffinity: "node(s) didn't match pod anti-affinity rules"
        }
    }

    /// Whether adding capacity to the node (or a new node like it) could cure this failure:
    /// only resource shortages and per-node conflicts are; labels, taints and names are not.
    public var isResolvableByMoreCapacity: Bool {
        switch self {
        case .tooManyPods, .insufficient, .hostPortsUnavailable, .existingPodsAntiAffinity, .podAntiAffinity: true
        case .unschedulable, .nodeNameMismatch, .untoleratedTaint, .nodeAffinityMismatch: false
        }
    }
}
