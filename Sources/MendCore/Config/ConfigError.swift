/// Where a configuration value came from: a file position, a flag, or the program's defaults.
public struct ConfigLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file path, the flag (`--set drain.dryRun=true`), or `(default)`.
    public var source: String
    /// 1-based line, when known.
    public var line: Int?
    /// 1-based column, when known.
    public var column: Int?

    public init(source: String, line: Int? = nil, column: Int? = nil) {
        self.source = source
        self.line = line
        self.column = column
    }

    /// `file.yaml:3:7`, `file.yaml`, or the flag text.
    public var description: String {
        guard let line else { return source }
        guard let column else { return "\(source):\(line)" }
        return "\(source):\(line):\(column)"
    }
}

/// Why a configuration could not be loaded. Every case names where (file and position, or flag),
/// which field (a dotted path such as `drain.budget.maxConcurrentDrains`), the bad value and what
/// was expected.
public enum ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(file: String, reason: String)
    /// The text is not valid YAML.
    case syntax(location: ConfigLocation, problem: String)
    /// A field the program does not know (a typo must not be silently ignored).
    case unknownField(location: ConfigLocation, path: String, suggestion: String?)
    /// A required field is absent.
    case missingField(location: ConfigLocation, path: String)
    /// The value has the wrong shape (a list where a number was expected, and so on).
    case wrongType(location: ConfigLocation, path: String, value: String, expected: String)
    /// The value has the right shape but is not acceptable (out of range, bad syntax, ...).
    case invalidValue(location: ConfigLocation, path: String, value: String, expected: String)
    /// A `--set` flag is malformed.
    case invalidOverride(flag: String, expected: String)
    /// Several problems, all found in one pass (validation reports every bad field at once).
    case several([ConfigError])

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read configuration: \(reason)"
        case .syntax(let location, let problem):
            return "\(location): YAML syntax error: \(problem)"
        case .unknownField(let location, let path, let suggestion):
            let hint = suggestion.map { " (did you mean \"\($0)\"?)" } ?? ""
            return "\(location): unknown field \(path)\(hint)"
        case .missingField(let location, let path):
            return "\(location): missing required field \(path)"
        case .wrongType(let location, let path, let value, let expected):
            return "\(location): \(path): got \(value), expected \(expected)"
        case .invalidValue(let location, let path, let value, let expected):
            return "\(location): \(path): got \(value), expected \(expected)"
        case .invalidOverride(let flag, let expected):
            return "invalid flag \(flag): expected \(expected)"
        case .several(let errors):
            return "\(errors.count) configuration problems:\n" + errors.map { "  - \($0)" }.joined(separator: "\n")
        }
    }

    /// The individual problems (one for a single error, each one for ``several(_:)``).
    public var problems: [ConfigError] {
        if case .several(let errors) = self { return errors.flatMap(\.problems) }
        return [self]
    }
}

/// What a configuration value type throws from `init(from:)` when the text is not acceptable.
/// The loader turns it into ``ConfigError/invalidValue(location:path:value:expected:)`` with the
/// file position and field path filled in.
public struct ConfigValueError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What would have been accepted, e.g. `a Go duration such as 10m, 1h30m or 500ms`.
    public var expected: String

    public init(expected: String) { self.expected = expected }

    public var description: String { "expected \(expected)" }
}

/// A configuration value written as one scalar (a duration, a percentage, a selector, an
/// address). Its ``expectation`` is what error messages say was expected.
public protocol ConfigScalar {
    /// What the parser accepts, e.g. `a Go duration such as 10m, 1h30m or 500ms`.
    static var expectation: String { get }
}
