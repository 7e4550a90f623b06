/// A rule file that cannot be used, with enough context to fix it: the file, the rule or field,
/// the bad value and what was expected.
public enum MonitorConfigError: Error, CustomStringConvertible, Equatable {
    /// The file could not be read.
    case unreadable(file: String, reason: String)
    /// The file is not valid JSON, or a field has the wrong JSON type.
    case malformed(file: String, field: String, detail: String)
    /// A field holds a value outside what is allowed.
    case invalidField(file: String, field: String, value: String, expected: String)
    /// A rule's pattern is not RE2 syntax that Mend's engine accepts.
    case badPattern(file: String, rule: String, pattern: String, column: Int, problem: String)
    /// Two monitor files (or one file twice) claim the same condition type.
    case conditionClaimedTwice(type: String, firstFile: String, secondFile: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read the rule file: \(reason)"
        case .malformed(let file, let field, let detail):
            return "\(file): \(field.isEmpty ? "" : "field \(field): ")\(detail)"
        case .invalidField(let file, let field, let value, let expected):
            return "\(file): field \(field) has value \(value); expected \(expected)"
        case .badPattern(let file, let rule, let pattern, let column, let problem):
            let caret = String(repeating: " ", count: max(0, column - 1)) + "^"
            return "\(file): \(rule): pattern is not valid RE2 at column \(column): \(problem)\n    \(pattern)\n    \(caret)"
        case .conditionClaimedTwice(let type, let firstFile, let secondFile):
            return "condition type \(type) is claimed by both \(firstFile) and \(secondFile); each condition type must belong to exactly one monitor"
        }
    }
}
