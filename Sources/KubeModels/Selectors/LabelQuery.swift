/// A label selector in its string form, as in `?labelSelector=`: `app=web,tier!=db`,
/// `env in (prod,staging)`, `env notin (dev)`, `gpu`, `!spot`, `cores>3`, `cores<9`.
///
/// Requirements are ANDed; the empty query matches everything. Parsing sorts requirements by
/// key (stable), as Kubernetes does, so ``description`` renders a canonical form.
public struct LabelQuery: Sendable, Hashable, CustomStringConvertible {
    public var requirements: [LabelRequirement]

    public init(requirements: [LabelRequirement]) {
        self.requirements = requirements
    }

    /// The query that matches every object.
    public static let everything = LabelQuery(requirements: [])

    /// Parses the string form.
    /// - Throws: ``SelectorError`` naming the position and what was expected.
    public init(parsing text: String) throws(SelectorError) {
        var parser = LabelQueryParser(text)
        self = try parser.parse()
    }

    public var isEverything: Bool { requirements.isEmpty }

    /// Whether `labels` satisfy every requirement.
    public func matches(_ labels: [String: String]?) -> Bool {
        for requirement in requirements where !requirement.matches(labels) { return false }
        return true
    }

    /// The canonical string form (parsable again).
    public var description: String { requirements.map(\.description).joined(separator: ",") }
}

/// One requirement of a ``LabelQuery``.
public struct LabelRequirement: Sendable, Hashable, CustomStringConvertible {
    /// The comparison a requirement makes.
    public enum Operator: String, Sendable, Hashable {
        case equals = "="
        case doubleEquals = "=="
        case notEquals = "!="
        case `in` = "in"
        case notIn = "notin"
        case exists = ""
        case doesNotExist = "!"
        case greaterThan = ">"
        case lessThan = "<"
    }

    public var key: String
    public var `operator`: Operator
    /// One value for `=`, `==`, `!=`, `>`, `<`; a sorted set for `in`/`notin`; none otherwise.
    public var values: [String]

    /// A requirement; `in`/`notin` value sets are kept sorted and without duplicates.
    public init(key: String, operator: Operator, values: [String] = []) {
        self.key = key
        self.operator = `operator`
        self.values = (`operator` == .in || `operator` == .notIn) ? Array(Set(values)).sorted() : values
    }

    /// Whether `labels` satisfy this requirement, with Kubernetes semantics: `!=` and `notin`
    /// hold when the key is absent; `>`/`<` need the label value to be an integer.
    public func matches(_ labels: [String: String]?) -> Bool {
        let value = labels?[key]
        switch self.operator {
        case .equals, .doubleEquals, .in:
            guard let value else { return false }
            return values.contains(value)
        case .notEquals, .notIn:
            guard let value else { return true }
            return !values.contains(value)
        case .exists:
            return value != nil
        case .doesNotExist:
            return value == nil
        case .greaterThan, .lessThan:
            guard let value, let actual = Int64(value), let bound = values.first.flatMap({ Int64($0) }) else {
                return false
            }
            return self.operator == .greaterThan ? actual > bound : actual < bound
        }
    }

    public var description: String {
        switch self.operator {
        case .exists: return key
        case .doesNotExist: return "!" + key
        case .in, .notIn: return "\(key) \(self.operator.rawValue) (\(values.joined(separator: ",")))"
        default: return key + self.operator.rawValue + (values.first ?? "")
        }
    }
}
