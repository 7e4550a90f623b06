import Foundation
import MendCore

/// mend-drainer's typed flags; each one set replaces the file's value. They become MendCore
/// ``ConfigOverride``s, so a bad flag is reported like a bad field, naming the flag.
public struct DrainerOverrides: Sendable, Hashable {
    /// `--condition` (repeatable): replaces the file's rules.
    public var conditions: [String]?
    /// `--node-selector`.
    public var nodeSelector: String?
    /// `--max-concurrent-drains`.
    public var maxConcurrentDrains: String?
    /// `--max-cordoned`.
    public var maxCordoned: String?
    /// `--drain-timeout`.
    public var drainTimeout: String?
    /// `--set path=value` (repeatable), applied last.
    public var set: [String]

    public init(
        conditions: [String]? = nil, nodeSelector: String? = nil, maxConcurrentDrains: String? = nil,
        maxCordoned: String? = nil, drainTimeout: String? = nil, set: [String] = []
    ) {
        self.conditions = conditions
        self.nodeSelector = nodeSelector
        self.maxConcurrentDrains = maxConcurrentDrains
        self.maxCordoned = maxCordoned
        self.drainTimeout = drainTimeout
        self.set = set
    }

    /// The flags as loader overrides. Each `--condition` becomes its own list item, so an error
    /// names the very flag that carries the bad rule.
    public func configOverrides() throws(ConfigError) -> [ConfigOverride] {
        var result: [ConfigOverride] = []
        if let conditions {
            let placeholders = Array(repeating: "\"\"", count: conditions.count).joined(separator: ", ")
            result.append(ConfigOverride(path: "conditions", value: "[\(placeholders)]", flag: "--condition"))
            for (index, rule) in conditions.enumerated() {
                result.append(ConfigOverride(path: "conditions[\(index)]", value: Self.quoted(rule), flag: "--condition \(rule)"))
            }
        }
        if let nodeSelector {
            result.append(ConfigOverride(path: "nodeSelector", value: Self.quoted(nodeSelector), flag: "--node-selector \(nodeSelector)"))
        }
        if let maxConcurrentDrains {
            result.append(
                ConfigOverride(path: "budget.maxConcurrentDrains", value: maxConcurrentDrains, flag: "--max-concurrent-drains \(maxConcurrentDrains)"))
        }
        if let maxCordoned {
            result.append(ConfigOverride(path: "budget.maxCordoned", value: Self.quoted(maxCordoned), flag: "--max-cordoned \(maxCordoned)"))
        }
        if let drainTimeout {
            result.append(ConfigOverride(path: "drain.timeout", value: Self.quoted(drainTimeout), flag: "--drain-timeout \(drainTimeout)"))
        }
        for text in set { result.append(try ConfigOverride(parsing: text)) }
        return result
    }

    /// `text` as a YAML double-quoted scalar (a selector such as `!spot` is not a YAML tag).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\x%02X", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}

extension DrainerConfig {
    /// Loads the file at `path` (defaults and flags only when `nil`), applies `overrides`, validates.
    ///
    /// - Throws: ``ConfigError`` naming the file position (or flag), field, value and expectation.
    public static func load(path: String?, overrides: DrainerOverrides = DrainerOverrides(), runtime: [ConfigOverride] = [])
        throws(ConfigError) -> DrainerConfig
    {
        try ConfigLoader.load(DrainerConfig.self, file: path, overrides: runtime + (try overrides.configOverrides()))
    }

    /// Like ``load(path:overrides:runtime:)`` from text in memory (`source` names it in errors).
    public static func parse(yaml: String, source: String, overrides: DrainerOverrides = DrainerOverrides())
        throws(ConfigError) -> DrainerConfig
    {
        try ConfigLoader.load(DrainerConfig.self, yaml: yaml, source: source, overrides: try overrides.configOverrides())
    }
}
