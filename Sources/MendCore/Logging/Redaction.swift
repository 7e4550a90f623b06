import Logging

/// Keeps secrets out of log lines: the value of any metadata key that names a secret is replaced
/// by `[redacted]`, at any depth.
public enum Redaction {
    /// Key fragments (case-insensitive) whose values never print.
    public static let secretKeyFragments = [
        "token", "password", "passwd", "secret", "authorization", "credential", "apikey", "api_key", "api-key",
        "access_key", "accesskey", "session_key", "private_key", "cookie",
    ]

    /// The placeholder printed instead of a secret.
    public static let placeholder = "[redacted]"

    /// Whether `key` names a secret.
    public static func isSecret(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return secretKeyFragments.contains { lowered.contains($0) }
    }

    /// `metadata` with every secret value replaced.
    public static func redact(_ metadata: Logger.Metadata) -> Logger.Metadata {
        var result = Logger.Metadata()
        for (key, value) in metadata { result[key] = isSecret(key) ? .string(placeholder) : redact(value) }
        return result
    }

    static func redact(_ value: Logger.MetadataValue) -> Logger.MetadataValue {
        switch value {
        case .dictionary(let dictionary): return .dictionary(redact(dictionary))
        case .array(let items): return .array(items.map(redact))
        case .string, .stringConvertible: return value
        }
    }
}
