import ClusterSim
import Detector
import Foundation
import MendTime

/// mend-detector's kernel-log source over a ClusterSim node's simulated kernel ring buffer: the
/// records a demo injects reach the detector's rules as `/dev/kmsg` records would.
///
/// Starts with the records of the last `lookback` (as the kmsg source does after a restart; none
/// without a look-back) and polls for new ones on the given clock.
public struct SimulatedKernelLogSource: LogSource {
    public var name: String { "kmsg" }
    /// The node's kernel log.
    public let log: KernelLog
    /// The clock the poll interval runs on.
    public let clock: any MendClock
    /// How often new records are looked for.
    public let pollInterval: Duration
    /// How far back a starting reader looks (nil: only new records).
    public let lookback: Duration?

    /// A source over `log`.
    public init(log: KernelLog, clock: any MendClock, lookback: Duration? = nil, pollInterval: Duration = .milliseconds(500)) {
        self.log = log
        self.clock = clock
        self.lookback = lookback
        self.pollInterval = pollInterval
    }

    private func time(of record: KernelLogRecord) -> Date {
        log.bootTime.addingTimeInterval(Double(record.microsecondsSinceBoot) / 1_000_000)
    }

    public func records() -> AsyncThrowingStream<LogRecord, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: LogRecord.self)
        let log = self.log
        let clock = self.clock
        let interval = pollInterval
        let since = lookback.map { clock.now.addingTimeInterval(-$0.seconds) }
        let existing = log.records
        let source = self
        let task = Task {
            var next = UInt64(existing.count)
            if let since { next = existing.first { source.time(of: $0) >= since }?.sequence ?? next }
            while !Task.isCancelled {
                for record in log.records(from: next) {
                    continuation.yield(LogRecord(timestamp: source.time(of: record), message: record.message))
                    next = record.sequence + 1
                }
                do { try await clock.sleep(for: interval) } catch { break }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
