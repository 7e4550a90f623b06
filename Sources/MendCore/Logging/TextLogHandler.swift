import Foundation
import Logging
import MendTime

/// Readable lines for a person at a terminal:
/// `19:51:21.123 INFO  mend.drainer: cordoned node node=ip-1 reason=KernelDeadlock`.
/// Secret-named metadata keys are redacted (``Redaction``).
public struct TextLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let sink: any LogSink
    let clock: any MendClock
    let colors: Bool

    public init(
        label: String, level: Logger.Level = .info, sink: any LogSink = StandardErrorSink(),
        clock: any MendClock = SystemClock(), colors: Bool = false, metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.label = label
        self.logLevel = level
        self.sink = sink
        self.clock = clock
        self.colors = colors
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        if let error = event.error { merged["error"] = "\(error)" }
        merged = Redaction.redact(merged)
        let time = LogTime.iso8601(clock.now).dropFirst(11).dropLast()  // HH:mm:ss.SSS
        var levelText = event.level.rawValue.uppercased()
        levelText += String(repeating: " ", count: max(0, 8 - levelText.count))
        if colors { levelText = Self.color(event.level) + levelText + "\u{1B}[0m" }
        var line = "\(time) \(levelText)\(label): \(event.message)"
        for key in merged.keys.sorted() { line += " \(key)=\(Self.text(merged[key]!))" }
        sink.write(line: line)
    }

    static func text(_ value: Logger.MetadataValue) -> String {
        let raw = "\(value)"
        return raw.contains(" ") || raw.isEmpty ? JSONLogHandler.quote(raw) : raw
    }

    static func color(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "\u{1B}[2m"
        case .info, .notice: "\u{1B}[32m"
        case .warning: "\u{1B}[33m"
        case .error, .critical: "\u{1B}[31m"
        }
    }
}
