import KubeModels

/// Node selection rules: `nodeSelector` and required node affinity.
public enum NodeSelectorMatching {
    /// Whether `node` satisfies the pod's `nodeSelector` (every pair) and its required node
    /// affinity (at least one term).
    public static func matches(_ pod: SchedulingPod, _ node: SchedulingNode) -> Bool {
        for (key, value) in pod.nodeSelector where node.labels[key] != value { return false }
        if let required = pod.requiredNodeAffinity {
            return matches(required, node)
        }
        return true
    }

    /// Whether any term of `selector` matches; no terms match nothing.
    public static func matches(_ selector: NodeSelector, _ node: SchedulingNode) -> Bool {
        for term in selector.nodeSelectorTerms where matches(term, node) { return true }
        return false
    }

    /// Whether every expression and field requirement of `term` holds; an empty term
    /// matches nothing (as in Kubernetes).
    public static func matches(_ term: NodeSelectorTerm, _ node: SchedulingNode) -> Bool {
        let expressions = term.matchExpressions ?? []
        let fields = term.matchFields ?? []
        if expressions.isEmpty && fields.isEmpty { return false }
        for requirement in expressions where !matches(requirement, value: node.labels[requirement.key]) {
            return false
        }
        for requirement in fields {
            // Kubernetes supports only `metadata.name` with In / NotIn here.
            guard requirement.key == "metadata.name",
                requirement.operator == .in || requirement.operator == .notIn,
                matches(requirement, value: node.name)
            else { return false }
        }
        return true
    }

    /// Whether a label (or field) `value` (nil when absent) satisfies `requirement`.
    /// `Gt`/`Lt` need exactly one integer value and an integer label; anything malformed fails.
    public static func matches(_ requirement: NodeSelectorRequirement, value: String?) -> Bool {
        let values = requirement.values ?? []
        switch requirement.operator {
        case .in:
            guard let value else { return false }
            return values.contains(value)
        case .notIn:
            guard let value else { return true }
            return !values.contains(value)
        case .exists:
            return value != nil
        case .doesNotExist:
            return value == nil
        case .gt, .lt:
            guard let value, values.count == 1, let bound = Int64(values[0]), let actual = Int64(value) else {
                return false
            }
            return requirement.operator == .gt ? actual > bound : actual < bound
        default:
            return false
        }
    }
}
