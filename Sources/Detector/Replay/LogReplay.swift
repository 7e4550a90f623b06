import Foundation

/// Runs a system-log monitor's rules over a saved log, for people writing rules.
public struct LogReplay: Sendable {
    public let monitor: SystemLogMonitor

    public init(monitor: SystemLogMonitor) { self.monitor = monitor }

    /// Totals of a replay.
    public struct Summary: Sendable, Equatable {
        public var lines: Int
        public var fired: Int
    }

    /// Reads `handle` to the end; lines that look like kmsg records are reduced to their message and
    /// their dictionary lines skipped; filelog monitors extract the message with their format.
    public func run(_ handle: FileHandle, onMatch: (Int, RuleMatch) -> Void) throws -> Summary {
        var matcher = monitor.matcher
        var lines = LineSplitter()
        var summary = Summary(lines: 0, fired: 0)
        var lineNumber = 0
        func consume(_ line: Substring) {
            lineNumber += 1
            if line.first == " " { return }  // kmsg dictionary continuation
            let message: String
            if case .filelog(let format) = monitor.plugin {
                guard let (_, text) = format.parse(String(line)) else { return }
                message = text
            } else if let record = KmsgRecord.parse(header: line) {
                message = record.message
            } else {
                message = String(line)
            }
            summary.lines += 1
            for match in matcher.match(message) {
                summary.fired += 1
                onMatch(lineNumber, match)
            }
        }
        while true {
            let chunk = handle.readData(ofLength: 1 << 16)
            if chunk.isEmpty { break }
            lines.append(chunk, consume)
        }
        lines.finish(consume)
        return summary
    }
}

extension RuleMatch {
    /// `event OOMKilling`, `condition KernelDeadlock=True (DockerHung)`, `recover KernelDeadlock`.
    public var describeAction: String {
        switch action {
        case .event(let reason): return "event \(reason)"
        case .setCondition(let condition, let reason): return "condition \(condition)=True (\(reason))"
        case .recover(let condition): return "recover \(condition)=False"
        }
    }
}

/// Splits byte chunks into lines, carrying a partial line across chunks.
public struct LineSplitter: Sendable {
    private var carry: [UInt8] = []
    /// Lines longer than this are cut (a guard against a runaway line without newlines).
    public var maxLineLength = 64 * 1024

    public init() {}

    /// Appends bytes, calling `body` with each complete line (no newline).
    public mutating func append(_ data: Data, _ body: (Substring) -> Void) {
        data.withUnsafeBytes { raw in append(raw, body) }
    }

    /// Appends bytes, calling `body` with each complete line (no newline).
    public mutating func append(_ raw: UnsafeRawBufferPointer, _ body: (Substring) -> Void) {
        var start = 0
        let count = raw.count
        while start < count {
            guard let nl = raw[start...].firstIndex(of: 10) else {
                carry.append(contentsOf: raw[start...])
                if carry.count > maxLineLength {
                    body(Substring(String(decoding: carry, as: UTF8.self)))
                    carry.removeAll(keepingCapacity: true)
                }
                return
            }
            if carry.isEmpty {
                body(Substring(String(decoding: UnsafeRawBufferPointer(rebasing: raw[start..<nl]), as: UTF8.self)))
            } else {
                carry.append(contentsOf: raw[start..<nl])
                body(Substring(String(decoding: carry, as: UTF8.self)))
                carry.removeAll(keepingCapacity: true)
            }
            start = nl + 1
        }
    }

    /// Delivers a final line that had no newline.
    public mutating func finish(_ body: (Substring) -> Void) {
        if !carry.isEmpty { body(Substring(String(decoding: carry, as: UTF8.self))); carry.removeAll() }
    }
}
