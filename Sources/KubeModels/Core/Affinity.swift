/// `core/v1.Affinity`.
public struct Affinity: Codable, Sendable, Hashable {
    public var nodeAffinity: NodeAffinity?
    public var podAffinity: PodAffinity?
    public var podAntiAffinity: PodAffinity?

    public init(nodeAffinity: NodeAffinity? = nil, podAffinity: PodAffinity? = nil, podAntiAffinity: PodAffinity? = nil)
    {
        self.nodeAffinity = nodeAffinity
        self.podAffinity = podAffinity
        self.podAntiAffinity = podAntiAffinity
    }
}

/// `core/v1.NodeAffinity`.
public struct NodeAffinity: Codable, Sendable, Hashable {
    public var requiredDuringSchedulingIgnoredDuringExecution: NodeSelector?
    public var preferredDuringSchedulingIgnoredDuringExecution: [PreferredSchedulingTerm]?

    public init(
        requiredDuringSchedulingIgnoredDuringExecution: NodeSelector? = nil,
        preferredDuringSchedulingIgnoredDuringExecution: [PreferredSchedulingTerm]? = nil
    ) {
        self.requiredDuringSchedulingIgnoredDuringExecution = requiredDuringSchedulingIgnoredDuringExecution
        self.preferredDuringSchedulingIgnoredDuringExecution = preferredDuringSchedulingIgnoredDuringExecution
    }
}

/// `core/v1.NodeSelector`: the terms are ORed.
public struct NodeSelector: Codable, Sendable, Hashable {
    public var nodeSelectorTerms: [NodeSelectorTerm]

    public init(nodeSelectorTerms: [NodeSelectorTerm]) { self.nodeSelectorTerms = nodeSelectorTerms }
}

/// `core/v1.NodeSelectorTerm`: its requirements are ANDed; an empty term matches no node.
public struct NodeSelectorTerm: Codable, Sendable, Hashable {
    public var matchExpressions: [NodeSelectorRequirement]?
    /// Requirements on node fields; only `metadata.name` is supported (by Kubernetes too).
    public var matchFields: [NodeSelectorRequirement]?

    public init(matchExpressions: [NodeSelectorRequirement]? = nil, matchFields: [NodeSelectorRequirement]? = nil) {
        self.matchExpressions = matchExpressions
        self.matchFields = matchFields
    }
}

/// `core/v1.NodeSelectorRequirement`.
public struct NodeSelectorRequirement: Codable, Sendable, Hashable {
    public var key: String
    public var `operator`: NodeSelectorOperator
    public var values: [String]?

    public init(key: String, operator: NodeSelectorOperator, values: [String]? = nil) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }
}

/// `In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt`, `Lt`.
public struct NodeSelectorOperator: OpenEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let `in`: NodeSelectorOperator = "In"
    public static let notIn: NodeSelectorOperator = "NotIn"
    public static let exists: NodeSelectorOperator = "Exists"
    public static let doesNotExist: NodeSelectorOperator = "DoesNotExist"
    public static let gt: NodeSelectorOperator = "Gt"
    public static let lt: NodeSelectorOperator = "Lt"
}

/// `core/v1.PreferredSchedulingTerm`.
public struct PreferredSchedulingTerm: Codable, Sendable, Hashable {
    public var weight: Int32
    public var preference: NodeSelectorTerm

    public init(weight: Int32, preference: NodeSelectorTerm) {
        self.weight = weight
        self.preference = preference
    }
}

/// `core/v1.PodAffinity` and `core/v1.PodAntiAffinity` (same shape).
public struct PodAffinity: Codable, Sendable, Hashable {
    public var requiredDuringSchedulingIgnoredDuringExecution: [PodAffinityTerm]?
    public var preferredDuringSchedulingIgnoredDuringExecution: [WeightedPodAffinityTerm]?

    public init(
        requiredDuringSchedulingIgnoredDuringExecution: [PodAffinityTerm]? = nil,
        preferredDuringSchedulingIgnoredDuringExecution: [WeightedPodAffinityTerm]? = nil
    ) {
        self.requiredDuringSchedulingIgnoredDuringExecution = requiredDuringSchedulingIgnoredDuringExecution
        self.preferredDuringSchedulingIgnoredDuringExecution = preferredDuringSchedulingIgnoredDuringExecution
    }
}

/// `core/v1.PodAffinityTerm`.
///
/// Namespaces: when both `namespaces` and `namespaceSelector` are absent, the term applies to
/// the namespace of the pod that carries it. A nil `labelSelector` matches no pod.
public struct PodAffinityTerm: Codable, Sendable, Hashable {
    public var labelSelector: LabelSelector?
    public var namespaces: [String]?
    public var topologyKey: String
    public var namespaceSelector: LabelSelector?
    public var matchLabelKeys: [String]?
    public var mismatchLabelKeys: [String]?

    public init(
        labelSelector: LabelSelector?, namespaces: [String]? = nil, topologyKey: String,
        namespaceSelector: LabelSelector? = nil
    ) {
        self.labelSelector = labelSelector
        self.namespaces = namespaces
        self.topologyKey = topologyKey
        self.namespaceSelector = namespaceSelector
    }
}

/// `core/v1.WeightedPodAffinityTerm`.
public struct WeightedPodAffinityTerm: Codable, Sendable, Hashable {
    public var weight: Int32
    public var podAffinityTerm: PodAffinityTerm

    public init(weight: Int32, podAffinityTerm: PodAffinityTerm) {
        self.weight = weight
        self.podAffinityTerm = podAffinityTerm
    }
}

/// `core/v1.Toleration`.
public struct Toleration: Codable, Sendable, Hashable {
    /// Empty with operator `Exists` tolerates every taint.
    public var key: String?
    /// `Equal` (the default when absent) or `Exists`.
    public var `operator`: TolerationOperator?
    public var value: String?
    /// Empty tolerates every effect.
    public var effect: TaintEffect?
    public var tolerationSeconds: Int64?

    /// The member names (also read by the tape readers behind ``KubeJSONDecoder``).
    enum CodingKeys: String, CodingKey, CaseIterable { case key, `operator`, value, effect, tolerationSeconds }

    public init(
        key: String? = nil, operator: TolerationOperator? = nil, value: String? = nil, effect: TaintEffect? = nil,
        tolerationSeconds: Int64? = nil
    ) {
        self.key = key
        self.operator = `operator`
        self.value = value
        self.effect = effect
        self.tolerationSeconds = tolerationSeconds
    }

    /// Whether this toleration tolerates `taint`, with the API's rules: the effect must match
    /// unless empty; the key must match unless empty with `Exists`; `Exists` ignores the value,
    /// `Equal` compares it (absent equals empty).
    public func tolerates(_ taint: Taint) -> Bool {
        if let effect, !effect.rawValue.isEmpty, effect != taint.effect { return false }
        if let key, !key.isEmpty, key != taint.key { return false }
        switch self.operator ?? .equal {
        case .exists: return true
        case .equal, "": return (value ?? "") == (taint.value ?? "")
        default: return false
        }
    }
}

/// `Exists` or `Equal`.
public struct TolerationOperator: OpenEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let exists: TolerationOperator = "Exists"
    public static let equal: TolerationOperator = "Equal"
}
