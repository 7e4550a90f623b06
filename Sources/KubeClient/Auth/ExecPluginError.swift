/// Why an exec credential plugin gave no usable credential. Messages carry the plugin's stderr
/// and its `installHint`, never the credential itself.
public enum ExecPluginError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The command could not be found or started.
    case cannotStart(command: String, reason: String, installHint: String?)
    /// The command exited with a non-zero status.
    case failed(command: String, exitCode: Int32, stderr: String, installHint: String?)
    /// The command printed something that is not a usable ExecCredential.
    case invalidOutput(command: String, reason: String)
    /// `interactiveMode: Always` but there is no terminal to interact with.
    case needsTerminal(command: String)

    public var description: String {
        switch self {
        case .cannotStart(let command, let reason, let hint):
            return "exec plugin \(command) could not be started: \(reason)" + Self.hintSuffix(hint)
        case .failed(let command, let code, let stderr, let hint):
            let trimmed = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            let detail = trimmed.isEmpty ? "" : ": \(trimmed)"
            return "exec plugin \(command) failed with exit code \(code)\(detail)" + Self.hintSuffix(hint)
        case .invalidOutput(let command, let reason):
            return "exec plugin \(command) printed an unusable ExecCredential: \(reason)"
        case .needsTerminal(let command):
            return "exec plugin \(command) has interactiveMode Always but standard input is not a terminal"
        }
    }

    private static func hintSuffix(_ hint: String?) -> String {
        guard let hint, !hint.isEmpty else { return "" }
        return "\n\(hint)"
    }
}
