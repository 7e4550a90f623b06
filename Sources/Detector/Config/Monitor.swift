import Foundation

/// A condition a monitor owns, validated.
public struct ConditionSpec: Sendable {
    public var type: String
    /// Reason and message while healthy (False).
    public var defaultReason: String
    public var defaultMessage: String
    /// Mend: when set, a True condition set from a log line clears after this long without new evidence.
    public var expireAfter: Duration?
    /// Mend: a taint applied while the condition is True.
    public var taint: TaintDefinition?
    /// Mend: whether a recovery pattern is configured (it is one of the matcher's rules).
    public var hasRecoveryPattern: Bool
    /// Whether something can ever set this condition back to False (recovery pattern, expiry, or a plugin).
    public var canRecover: Bool
}

/// Where a system-log monitor reads from.
public enum LogPlugin: Sendable, Equatable {
    case kmsg
    /// journald, filtered by `pluginConfig.source` (a syslog identifier such as `kernel` or `containerd`).
    case journald(identifier: String?)
    /// A log file with its timestamp and message extraction.
    case filelog(FileLogFormat)
}

/// A validated system-log-monitor file, its rules compiled.
public struct SystemLogMonitor: Sendable {
    public var file: String
    public var source: String
    public var plugin: LogPlugin
    public var logPath: String?
    public var lookback: Duration?
    public var bufferSize: Int
    public var conditions: [ConditionSpec]
    /// A fresh matcher (rules in file order, then one recovery rule per condition that has one).
    public var matcher: LogMatcher
}

/// A validated custom-plugin-monitor file.
public struct CustomPluginMonitor: Sendable {
    public var file: String
    public var source: String
    public var interval: Duration
    public var timeout: Duration
    public var maxOutputLength: Int
    public var concurrency: Int
    public var conditions: [ConditionSpec]
    public var rules: [PluginRule]
}

/// A check program to run.
public struct PluginRule: Sendable, Equatable {
    public var kind: RuleKind
    public var condition: String?
    public var reason: String
    public var path: String
    public var args: [String]
    public var timeout: Duration
}

/// One loaded monitor file.
public enum Monitor: Sendable {
    case systemLog(SystemLogMonitor)
    case customPlugin(CustomPluginMonitor)

    /// The file it came from.
    public var file: String {
        switch self {
        case .systemLog(let m): return m.file
        case .customPlugin(let m): return m.file
        }
    }

    /// The condition types it owns.
    public var conditions: [ConditionSpec] {
        switch self {
        case .systemLog(let m): return m.conditions
        case .customPlugin(let m): return m.conditions
        }
    }

    /// The `source` name Events are reported under.
    public var source: String {
        switch self {
        case .systemLog(let m): return m.source
        case .customPlugin(let m): return m.source
        }
    }
}
