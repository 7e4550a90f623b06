/// The JSON shapes of upstream node-problem-detector monitor files, decoded unchanged.
///
/// Field names follow upstream exactly. Mend reads a few optional extra fields on conditions
/// (`recoveryPattern`, `expireAfter`, `taint`); upstream ignores unknown fields, so a file using
/// them still loads in upstream node-problem-detector.

/// A condition a monitor owns, with the reason and message that mean "healthy".
public struct ConditionDefinition: Codable, Sendable, Equatable {
    /// The node condition type, e.g. `KernelDeadlock`.
    public var type: String
    /// The reason while the condition is False.
    public var reason: String
    /// The message while the condition is False.
    public var message: String
    /// Mend: a log pattern (RE2) whose match sets the condition back to False.
    public var recoveryPattern: String?
    /// Mend: a Go duration after which a True condition set from a log line clears without new evidence.
    public var expireAfter: String?
    /// Mend: a taint put on the node while the condition is True.
    public var taint: TaintDefinition?

    public init(type: String, reason: String, message: String, recoveryPattern: String? = nil,
                expireAfter: String? = nil, taint: TaintDefinition? = nil) {
        self.type = type
        self.reason = reason
        self.message = message
        self.recoveryPattern = recoveryPattern
        self.expireAfter = expireAfter
        self.taint = taint
    }
}

/// A taint Mend adds to the node while a condition is True.
public struct TaintDefinition: Codable, Sendable, Equatable, Hashable {
    public var key: String
    public var value: String?
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
    public var effect: String

    public init(key: String, value: String? = nil, effect: String) {
        self.key = key
        self.value = value
        self.effect = effect
    }
}

/// `temporary` (an Event) or `permanent` (a condition).
public enum RuleKind: String, Codable, Sendable, Equatable {
    case temporary
    case permanent
}

/// A rule of a system-log-monitor file.
public struct LogRuleDefinition: Codable, Sendable, Equatable {
    public var type: RuleKind
    public var condition: String?
    public var reason: String
    public var pattern: String

    public init(type: RuleKind, condition: String? = nil, reason: String, pattern: String) {
        self.type = type
        self.condition = condition
        self.reason = reason
        self.pattern = pattern
    }
}

/// A system-log-monitor file (`plugin` is `kmsg`, `journald` or `filelog`).
public struct SystemLogMonitorFile: Codable, Sendable, Equatable {
    public var plugin: String
    /// `filelog`: `timestamp`, `message`, `timestampFormat`; `journald`: `source`.
    public var pluginConfig: [String: String]?
    public var logPath: String?
    public var lookback: String?
    public var delay: String?
    public var bufferSize: Int?
    public var source: String
    public var metricsReporting: Bool?
    public var conditions: [ConditionDefinition]?
    public var rules: [LogRuleDefinition]
}

/// The `pluginConfig` of a custom-plugin-monitor file.
public struct CustomPluginSettings: Codable, Sendable, Equatable {
    public var invoke_interval: String?
    public var timeout: String?
    public var max_output_length: Int?
    public var concurrency: Int?
    public var enable_message_change_based_condition_update: Bool?
    public var skip_initial_status: Bool?
}

/// A rule of a custom-plugin-monitor file: a check program to run.
public struct PluginRuleDefinition: Codable, Sendable, Equatable {
    public var type: RuleKind
    public var condition: String?
    public var reason: String
    public var path: String
    public var args: [String]?
    public var timeout: String?
}

/// A custom-plugin-monitor file (`plugin` is `custom`).
public struct CustomPluginMonitorFile: Codable, Sendable, Equatable {
    public var plugin: String
    public var pluginConfig: CustomPluginSettings?
    public var source: String
    public var metricsReporting: Bool?
    public var conditions: [ConditionDefinition]?
    public var rules: [PluginRuleDefinition]
}
