import Foundation
import Synchronization

/// One kernel log record, as `/dev/kmsg` presents it: `<priority>,<sequence>,<microseconds>,-;<message>`.
public struct KernelLogRecord: Sendable, Hashable, CustomStringConvertible {
    /// Syslog priority (facility × 8 + level); kernel messages use facility 0, so 0–7.
    public var priority: Int
    /// The record's sequence number, increasing by one per record on a node.
    public var sequence: UInt64
    /// Microseconds since the node booted.
    public var microsecondsSinceBoot: UInt64
    public var message: String

    /// The record as one `/dev/kmsg` line.
    public var description: String { "\(priority),\(sequence),\(microsecondsSinceBoot),-;\(message)" }
}

/// A node's simulated kernel ring buffer: in memory, append-only, as the detector will read it.
public final class KernelLog: Sendable {
    /// Kernel log levels (`KERN_*`).
    public enum Level: Int, Sendable {
        case emergency = 0, alert, critical, error, warning, notice, info, debug
    }

    /// When the node booted (the origin of ``KernelLogRecord/microsecondsSinceBoot``).
    public let bootTime: Date
    private let records_: Mutex<[KernelLogRecord]> = Mutex([])

    /// A log for a node that booted at `bootTime`.
    public init(bootTime: Date) {
        self.bootTime = bootTime
    }

    /// Appends a record at `time` (use the simulation clock's now); returns it.
    @discardableResult
    public func inject(line: String, level: Level = .error, at time: Date) -> KernelLogRecord {
        let micros = UInt64(max(0, time.timeIntervalSince(bootTime)) * 1_000_000)
        return records_.withLock { records in
            let record = KernelLogRecord(priority: level.rawValue, sequence: UInt64(records.count),
                                         microsecondsSinceBoot: micros, message: line)
            records.append(record)
            return record
        }
    }

    /// Every record so far, oldest first.
    public var records: [KernelLogRecord] { records_.withLock { $0 } }

    /// Records with a sequence number of at least `sequence` (a reader resuming where it stopped).
    public func records(from sequence: UInt64) -> [KernelLogRecord] {
        records_.withLock { records in
            guard sequence < UInt64(records.count) else { return [] }
            return Array(records[Int(sequence)...])
        }
    }
}
