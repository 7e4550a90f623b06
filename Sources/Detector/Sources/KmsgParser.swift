import Foundation

/// One `/dev/kmsg` record: `priority,sequence,microseconds-since-boot,flags[,...];message`
/// followed by dictionary continuation lines (` SUBSYSTEM=...`), which are kept apart from the text.
public struct KmsgRecord: Sendable, Equatable {
    /// Syslog priority (facility << 3 | level).
    public var priority: Int
    public var sequence: UInt64
    /// Microseconds since boot (monotonic).
    public var microseconds: UInt64
    /// `-` for a complete record, `c` for a continuation fragment.
    public var flags: String
    /// The message, `\xHH` escapes decoded.
    public var message: String
    /// Dictionary lines (`SUBSYSTEM=...`, `DEVICE=...`), leading space removed.
    public var dictionary: [String]

    /// The level part of the priority (0 emergency ... 7 debug).
    public var level: Int { priority & 7 }

    /// Parses a record header line; nil when the line is not a kmsg record.
    public static func parse(header line: Substring) -> KmsgRecord? {
        guard let semicolon = line.firstIndex(of: ";") else { return nil }
        let fields = line[..<semicolon].split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count >= 4, let priority = Int(fields[0]), let sequence = UInt64(fields[1]),
              let usec = UInt64(fields[2]) else { return nil }
        return KmsgRecord(priority: priority, sequence: sequence, microseconds: usec, flags: String(fields[3]),
                          message: unescape(line[line.index(after: semicolon)...]), dictionary: [])
    }

    /// Decodes the kernel's `\xHH` escapes of non-printable bytes.
    static func unescape(_ text: Substring) -> String {
        guard text.contains("\\") else { return String(text) }
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "\\"), i + 3 < utf8.count, utf8[i + 1] == UInt8(ascii: "x"),
               let v = UInt8(String(decoding: utf8[(i + 2)...(i + 3)], as: UTF8.self), radix: 16) {
                bytes.append(v); i += 4
            } else {
                bytes.append(utf8[i]); i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Turns the text read from `/dev/kmsg` (or a saved copy of it) into records, tracking sequence
/// gaps: records the kernel overwrote before we read them.
public struct KmsgParser: Sendable {
    private var pending: KmsgRecord?
    private var lastSequence: UInt64?
    /// Records known lost: sequence numbers skipped since the first record seen.
    public private(set) var lostRecords: UInt64 = 0
    /// Lines that were neither a record nor a continuation.
    public private(set) var malformedLines: UInt64 = 0

    public init() {}

    /// Feeds one line (no newline); returns the record completed by it, if any.
    public mutating func feed(line: Substring) -> KmsgRecord? {
        if line.first == " " {
            if pending != nil { pending!.dictionary.append(String(line.dropFirst())) } else { malformedLines += 1 }
            return nil
        }
        if line.isEmpty { return nil }
        let completed = pending
        pending = nil
        if let record = KmsgRecord.parse(header: line) {
            if let last = lastSequence, record.sequence > last + 1 { lostRecords += record.sequence - last - 1 }
            if lastSequence == nil || record.sequence > lastSequence! { lastSequence = record.sequence }
            pending = record
        } else {
            malformedLines += 1
        }
        return completed
    }

    /// Returns the record still waiting for continuation lines (call at a read boundary: one
    /// `read(2)` of `/dev/kmsg` is exactly one record).
    public mutating func flush() -> KmsgRecord? {
        defer { pending = nil }
        return pending
    }

    /// Times `read(2)` reported `EPIPE` (records overwritten); how many were lost shows up as the
    /// sequence gap of the next record, counted in ``lostRecords``.
    public private(set) var overwrites: UInt64 = 0

    /// Notes an `EPIPE` from `read(2)`.
    public mutating func noteOverwritten() {
        overwrites += 1
    }
}
