/// `metav1.LabelSelector`: the structured selector inside objects (PDB, ReplicaSet, affinity).
///
/// Semantics, as in Kubernetes:
/// - the requirements are ANDed; an **empty** selector (`{}`) matches **every** object;
/// - a **nil** selector is a different thing: for a PodDisruptionBudget, a nil selector
///   selects **no** pods (see ``PodDisruptionBudget/selects(_:)``), and a nil
///   podAffinityTerm selector matches nothing. Callers holding an optional decide that; this
///   type only answers for a present selector.
public struct LabelSelector: Codable, Sendable, Hashable {
    public var matchLabels: [String: String]?
    public var matchExpressions: [LabelSelectorRequirement]?

    public init(matchLabels: [String: String]? = nil, matchExpressions: [LabelSelectorRequirement]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    /// Whether the selector has no requirements (and so matches everything).
    public var isEmpty: Bool { (matchLabels?.isEmpty ?? true) && (matchExpressions?.isEmpty ?? true) }

    /// Whether `labels` satisfy every requirement.
    public func matches(_ labels: [String: String]?) -> Bool {
        if let matchLabels {
            for (key, value) in matchLabels where labels?[key] != value { return false }
        }
        if let matchExpressions {
            for requirement in matchExpressions where !requirement.matches(labels) { return false }
        }
        return true
    }

    /// The same selector as a string-form ``LabelQuery`` (`a=b,c in (d)`).
    public var query: LabelQuery {
        var requirements: [LabelRequirement] = []
        for (key, value) in matchLabels ?? [:] {
            requirements.append(LabelRequirement(key: key, operator: .equals, values: [value]))
        }
        for expression in matchExpressions ?? [] {
            let op: LabelRequirement.Operator =
                switch expression.operator {
                case .in: .in
                case .notIn: .notIn
                case .exists: .exists
                case .doesNotExist: .doesNotExist
                }
            requirements.append(LabelRequirement(key: expression.key, operator: op, values: expression.values ?? []))
        }
        return LabelQuery(requirements: requirements)
    }
}

/// One `matchExpressions` entry of a ``LabelSelector``.
public struct LabelSelectorRequirement: Codable, Sendable, Hashable {
    public var key: String
    public var `operator`: LabelSelectorOperator
    /// The values for `In`/`NotIn`; empty or absent for `Exists`/`DoesNotExist`.
    public var values: [String]?

    public init(key: String, operator: LabelSelectorOperator, values: [String]? = nil) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }

    /// Whether `labels` satisfy this requirement (`NotIn` holds when the key is absent).
    public func matches(_ labels: [String: String]?) -> Bool {
        let value = labels?[key]
        switch self.operator {
        case .in:
            guard let value else { return false }
            return values?.contains(value) ?? false
        case .notIn:
            guard let value else { return true }
            return !(values?.contains(value) ?? false)
        case .exists:
            return value != nil
        case .doesNotExist:
            return value == nil
        }
    }
}

/// The operators of a ``LabelSelectorRequirement``.
public enum LabelSelectorOperator: String, Codable, Sendable, Hashable {
    case `in` = "In"
    case notIn = "NotIn"
    case exists = "Exists"
    case doesNotExist = "DoesNotExist"
}
