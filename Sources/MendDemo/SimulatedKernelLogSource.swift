import ClusterSim
import Detector
import Foundation
import MendTime

/// mend-detector's kernel-log source over a ClusterSim node's simulated kernel ring buffer: the
/// records a demo injects reach the detector's rules as `/dev/kmsg` records would.
///
/// Starts after the records already in the buffer (a detector started now has nothing to look
/// back on) and polls for new ones on the given clock.
public struct SimulatedKernelLogSource: LogSource {
    public var name: String { "kmsg" }
    /// The node's kernel log.
    public let log: KernelLog
    /// The clock the poll interval runs on.
    public let clock: any MendClock
    /// How often new records are looked for.
    public let pollInterval: Duration

    /// A source over `log`.
    public init(log: KernelLog, clock: any MendClock, pollInterval: Duration = .milliseconds(500)) {
        self.log = log
        self.clock = clock
        self.pollInterval = pollInterval
    }

    public func records() -> AsyncThrowingStream<LogRecord, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: LogRecord.self)
        let log = self.log
        let clock = self.clock
        let interval = pollInterval
        let task = Task {
            var next = UInt64(log.records.count)
            while !Task.isCancelled {
                for record in log.records(from: next) {
                    let time = log.bootTime.addingTimeInterval(Double(record.microsecondsSinceBoot) / 1_000_000)
                    continuation.yield(LogRecord(timestamp: time, message: record.message))
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
