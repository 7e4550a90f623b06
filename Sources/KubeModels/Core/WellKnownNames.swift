/// Well-known node label keys.
public enum NodeLabels {
    public static let hostname = "kubernetes.io/hostname"
    public static let os = "kubernetes.io/os"
    public static let arch = "kubernetes.io/arch"
    public static let zone = "topology.kubernetes.io/zone"
    public static let region = "topology.kubernetes.io/region"
    public static let instanceType = "node.kubernetes.io/instance-type"
}

/// Well-known taint keys.
public enum NodeTaints {
    /// Added by the node lifecycle controller to cordoned nodes (`NoSchedule`).
    public static let unschedulable = "node.kubernetes.io/unschedulable"
    /// Added while the `Ready` condition is `False` (`NoSchedule` / `NoExecute`).
    public static let notReady = "node.kubernetes.io/not-ready"
    /// Added while the `Ready` condition is `Unknown` (`NoSchedule` / `NoExecute`).
    public static let unreachable = "node.kubernetes.io/unreachable"
    public static let memoryPressure = "node.kubernetes.io/memory-pressure"
    public static let diskPressure = "node.kubernetes.io/disk-pressure"
    public static let pidPressure = "node.kubernetes.io/pid-pressure"
    public static let networkUnavailable = "node.kubernetes.io/network-unavailable"
    /// cluster-autoscaler's taint on a node it is about to delete (`NoSchedule`, value = Unix time).
    public static let toBeDeletedByClusterAutoscaler = "ToBeDeletedByClusterAutoscaler"
    /// cluster-autoscaler's soft taint on a scale-down candidate (`PreferNoSchedule`).
    public static let deletionCandidateOfClusterAutoscaler = "DeletionCandidateOfClusterAutoscaler"
}

/// Well-known node annotations.
public enum NodeAnnotations {
    /// `"true"` keeps cluster-autoscaler (and mend-autoscaler) from removing the node.
    public static let scaleDownDisabled = "cluster-autoscaler.kubernetes.io/scale-down-disabled"
}
