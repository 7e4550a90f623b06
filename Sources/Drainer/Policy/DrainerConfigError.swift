/// A configuration problem found at start-up, before anything is sent to the cluster.
public enum DrainerConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file cannot be read.
    case unreadable(file: String, reason: String)
    /// The file is not YAML (or its top level is not a mapping).
    case notYAML(file: String, reason: String)
    /// A field has a value that cannot be used.
    case invalid(file: String, field: String, value: String, expected: String)
    /// A field Mend does not know (often a typo).
    case unknownField(file: String, field: String, known: [String])
    /// A required value is missing.
    case missing(file: String, field: String, expected: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read the configuration: \(reason)"
        case .notYAML(let file, let reason):
            return "\(file): not a YAML mapping: \(reason)"
        case .invalid(let file, let field, let value, let expected):
            return "\(file): \(field): invalid value \"\(value)\"; expected \(expected)"
        case .unknownField(let file, let field, let known):
            return "\(file): unknown field \"\(field)\"; known fields here: \(known.joined(separator: ", "))"
        case .missing(let file, let field, let expected):
            return "\(file): \(field) is required; expected \(expected)"
        }
    }
}
