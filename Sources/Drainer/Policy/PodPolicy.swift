import KubeModels

/// Which pods a drain evicts, which it leaves alone, and which stop it.
public struct PodPolicy: Sendable, Hashable {
    /// Evict pods with `emptyDir` volumes (their data is lost). Otherwise such pods block the drain.
    public var evictLocalStorage: Bool
    /// Evict pods no controller owns (they are not recreated). Otherwise such pods block the drain.
    public var evictUnowned: Bool
    /// A pod with this annotation set to `"true"` blocks the drain.
    public var protectedAnnotation: String
    /// The longest grace period an eviction gives a pod (a pod asking for more gets this).
    public var maxGracePeriod: Duration?
    /// Pods matching this selector are deleted instead of evicted (PDBs do not apply to them).
    public var deleteInsteadOfEvict: LabelQuery?

    public init(
        evictLocalStorage: Bool = false, evictUnowned: Bool = false,
        protectedAnnotation: String = MendNodeKeys.defaultProtectedPod, maxGracePeriod: Duration? = nil,
        deleteInsteadOfEvict: LabelQuery? = nil
    ) {
        self.evictLocalStorage = evictLocalStorage
        self.evictUnowned = evictUnowned
        self.protectedAnnotation = protectedAnnotation
        self.maxGracePeriod = maxGracePeriod
        self.deleteInsteadOfEvict = deleteInsteadOfEvict
    }

    /// What a drain does with `pod`.
    public func disposition(of pod: Pod) -> PodDisposition {
        if pod.isTerminal { return .skip(.completed) }
        if pod.isMirrorPod { return .skip(.mirror) }
        if pod.isDaemonSetPod { return .skip(.daemonSet) }
        if pod.metadata.isBeingDeleted { return .skip(.alreadyTerminating) }
        if pod.metadata.annotations?[protectedAnnotation]?.lowercased() == "true" {
            return .block(.protected(annotation: protectedAnnotation))
        }
        if pod.controllerReference == nil && !evictUnowned { return .block(.unowned) }
        if pod.usesLocalStorage && !evictLocalStorage { return .block(.localStorage) }
        if let deleteInsteadOfEvict, deleteInsteadOfEvict.matches(pod.metadata.labels) {
            return .delete(gracePeriodSeconds: gracePeriod(for: pod))
        }
        return .evict(gracePeriodSeconds: gracePeriod(for: pod))
    }

    /// The pod's own grace period capped by ``maxGracePeriod`` (`nil`: the pod's own).
    public func gracePeriod(for pod: Pod) -> Int64? {
        guard let maxGracePeriod else { return nil }
        let cap = Int64(maxGracePeriod.seconds.rounded(.down))
        let own = pod.spec.terminationGracePeriodSeconds ?? 30
        return min(own, cap)
    }
}

/// What a drain does with one pod.
public enum PodDisposition: Sendable, Hashable {
    /// Evict through the Eviction API (PDBs respected), with this grace period (`nil`: the pod's).
    case evict(gracePeriodSeconds: Int64?)
    /// Delete directly (only for pods the policy names).
    case delete(gracePeriodSeconds: Int64?)
    /// Leave alone; it does not stop the node from counting as drained.
    case skip(SkipReason)
    /// The drain cannot finish while this pod is on the node.
    case block(BlockReason)

    /// Why a pod is left alone.
    public enum SkipReason: String, Sendable, Hashable {
        case completed = "completed (Succeeded or Failed)"
        case mirror = "mirror (static) pod"
        case daemonSet = "DaemonSet pod"
        case alreadyTerminating = "already terminating"
    }

    /// Why a pod blocks a drain.
    public enum BlockReason: Sendable, Hashable, CustomStringConvertible {
        case protected(annotation: String)
        case unowned
        case localStorage

        public var description: String {
            switch self {
            case .protected(let annotation): return "protected by annotation \(annotation)=true"
            case .unowned: return "has no controller (set pods.evictUnowned to allow)"
            case .localStorage: return "uses emptyDir local storage (set pods.evictLocalStorage to allow)"
            }
        }
    }

    /// Whether the drain must remove this pod (evict or delete).
    public var mustRemove: Bool {
        switch self {
        case .evict, .delete: return true
        case .skip, .block: return false
        }
    }
}
