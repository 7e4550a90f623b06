import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads the systemd journal through `journalctl -o json --follow` run as a child process.
///
/// Why a subprocess rather than loading libsystemd's sd-journal: the node's journal format is
/// whatever its systemd writes, and the `journalctl` shipped next to it always reads it; the detector
/// stays a static binary without a libsystemd ABI to match, and a missing `journalctl` is a clear
/// start-up error. The cursor of the last entry read is kept, so when `journalctl` exits it is
/// restarted after that entry and nothing is read twice. Each record carries its cursor; the
/// detector saves it to a ``CursorFile`` once the entry was handled, and a restarted detector
/// passes it back as `resumeCursor` to continue after it instead of re-reading the look-back.
public struct JournaldSource: LogSource {
    public var name: String { "journald" + (identifier.map { ":\($0)" } ?? "") }
    /// The `journalctl` program.
    public var journalctl: String
    /// Where the journal is: a directory (`--directory`, e.g. the host's `/var/log/journal` mounted
    /// read-only) or journal files (`--file`, used by tests).
    public var location: Location
    /// Only entries with this `SYSLOG_IDENTIFIER` (upstream's `pluginConfig.source`, e.g. `kernel`).
    public var identifier: String?
    /// Entries since `start - lookback`; without a look-back only new entries are read.
    public var lookback: Duration?
    public var start: Date
    /// Keep following for new entries (false: read what is there and finish; used by replay and tests).
    public var follow: Bool
    /// Continue after this entry (a saved cursor) instead of reading the look-back.
    public var resumeCursor: String?
    public var metrics: DetectorMetrics

    /// Where journal files are.
    public enum Location: Sendable, Equatable {
        case directory(String)
        case files([String])
    }

    /// Why the journal cannot be read.
    public enum JournaldError: Error, CustomStringConvertible, Equatable {
        case journalctlMissing(searched: [String])
        case journalctlFailed(status: Int32, stderr: String)
        public var description: String {
            switch self {
            case .journalctlMissing(let searched):
                return "journald monitor configured but journalctl was not found (looked in \(searched.joined(separator: ", "))); use an image that includes journalctl, or a kmsg/filelog monitor instead"
            case .journalctlFailed(let status, let stderr):
                return "journalctl exited with status \(status): \(stderr)"
            }
        }
    }

    /// Finds `journalctl`, or throws a start-up error naming where it looked.
    public static func locateJournalctl(candidates: [String] = ["/usr/bin/journalctl", "/bin/journalctl", "/usr/local/bin/journalctl"]) throws(JournaldError) -> String {
        for path in candidates where FileManager.default.isExecutableFile(atPath: path) { return path }
        throw .journalctlMissing(searched: candidates)
    }

    public init(journalctl: String, location: Location, identifier: String?, lookback: Duration?,
                start: Date = Date(), follow: Bool = true, resumeCursor: String? = nil, metrics: DetectorMetrics) {
        self.resumeCursor = resumeCursor
        self.journalctl = journalctl
        self.location = location
        self.identifier = identifier
        self.lookback = lookback
        self.start = start
        self.follow = follow
        self.metrics = metrics
    }

    /// The arguments for one `journalctl` run, resuming after `cursor` when there is one.
    func arguments(after cursor: String?) -> [String] {
        var args = ["-o", "json", "--no-pager", "--all"]
        if follow { args.append("--follow") }
        switch location {
        case .directory(let d): args.append("--directory=\(d)")
        case .files(let files): args += files.map { "--file=\($0)" }
        }
        if let cursor {
            args.append("--after-cursor=\(cursor)")
        } else if let lookback {
            args.append("--since=@\(Int(start.timeIntervalSince1970 - lookback.seconds))")
        } else if follow {
            args.append("--lines=0")
        }
        if let identifier { args.append("SYSLOG_IDENTIFIER=\(identifier)") }
        return args
    }

    /// Decodes one `journalctl -o json` line: the message (string, or byte array for non-UTF-8),
    /// the realtime timestamp and the cursor.
    static func decode(line: Substring) -> (LogRecord, String?)? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
        let message: String
        if let text = object["MESSAGE"] as? String {
            message = text
        } else if let bytes = object["MESSAGE"] as? [Int] {
            message = String(decoding: bytes.map { UInt8(truncatingIfNeeded: $0) }, as: UTF8.self)
        } else {
            return nil
        }
        let micros = (object["__REALTIME_TIMESTAMP"] as? String).flatMap { Double($0) } ?? 0
        let cursor = object["__CURSOR"] as? String
        return (LogRecord(timestamp: Date(timeIntervalSince1970: micros / 1e6), message: message, cursor: cursor), cursor)
    }

    public func records() -> AsyncThrowingStream<LogRecord, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: LogRecord.self, throwing: (any Error).self,
                                                                     bufferingPolicy: .bufferingOldest(10_000))
        let stop = KmsgSource.StopFlag()
        let current = ProcessBox()
        continuation.onTermination = { _ in
            stop.set()
            current.terminate()
        }
        let source = self
        let thread = Thread { source.readLoop(continuation, stop: stop, current: current) }
        thread.name = "mend-journald"
        thread.start()
        return stream
    }

    final class ProcessBox: @unchecked Sendable {
        // Guarded by `lock`.
        private let lock = NSLock()
        private var process: Process?
        func set(_ p: Process?) { lock.lock(); process = p; lock.unlock() }
        func terminate() { lock.lock(); let p = process; lock.unlock(); if let p, p.isRunning { p.terminate() } }
    }

    private func readLoop(_ continuation: AsyncThrowingStream<LogRecord, any Error>.Continuation, stop: KmsgSource.StopFlag, current: ProcessBox) {
        var cursor: String? = resumeCursor
        var abandonedResume = false
        var restarts = 0
        let cutoff = lookback.map { start.addingTimeInterval(-$0.seconds) }
        let counters = metrics.source(name)
        while !stop.isSet {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: journalctl)
            process.arguments = arguments(after: cursor)
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            process.standardInput = FileHandle.nullDevice
            do { try process.run() } catch {
                continuation.finish(throwing: JournaldError.journalctlMissing(searched: [journalctl]))
                return
            }
            current.set(process)
            if stop.isSet { process.terminate() }
            var splitter = LineSplitter()
            let fd = out.fileHandleForReading.fileDescriptor
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            var readAny = false
            while true {
                metrics.heartbeat(name)
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&pfd, 1, 250)
                if stop.isSet { break }
                if ready <= 0 { continue }
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                readAny = true
                buffer.withUnsafeBytes { raw in
                    splitter.append(UnsafeRawBufferPointer(rebasing: raw[0..<n])) { line in
                        guard let (record, c) = Self.decode(line: line) else { return }
                        if let c { cursor = c }
                        counters.linesRead()
                        // --since seeks by time, but entries after that point are not re-checked.
                        if let cutoff, record.timestamp < cutoff { return }
                        // Entries stay in the journal, so a full buffer waits (journalctl then
                        // blocks on its pipe) rather than drop one the saved cursor would pass.
                        while case .dropped = continuation.yield(record) {
                            if stop.isSet { return }
                            usleep(5_000)
                        }
                    }
                }
            }
            process.waitUntilExit()
            current.set(nil)
            if stop.isSet { break }
            // A saved cursor journalctl cannot seek to (the journal was vacuumed or replaced): fall
            // back to the look-back once rather than failing.
            if process.terminationStatus != 0, !readAny, let saved = resumeCursor, cursor == saved, !abandonedResume {
                abandonedResume = true
                cursor = nil
                continue
            }
            if !follow {
                if process.terminationStatus != 0 {
                    let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                    continuation.finish(throwing: JournaldError.journalctlFailed(status: process.terminationStatus, stderr: message.trimmingCharacters(in: .whitespacesAndNewlines)))
                    return
                }
                break
            }
            // journalctl stopped while following: restart after the last cursor, backing off.
            restarts = readAny ? 0 : restarts + 1
            if restarts > 5 {
                let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                continuation.finish(throwing: JournaldError.journalctlFailed(status: process.terminationStatus, stderr: message.trimmingCharacters(in: .whitespacesAndNewlines)))
                return
            }
            usleep(UInt32(min(5_000_000, 200_000 << restarts)))
        }
        continuation.finish()
    }
}
