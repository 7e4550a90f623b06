import Foundation

/// How a `filelog` monitor splits a line into a timestamp and a message (upstream `pluginConfig`:
/// `timestamp` and `message` RE2 patterns, `timestampFormat` a Go layout).
public struct FileLogFormat: @unchecked Sendable, Equatable {
    // Its two `Regex` values come from pattern strings (see `CompiledPattern`); hence @unchecked.
    public let timestampPattern: String
    public let messagePattern: String
    public let layout: GoTimeLayout
    private let timestampRegex: Regex<AnyRegexOutput>
    private let messageRegex: Regex<AnyRegexOutput>

    public static func == (a: FileLogFormat, b: FileLogFormat) -> Bool {
        a.timestampPattern == b.timestampPattern && a.messagePattern == b.messagePattern && a.layout == b.layout
    }

    init(pluginConfig: [String: String], file: String) throws(MonitorConfigError) {
        func required(_ key: String, _ expected: String) throws(MonitorConfigError) -> String {
            guard let v = pluginConfig[key], !v.isEmpty else {
                throw .invalidField(file: file, field: "pluginConfig.\(key)", value: "(missing)", expected: expected)
            }
            return v
        }
        timestampPattern = try required("timestamp", "an RE2 pattern finding the timestamp, e.g. \"^.{15}\"")
        messagePattern = try required("message", "an RE2 pattern with one group capturing the message")
        let format = try required("timestampFormat", "a Go time layout such as \"Jan _2 15:04:05\"")
        do { layout = try GoTimeLayout(format) } catch {
            throw .invalidField(file: file, field: "pluginConfig.timestampFormat", value: "\"\(format)\"", expected: error.description)
        }
        func compile(_ pattern: String, field: String) throws(MonitorConfigError) -> (Regex<AnyRegexOutput>, captures: Int) {
            do {
                let analysis = RE2Analysis(try RE2Parser.parse(pattern))
                return (try RE2Analysis.compile(analysis.regexPattern), analysis.captureCount)
            } catch let e as RE2SyntaxError {
                throw .badPattern(file: file, rule: "pluginConfig.\(field)", pattern: pattern, column: e.column, problem: e.problem)
            } catch {
                throw .badPattern(file: file, rule: "pluginConfig.\(field)", pattern: pattern, column: 1, problem: "\(error)")
            }
        }
        timestampRegex = try compile(timestampPattern, field: "timestamp").0
        let (message, captures) = try compile(messagePattern, field: "message")
        messageRegex = message
        guard captures == 1 else {
            throw .invalidField(file: file, field: "pluginConfig.message", value: "\"\(messagePattern)\"",
                                expected: "a pattern with exactly one capturing group (the message); it has \(captures)")
        }
    }

    /// Splits a line into its timestamp and message; nil when either part is missing (the line is skipped,
    /// as upstream skips it).
    public func parse(_ line: String, now: Date = Date()) -> (Date, String)? {
        guard let t = try? timestampRegex.firstMatch(in: line),
              let m = try? messageRegex.firstMatch(in: line),
              m.output.count > 1, let message = m.output[1].substring else { return nil }
        guard let date = layout.parse(line[t.range], now: now) else { return nil }
        return (date, String(message))
    }
}
