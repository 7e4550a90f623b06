import Foundation
import MendTime
#if canImport(Glibc)
import Glibc
#endif

/// Follows a log file (`/var/log/syslog`-style) across rotation (the path now names a new file: the
/// old one is read to its end, then the new one from its start) and truncation (the file shrank:
/// reading restarts at its start), and turns lines into records with the monitor's timestamp format.
public struct FileLogSource: LogSource {
    public var name: String { "file:\(path)" }
    public var path: String
    public var format: FileLogFormat
    /// Lines older than `start - lookback` are skipped; without a look-back reading starts at the end.
    public var lookback: Duration?
    public var start: Date
    public var pollInterval: Duration
    public var clock: any MendClock
    public var metrics: DetectorMetrics

    public init(path: String, format: FileLogFormat, lookback: Duration?, start: Date = Date(),
                pollInterval: Duration = .milliseconds(50), clock: any MendClock = SystemClock(), metrics: DetectorMetrics) {
        self.path = path
        self.format = format
        self.lookback = lookback
        self.start = start
        self.pollInterval = pollInterval
        self.clock = clock
        self.metrics = metrics
    }

    public func records() -> AsyncThrowingStream<LogRecord, any Error> {
        let follower = FileFollower(path: path, startAtEnd: lookback == nil)
        let source = self
        let cutoff = lookback.map { start.addingTimeInterval(-$0.seconds) }
        let counters = metrics.source(name)
        return AsyncThrowingStream {
            while true {
                try Task.checkCancellation()
                source.metrics.heartbeat(source.name, at: Date())
                if let line = follower.nextLine() {
                    counters.linesRead()
                    guard let (time, message) = source.format.parse(line, now: source.clock.now) else { continue }
                    if let cutoff, time < cutoff { continue }
                    return LogRecord(timestamp: time, message: message)
                }
                try await source.clock.sleep(for: source.pollInterval)
            }
        }
    }
}

/// The file-following state machine: one open descriptor, its identity and offset.
final class FileFollower: @unchecked Sendable {
    // Used only from one AsyncThrowingStream's unfolding closure, which never runs concurrently.
    private let path: String
    private var fd: Int32 = -1
    private var inode: UInt64 = 0
    private var device: UInt64 = 0
    private var offset: Int64 = 0
    private var startAtEnd: Bool
    private var splitter = LineSplitter()
    private var ready: [String] = []
    private var readyIndex = 0
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    /// How many times the file was found rotated or truncated (for tests and logs).
    private(set) var rotations = 0
    private(set) var truncations = 0

    /// Opens the file now (when it exists), so "start at the end" means the end as of this call.
    init(path: String, startAtEnd: Bool) {
        self.path = path
        self.startAtEnd = startAtEnd
        openFile()
        // A file that appears later (or after rotation) is read from its start.
        self.startAtEnd = false
    }

    deinit { if fd >= 0 { close(fd) } }

    /// The next complete line, or nil when there is nothing new right now.
    func nextLine() -> String? {
        if readyIndex < ready.count {
            defer { readyIndex += 1 }
            return ready[readyIndex]
        }
        ready.removeAll(keepingCapacity: true)
        readyIndex = 0
        fill()
        if ready.isEmpty { return nil }
        readyIndex = 1
        return ready[0]
    }

    private func openFile() {
        let newFD = open(path, O_RDONLY | O_CLOEXEC)
        guard newFD >= 0 else { return }
        var st = stat()
        fstat(newFD, &st)
        fd = newFD
        inode = UInt64(st.st_ino)
        device = UInt64(st.st_dev)
        offset = 0
        if startAtEnd {
            offset = Int64(st.st_size)
            lseek(fd, off_t(offset), SEEK_SET)
            startAtEnd = false
        }
    }

    private func readAvailable() -> Bool {
        var any = false
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            any = true
            offset += Int64(n)
            buffer.withUnsafeBytes { raw in
                splitter.append(UnsafeRawBufferPointer(rebasing: raw[0..<n])) { ready.append(String($0)) }
            }
            // A batch of about a thousand lines (two reads) keeps the detector's heap small
            // through a burst; the next batch is read when this one has been handed out.
            if ready.count >= 1_000 { break }
        }
        return any
    }

    private func fill() {
        if fd < 0 { openFile(); if fd < 0 { return } }
        if readAvailable() { return }
        // At the end: has the path been rotated to a new file, or was this one truncated?
        var pathStat = stat()
        let exists = stat(path, &pathStat) == 0
        if exists && (UInt64(pathStat.st_ino) != inode || UInt64(pathStat.st_dev) != device) {
            _ = readAvailable()
            splitter.finish { ready.append(String($0)) }
            close(fd)
            fd = -1
            rotations += 1
            openFile()
            _ = readAvailable()
            return
        }
        var own = stat()
        fstat(fd, &own)
        if Int64(own.st_size) < offset {
            truncations += 1
            lseek(fd, 0, SEEK_SET)
            offset = 0
            splitter = LineSplitter()
            _ = readAvailable()
        }
    }
}
