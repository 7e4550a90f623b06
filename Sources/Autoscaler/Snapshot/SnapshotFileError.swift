/// A snapshot or node-groups file `mend-autoscaler plan` cannot use: each case names the file
/// and, where there is one, the field.
public enum SnapshotFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file cannot be read.
    case unreadable(file: String, reason: String)
    /// The text is not YAML or JSON.
    case syntax(file: String, detail: String)
    /// A field is missing.
    case missingField(file: String, field: String, expected: String)
    /// A field holds a value of the wrong kind or out of range.
    case invalidField(file: String, field: String, problem: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason): "\(file): cannot read the file: \(reason)"
        case .syntax(let file, let detail): "\(file): not valid YAML or JSON: \(detail)"
        case .missingField(let file, let field, let expected): "\(file): \(field) is missing; expected \(expected)"
        case .invalidField(let file, let field, let problem): "\(file): \(field): \(problem)"
        }
    }
}
