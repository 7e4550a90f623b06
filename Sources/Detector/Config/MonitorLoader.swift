import Foundation

/// Reads upstream node-problem-detector monitor files and validates them.
public enum MonitorLoader {
    /// Loads and validates one monitor file.
    public static func load(path: String) throws(MonitorConfigError) -> Monitor {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(file: path, reason: (error as NSError).localizedDescription)
        }
        return try load(data: data, file: path)
    }

    /// Loads and validates a monitor file given as bytes (`file` names it in errors).
    public static func load(data: Data, file: String) throws(MonitorConfigError) -> Monitor {
        struct PluginProbe: Decodable { var plugin: String? }
        let probe: PluginProbe = try decode(PluginProbe.self, from: data, file: file)
        switch probe.plugin {
        case "custom":
            return .customPlugin(try validate(decode(CustomPluginMonitorFile.self, from: data, file: file), file: file))
        case "kmsg", "journald", "filelog":
            return .systemLog(try validate(decode(SystemLogMonitorFile.self, from: data, file: file), file: file))
        case nil:
            throw .invalidField(file: file, field: "plugin", value: "(missing)",
                                expected: "\"kmsg\", \"journald\", \"filelog\" or \"custom\"")
        case let other?:
            throw .invalidField(file: file, field: "plugin", value: "\"\(other)\"",
                                expected: "\"kmsg\", \"journald\", \"filelog\" or \"custom\"")
        }
    }

    /// Loads several files and checks that no condition type is claimed twice.
    public static func loadAll(paths: [String]) throws(MonitorConfigError) -> [Monitor] {
        var monitors: [Monitor] = []
        for path in paths { monitors.append(try load(path: path)) }
        try checkOwnership(monitors)
        return monitors
    }

    /// Loads several files given as text (a configuration reload reads them once) and checks that
    /// no condition type is claimed twice.
    public static func loadAll(texts: [(text: String, file: String)]) throws(MonitorConfigError) -> [Monitor] {
        var monitors: [Monitor] = []
        for (text, file) in texts { monitors.append(try load(data: Data(text.utf8), file: file)) }
        try checkOwnership(monitors)
        return monitors
    }

    /// Throws when two monitors own the same condition type.
    private static func checkOwnership(_ monitors: [Monitor]) throws(MonitorConfigError) {
        var owners: [String: String] = [:]
        for monitor in monitors {
            let path = monitor.file
            for condition in monitor.conditions {
                if let owner = owners[condition.type] {
                    throw .conditionClaimedTwice(type: condition.type, firstFile: owner, secondFile: path)
                }
                owners[condition.type] = path
            }
        }
    }

    // MARK: Decoding

    private static func decode<T: Decodable>(_ type: T.Type, from data: Data, file: String) throws(MonitorConfigError) -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            func path(_ context: DecodingError.Context) -> String {
                context.codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }
                    .joined().drop { $0 == "." }.description
            }
            switch error {
            case .keyNotFound(let key, let context):
                let base = path(context)
                throw .malformed(file: file, field: base.isEmpty ? key.stringValue : "\(base).\(key.stringValue)",
                                 detail: "is required but missing")
            case .typeMismatch(let expected, let context):
                throw .malformed(file: file, field: path(context), detail: "expected a \(jsonTypeName(expected)) value")
            case .valueNotFound(let expected, let context):
                throw .malformed(file: file, field: path(context), detail: "expected a \(jsonTypeName(expected)) value, found null")
            case .dataCorrupted(let context):
                let underlying = (context.underlyingError as NSError?)?.userInfo["NSDebugDescription"] as? String
                throw .malformed(file: file, field: path(context),
                                 detail: underlying.map { "not valid JSON: \($0)" } ?? context.debugDescription)
            @unknown default:
                throw .malformed(file: file, field: "", detail: "\(error)")
            }
        } catch {
            throw .malformed(file: file, field: "", detail: "\(error)")
        }
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "string"
        case is Int.Type, is Double.Type: return "number"
        case is Bool.Type: return "boolean"
        case is [Any].Type: return "array"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return "array" }
            if name.hasPrefix("Dictionary") { return "object" }
            if name == "RuleKind" { return "\"temporary\" or \"permanent\" string" }
            return "object"
        }
    }

    // MARK: Validation

    private static func duration(_ text: String?, file: String, field: String) throws(MonitorConfigError) -> Duration? {
        guard let text, !text.isEmpty else { return nil }
        do {
            let d = try GoDuration.parse(text)
            guard d >= .zero else {
                throw MonitorConfigError.invalidField(file: file, field: field, value: "\"\(text)\"", expected: "a non-negative duration")
            }
            return d
        } catch let error as GoDuration.ParseError {
            throw .invalidField(file: file, field: field, value: "\"\(text)\"",
                                expected: "a Go duration such as \"30s\" or \"5m\" (\(error.problem))")
        } catch let error as MonitorConfigError {
            throw error
        } catch {
            throw .invalidField(file: file, field: field, value: "\"\(text)\"", expected: "a Go duration")
        }
    }

    private static func conditions(_ defs: [ConditionDefinition]?, file: String,
                                   recoverableByDefault: Bool) throws(MonitorConfigError) -> [ConditionSpec] {
        var specs: [ConditionSpec] = []
        var seen: Set<String> = []
        for (k, def) in (defs ?? []).enumerated() {
            let field = "conditions[\(k)]"
            guard isValidConditionType(def.type) else {
                throw .invalidField(file: file, field: "\(field).type", value: "\"\(def.type)\"",
                                    expected: "a condition type: letters, digits, '.', '-', '_' or '/', starting with a letter")
            }
            guard seen.insert(def.type).inserted else {
                throw .conditionClaimedTwice(type: def.type, firstFile: file, secondFile: file)
            }
            guard !def.reason.isEmpty else {
                throw .invalidField(file: file, field: "\(field).reason", value: "\"\"", expected: "a non-empty CamelCase reason")
            }
            if let taint = def.taint {
                guard ["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(taint.effect) else {
                    throw .invalidField(file: file, field: "\(field).taint.effect", value: "\"\(taint.effect)\"",
                                        expected: "NoSchedule, PreferNoSchedule or NoExecute")
                }
                guard !taint.key.isEmpty else {
                    throw .invalidField(file: file, field: "\(field).taint.key", value: "\"\"", expected: "a taint key")
                }
            }
            let expiry = try duration(def.expireAfter, file: file, field: "\(field).expireAfter")
            specs.append(ConditionSpec(
                type: def.type, defaultReason: def.reason, defaultMessage: def.message,
                expireAfter: expiry, taint: def.taint, hasRecoveryPattern: def.recoveryPattern != nil,
                canRecover: recoverableByDefault || expiry != nil || def.recoveryPattern != nil))
        }
        return specs
    }

    static func isValidConditionType(_ type: String) -> Bool {
        guard let first = type.unicodeScalars.first, first.properties.isAlphabetic, first.isASCII else { return false }
        return type.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || ".-_/".unicodeScalars.contains($0)) }
    }

    private static func compile(_ pattern: String, file: String, rule: String) throws(MonitorConfigError) -> CompiledPattern {
        do {
            return try CompiledPattern(pattern)
        } catch {
            throw .badPattern(file: file, rule: rule, pattern: pattern, column: error.column, problem: error.problem)
        }
    }

    private static func ruleName(_ index: Int, reason: String) -> String { "rules[\(index)] (reason \(reason))" }

    static func validate(_ raw: SystemLogMonitorFile, file: String) throws(MonitorConfigError) -> SystemLogMonitor {
        let specs = try conditions(raw.conditions, file: file, recoverableByDefault: false)
        let known = Set(specs.map(\.type))
        guard !raw.source.isEmpty else {
            throw .invalidField(file: file, field: "source", value: "\"\"", expected: "a non-empty source name (the Event source)")
        }
        let bufferSize = raw.bufferSize ?? 10
        guard (1...1000).contains(bufferSize) else {
            throw .invalidField(file: file, field: "bufferSize", value: "\(bufferSize)", expected: "a line count from 1 to 1000")
        }
        var rules: [MatcherRule] = []
        for (k, rule) in raw.rules.enumerated() {
            let name = ruleName(k, reason: rule.reason)
            guard !rule.reason.isEmpty else {
                throw .invalidField(file: file, field: "rules[\(k)].reason", value: "\"\"", expected: "a non-empty reason")
            }
            let action: RuleAction
            switch rule.type {
            case .temporary:
                action = .event(reason: rule.reason)
            case .permanent:
                guard let condition = rule.condition, !condition.isEmpty else {
                    throw .invalidField(file: file, field: "rules[\(k)].condition", value: "(missing)",
                                        expected: "a condition type declared in \"conditions\" (permanent rules set a condition)")
                }
                guard known.contains(condition) else {
                    throw .invalidField(file: file, field: "rules[\(k)].condition", value: "\"\(condition)\"",
                                        expected: "one of the declared conditions: \(known.sorted().joined(separator: ", "))")
                }
                action = .setCondition(condition: condition, reason: rule.reason)
            }
            rules.append(MatcherRule(action: action, pattern: try compile(rule.pattern, file: file, rule: name)))
        }
        for (k, def) in (raw.conditions ?? []).enumerated() {
            if let recovery = def.recoveryPattern {
                let pattern = try compile(recovery, file: file, rule: "conditions[\(k)].recoveryPattern (condition \(def.type))")
                rules.append(MatcherRule(action: .recover(condition: def.type), pattern: pattern))
            }
        }
        let plugin: LogPlugin
        switch raw.plugin {
        case "kmsg":
            plugin = .kmsg
        case "journald":
            plugin = .journald(identifier: raw.pluginConfig?["source"])
        default:
            guard let path = raw.logPath, !path.isEmpty else {
                throw .invalidField(file: file, field: "logPath", value: "(missing)", expected: "the log file to follow")
            }
            _ = path
            plugin = .filelog(try FileLogFormat(pluginConfig: raw.pluginConfig ?? [:], file: file))
        }
        return SystemLogMonitor(
            file: file, source: raw.source, plugin: plugin, logPath: raw.logPath,
            lookback: try duration(raw.lookback, file: file, field: "lookback"),
            bufferSize: bufferSize, conditions: specs,
            matcher: LogMatcher(rules: rules, bufferSize: bufferSize))
    }

    static func validate(_ raw: CustomPluginMonitorFile, file: String) throws(MonitorConfigError) -> CustomPluginMonitor {
        let specs = try conditions(raw.conditions, file: file, recoverableByDefault: true)
        let known = Set(specs.map(\.type))
        let settings = raw.pluginConfig ?? CustomPluginSettings()
        let interval = try duration(settings.invoke_interval, file: file, field: "pluginConfig.invoke_interval") ?? .seconds(30)
        let timeout = try duration(settings.timeout, file: file, field: "pluginConfig.timeout") ?? .seconds(5)
        guard interval > .zero else {
            throw .invalidField(file: file, field: "pluginConfig.invoke_interval", value: "\"\(settings.invoke_interval ?? "")\"", expected: "a positive duration")
        }
        guard timeout > .zero, timeout <= interval else {
            throw .invalidField(file: file, field: "pluginConfig.timeout", value: "\"\(settings.timeout ?? "")\"",
                                expected: "a positive duration no longer than invoke_interval (\(GoDuration.format(interval)))")
        }
        let maxOutput = settings.max_output_length ?? 80
        guard (1...65536).contains(maxOutput) else {
            throw .invalidField(file: file, field: "pluginConfig.max_output_length", value: "\(maxOutput)", expected: "1 to 65536 bytes")
        }
        let concurrency = settings.concurrency ?? 3
        guard (1...64).contains(concurrency) else {
            throw .invalidField(file: file, field: "pluginConfig.concurrency", value: "\(concurrency)", expected: "1 to 64")
        }
        var rules: [PluginRule] = []
        for (k, rule) in raw.rules.enumerated() {
            guard !rule.path.isEmpty else {
                throw .invalidField(file: file, field: "rules[\(k)].path", value: "\"\"", expected: "the check program to run")
            }
            if rule.type == .permanent {
                guard let condition = rule.condition, known.contains(condition) else {
                    throw .invalidField(file: file, field: "rules[\(k)].condition", value: rule.condition.map { "\"\($0)\"" } ?? "(missing)",
                                        expected: "one of the declared conditions: \(known.sorted().joined(separator: ", "))")
                }
            }
            let ruleTimeout = try duration(rule.timeout, file: file, field: "rules[\(k)].timeout") ?? timeout
            rules.append(PluginRule(kind: rule.type, condition: rule.condition, reason: rule.reason, path: rule.path,
                                    args: rule.args ?? [], timeout: min(ruleTimeout, timeout)))
        }
        return CustomPluginMonitor(file: file, source: raw.source, interval: interval, timeout: timeout,
                                   maxOutputLength: maxOutput, concurrency: concurrency, conditions: specs, rules: rules)
    }
}
