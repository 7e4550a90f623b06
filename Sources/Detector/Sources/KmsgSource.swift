import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Reads the kernel log from `/dev/kmsg` on a dedicated thread, so a flood of kernel messages never
/// stalls the reader: records go into a bounded buffer, and when the matcher falls behind the
/// newest records are dropped and counted instead of blocking the read.
public struct KmsgSource: LogSource {
    public var name: String { "kmsg" }
    /// The device (or, in tests, a file of saved records).
    public var path: String
    /// Wall-clock time at boot; record timestamps are `bootTime + microseconds`.
    public var bootTime: Date
    /// Records older than `start - lookback` are skipped (nothing is re-reported beyond it after a restart).
    public var lookback: Duration?
    public var start: Date
    public var metrics: DetectorMetrics
    /// How many records may wait for the matcher before new ones are dropped.
    public var bufferLimit: Int

    public init(path: String = "/dev/kmsg", bootTime: Date = KmsgSource.systemBootTime(), lookback: Duration?,
                start: Date = Date(), metrics: DetectorMetrics, bufferLimit: Int = 10_000) {
        self.path = path
        self.bootTime = bootTime
        self.lookback = lookback
        self.start = start
        self.metrics = metrics
        self.bufferLimit = bufferLimit
    }

    /// Boot time as wall-clock: now minus the monotonic clock the kernel stamps records with.
    public static func systemBootTime() -> Date {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Date().addingTimeInterval(-(Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9))
    }

    /// Errors opening or reading the device.
    public enum KmsgError: Error, CustomStringConvertible {
        case cannotOpen(path: String, errno: Int32)
        case readFailed(path: String, errno: Int32)
        public var description: String {
            switch self {
            case .cannotOpen(let path, let e):
                let hint = e == EACCES || e == EPERM ? " (the container needs CAP_SYSLOG and a read-only mount of /dev/kmsg)" : ""
                return "cannot open \(path): \(String(cString: strerror(e)))\(hint)"
            case .readFailed(let path, let e):
                return "reading \(path) failed: \(String(cString: strerror(e)))"
            }
        }
    }

    public func records() -> AsyncThrowingStream<LogRecord, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: LogRecord.self, throwing: (any Error).self,
                                                                     bufferingPolicy: .bufferingOldest(bufferLimit))
        let stop = StopFlag()
        continuation.onTermination = { _ in stop.set() }
        let reader = self
        let thread = Thread { reader.readLoop(continuation, stop: stop) }
        thread.name = "mend-kmsg"
        thread.start()
        return stream
    }

    final class StopFlag: Sendable {
        private let flag = Atomic<Bool>(false)
        func set() { flag.store(true, ordering: .relaxed) }
        var isSet: Bool { flag.load(ordering: .relaxed) }
    }

    private func readLoop(_ continuation: AsyncThrowingStream<LogRecord, any Error>.Continuation, stop: StopFlag) {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            continuation.finish(throwing: KmsgError.cannotOpen(path: path, errno: errno))
            return
        }
        defer { close(fd) }
        var st = stat()
        fstat(fd, &st)
        let isDevice = (st.st_mode & S_IFMT) == S_IFCHR
        let cutoff = lookback.map { start.addingTimeInterval(-$0.seconds) }
        var parser = KmsgParser()
        var splitter = LineSplitter()
        var reportedLost: UInt64 = 0
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        let counters = metrics.source(name)

        func deliver(_ record: KmsgRecord) {
            let time = bootTime.addingTimeInterval(Double(record.microseconds) / 1e6)
            if let cutoff, time < cutoff { return }
            counters.linesRead()
            if case .dropped = continuation.yield(LogRecord(timestamp: time, message: record.message)) {
                counters.recordDropped()
            }
        }

        while !stop.isSet {
            metrics.heartbeat(name)
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 250)
            if ready < 0 && errno != EINTR { break }
            if ready <= 0 && isDevice { continue }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                buffer.withUnsafeBytes { raw in
                    splitter.append(UnsafeRawBufferPointer(rebasing: raw[0..<n])) { line in
                        if let record = parser.feed(line: line) { deliver(record) }
                    }
                }
                // One read of the device is exactly one record: it is complete now.
                if isDevice, let record = parser.flush() { deliver(record) }
            } else if n == 0 {
                splitter.finish { line in if let record = parser.feed(line: line) { deliver(record) } }
                if let record = parser.flush() { deliver(record) }
                if !isDevice { usleep(20_000) }
            } else {
                let e = errno
                if e == EPIPE {
                    // The kernel overwrote records we had not read; the next read continues with
                    // the oldest record still in the ring.
                    parser.noteOverwritten()
                } else if e != EAGAIN && e != EINTR {
                    continuation.finish(throwing: KmsgError.readFailed(path: path, errno: e))
                    return
                }
            }
            if parser.lostRecords > reportedLost {
                metrics.kmsgLost(parser.lostRecords - reportedLost)
                reportedLost = parser.lostRecords
            }
        }
        continuation.finish()
    }
}
