/// A field selector as in `?fieldSelector=`: `spec.nodeName=node-1,status.phase!=Succeeded`.
///
/// Terms are ANDed and may use `=`, `==` or `!=`. `\,`, `\=` and `\\` escape those characters
/// in fields and values. The empty selector matches everything.
public struct FieldSelector: Sendable, Hashable, CustomStringConvertible {
    public var requirements: [FieldRequirement]

    public init(requirements: [FieldRequirement]) {
        self.requirements = requirements
    }

    /// The selector that matches every object.
    public static let everything = FieldSelector(requirements: [])

    /// Parses the string form.
    /// - Throws: ``SelectorError`` for a term without an operator or with a bad escape.
    public init(parsing text: String) throws(SelectorError) {
        var requirements: [FieldRequirement] = []
        for term in Self.split(text) where !term.isEmpty {
            requirements.append(try Self.requirement(term, in: text))
        }
        self.requirements = requirements
    }

    public var isEverything: Bool { requirements.isEmpty }

    /// The fields this selector reads.
    public var fields: [String] { requirements.map(\.field) }

    /// Checks every field against the fields a resource supports.
    /// - Throws: ``SelectorError/unsupportedField(field:supported:)`` for the first unknown one.
    public func validate(supportedFields: Set<String>) throws(SelectorError) {
        for field in fields where !supportedFields.contains(field) {
            throw .unsupportedField(field: field, supported: supportedFields.sorted())
        }
    }

    /// Whether the object whose fields `lookup` returns satisfies every term. A field for which
    /// `lookup` returns nil compares as the empty string (as Kubernetes's field sets do).
    public func matches(_ lookup: (String) -> String?) -> Bool {
        for requirement in requirements {
            let actual = lookup(requirement.field) ?? ""
            switch requirement.operator {
            case .equals, .doubleEquals: if actual != requirement.value { return false }
            case .notEquals: if actual == requirement.value { return false }
            }
        }
        return true
    }

    public var description: String { requirements.map(\.description).joined(separator: ",") }

    /// Splits on commas not preceded by a backslash escape.
    private static func split(_ text: String) -> [Substring] {
        var parts: [Substring] = []
        var start = text.startIndex
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if c == "\\" {
                i = text.index(after: i)
                if i < text.endIndex { i = text.index(after: i) }
                continue
            }
            if c == "," {
                parts.append(text[start..<i])
                start = text.index(after: i)
            }
            i = text.index(after: i)
        }
        parts.append(text[start...])
        return parts
    }

    private static func requirement(_ term: Substring, in text: String) throws(SelectorError) -> FieldRequirement {
        var i = term.startIndex
        while i < term.endIndex {
            if term[i] == "\\" {
                i = term.index(after: i)
                if i < term.endIndex { i = term.index(after: i) }
                continue
            }
            let rest = term[i...]
            for op in [FieldRequirement.Operator.notEquals, .doubleEquals, .equals] where rest.hasPrefix(op.rawValue) {
                let field = try unescape(term[term.startIndex..<i], term: term, in: text)
                let value = try unescape(rest.dropFirst(op.rawValue.count), term: term, in: text)
                guard !field.isEmpty else {
                    throw .missingOperator(selector: text, term: String(term))
                }
                return FieldRequirement(field: field, operator: op, value: value)
            }
            i = term.index(after: i)
        }
        throw .missingOperator(selector: text, term: String(term))
    }

    private static func unescape(_ s: Substring, term: Substring, in text: String) throws(SelectorError) -> String {
        guard s.contains("\\") else { return String(s) }
        var out = ""
        var escaping = false
        for c in s {
            if escaping {
                guard c == "\\" || c == "," || c == "=" else {
                    throw .invalidEscape(selector: text, term: String(term))
                }
                out.append(c)
                escaping = false
            } else if c == "\\" {
                escaping = true
            } else {
                out.append(c)
            }
        }
        if escaping { throw .invalidEscape(selector: text, term: String(term)) }
        return out
    }
}

/// One term of a ``FieldSelector``.
public struct FieldRequirement: Sendable, Hashable, CustomStringConvertible {
    public enum Operator: String, Sendable, Hashable {
        case equals = "="
        case doubleEquals = "=="
        case notEquals = "!="
    }

    public var field: String
    public var `operator`: Operator
    public var value: String

    public init(field: String, operator: Operator, value: String) {
        self.field = field
        self.operator = `operator`
        self.value = value
    }

    public var description: String { Self.escape(field) + self.operator.rawValue + Self.escape(value) }

    private static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            if c == "\\" || c == "," || c == "=" { out.append("\\") }
            out.append(c)
        }
        return out
    }
}
