/// Why a label or field selector string could not be used.
///
/// Positions are 1-based character columns into `selector`.
public enum SelectorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The parser found `found` where it expected `expected`.
    case unexpected(selector: String, column: Int, found: String, expected: String)
    /// A label key is not a valid qualified name (`[prefix/]name`).
    case invalidKey(selector: String, column: Int, key: String, reason: String)
    /// A label value is too long or holds characters labels cannot.
    case invalidValue(selector: String, column: Int, value: String, reason: String)
    /// `in`/`notin` with an empty value set.
    case emptyValueSet(selector: String, column: Int, key: String)
    /// `>`/`<` with a value that is not an integer.
    case notAnInteger(selector: String, column: Int, value: String)
    /// A field selector term without `=`, `==` or `!=`.
    case missingOperator(selector: String, term: String)
    /// A backslash escape other than `\\`, `\,` or `\=`.
    case invalidEscape(selector: String, term: String)
    /// A field the resource does not support selecting on.
    case unsupportedField(field: String, supported: [String])

    public var description: String {
        switch self {
        case .unexpected(let s, let column, let found, let expected):
            return "selector \"\(s)\": at column \(column) found \(found), expected \(expected)"
        case .invalidKey(let s, let column, let key, let reason):
            return "selector \"\(s)\": at column \(column) invalid label key \"\(key)\": \(reason)"
        case .invalidValue(let s, let column, let value, let reason):
            return "selector \"\(s)\": at column \(column) invalid label value \"\(value)\": \(reason)"
        case .emptyValueSet(let s, let column, let key):
            return "selector \"\(s)\": at column \(column) the value set of \"\(key)\" is empty; "
                + "'in' and 'notin' need at least one value"
        case .notAnInteger(let s, let column, let value):
            return "selector \"\(s)\": at column \(column) \"\(value)\" is not an integer; '>' and '<' compare integers"
        case .missingOperator(let s, let term):
            return "field selector \"\(s)\": term \"\(term)\" has no operator; expected field=value, "
                + "field==value or field!=value"
        case .invalidEscape(let s, let term):
            return "field selector \"\(s)\": term \"\(term)\" has an invalid escape; only \\\\, \\, and \\= are allowed"
        case .unsupportedField(let field, let supported):
            return "field label not supported: \(field) (supported: \(supported.joined(separator: ", ")))"
        }
    }
}
