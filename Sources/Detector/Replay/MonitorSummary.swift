/// Human-readable summaries of loaded monitors (for `check-config`).
public enum MonitorSummary {
    /// One paragraph per monitor: plugin, conditions, rules and which rules lack a literal prefilter.
    public static func describe(_ monitor: Monitor) -> String {
        switch monitor {
        case .systemLog(let m):
            var lines = ["\(m.file): system-log monitor \"\(m.source)\" (\(pluginName(m.plugin))), bufferSize \(m.bufferSize), \(m.matcher.rules.count) rule(s)"]
            for c in m.conditions {
                var how: [String] = []
                if c.hasRecoveryPattern { how.append("recovery pattern") }
                if let e = c.expireAfter { how.append("expires after \(GoDuration.format(e))") }
                if let t = c.taint { how.append("taint \(t.key):\(t.effect)") }
                lines.append("  condition \(c.type) (default \(c.defaultReason))\(how.isEmpty ? ", stays True until cleared by hand" : ", " + how.joined(separator: ", "))")
            }
            for rule in m.matcher.rules where rule.pattern.requiredLiteral.isEmpty {
                lines.append("  note: pattern \(rule.pattern.source) has no required literal; it is run on every line (slower)")
            }
            return lines.joined(separator: "\n")
        case .customPlugin(let m):
            var lines = ["\(m.file): custom-plugin monitor \"\(m.source)\", every \(GoDuration.format(m.interval)), timeout \(GoDuration.format(m.timeout)), concurrency \(m.concurrency), \(m.rules.count) rule(s)"]
            for c in m.conditions { lines.append("  condition \(c.type) (default \(c.defaultReason))") }
            return lines.joined(separator: "\n")
        }
    }

    private static func pluginName(_ plugin: LogPlugin) -> String {
        switch plugin {
        case .kmsg: return "kmsg"
        case .journald(let id): return "journald" + (id.map { " \($0)" } ?? "")
        case .filelog: return "filelog"
        }
    }
}
