import Foundation
import Logging
import MendTime

/// One JSON object per line, for log collectors in the cluster:
/// `{"time":"2026-11-23T19:51:21.123Z","level":"info","logger":"mend.drainer","message":"cordoned","node":"ip-1"}`.
///
/// Metadata keys sit beside the fixed fields (a key that collides with one gets a `meta.`
/// prefix); secret-named keys are redacted (``Redaction``).
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let sink: any LogSink
    let clock: any MendClock

    public init(
        label: String, level: Logger.Level = .info, sink: any LogSink = StandardErrorSink(),
        clock: any MendClock = SystemClock(), metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.label = label
        self.logLevel = level
        self.sink = sink
        self.clock = clock
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    static let reserved: Set<String> = ["time", "level", "logger", "message", "source"]

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        if let error = event.error { merged["error"] = "\(error)" }
        merged = Redaction.redact(merged)
        var line = "{\"time\":" + Self.quote(LogTime.iso8601(clock.now))
        line += ",\"level\":" + Self.quote(event.level.rawValue)
        line += ",\"logger\":" + Self.quote(label)
        line += ",\"message\":" + Self.quote("\(event.message)")
        for key in merged.keys.sorted() {
            let name = Self.reserved.contains(key) ? "meta." + key : key
            line += "," + Self.quote(name) + ":" + Self.json(merged[key]!)
        }
        line += "}"
        sink.write(line: line)
    }

    static func json(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text): return quote(text)
        case .stringConvertible(let convertible): return quote(convertible.description)
        case .array(let items): return "[" + items.map(json).joined(separator: ",") + "]"
        case .dictionary(let dictionary):
            return "{" + dictionary.keys.sorted().map { quote($0) + ":" + json(dictionary[$0]!) }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal with the escapes RFC 8259 requires.
    static func quote(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

enum LogTime {
    /// `2026-11-23T19:51:21.123Z` (UTC, milliseconds).
    static func iso8601(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(millis / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(millis % 1000))
    }
}
