import Foundation
import MendTime
#if canImport(Glibc)
import Glibc
#endif

/// What a check plugin reported.
public enum PluginStatus: Sendable, Equatable {
    /// Exit 0.
    case ok
    /// Exit 1.
    case problem
    /// Any other exit code, a signal, a failure to start, or a timeout.
    case unknown
}

/// The outcome of one plugin run.
public struct PluginResult: Sendable, Equatable {
    public var status: PluginStatus
    /// Standard output, cut to the monitor's `max_output_length` and trimmed of trailing whitespace.
    public var output: String
    /// True when the run was stopped at its timeout.
    public var timedOut: Bool
}

/// Runs check programs: one at a time per call, with a timeout and a bound on output kept.
public struct PluginRunner: Sendable {
    public var maxOutputLength: Int

    public init(maxOutputLength: Int) {
        self.maxOutputLength = maxOutputLength
    }

    /// Runs `path args...`; never throws: a program that cannot start is `unknown` with the reason.
    public func run(path: String, args: [String], timeout: Duration) async -> PluginResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = args
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let limit = maxOutputLength
        let finished = ExitBox()
        process.terminationHandler = { p in finished.finish(p.terminationReason == .exit ? p.terminationStatus : -1) }
        do {
            try process.run()
        } catch {
            return PluginResult(status: .unknown, output: "cannot run \(path): \(error.localizedDescription)", timedOut: false)
        }
        try? pipe.fileHandleForWriting.close()
        // Read on a dedicated thread: keep the first `limit` bytes, drain and discard the rest so a
        // chatty plugin never blocks on a full pipe.
        let output = OutputBox()
        let readHandle = pipe.fileHandleForReading
        let reader = Thread {
            let fd = readHandle.fileDescriptor
            var kept: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                if kept.count < limit { kept += chunk[0..<min(n, limit - kept.count)] }
            }
            output.finish(kept)
        }
        reader.start()
        let deadline = ContinuousClock.now + timeout
        var timedOut = false
        while !finished.isDone {
            if ContinuousClock.now >= deadline {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
                break
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        let code = await finished.wait()
        let bytes = await output.wait()
        var text = String(decoding: bytes, as: UTF8.self)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        if timedOut {
            return PluginResult(status: .unknown, output: text.isEmpty ? "timed out after \(GoDuration.format(timeout))" : text, timedOut: true)
        }
        let status: PluginStatus = code == 0 ? .ok : code == 1 ? .problem : .unknown
        return PluginResult(status: status, output: text, timedOut: false)
    }
}

/// A value set once from another thread and awaited.
final class OneShot<Value: Sendable>: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var value: Value?
    private var waiters: [CheckedContinuation<Value, Never>] = []

    func finish(_ v: Value) {
        lock.lock()
        value = v
        let w = waiters
        waiters = []
        lock.unlock()
        for c in w { c.resume(returning: v) }
    }

    var isDone: Bool { lock.lock(); defer { lock.unlock() }; return value != nil }

    func wait() async -> Value {
        await withCheckedContinuation { c in
            lock.lock()
            if let value { lock.unlock(); c.resume(returning: value); return }
            waiters.append(c)
            lock.unlock()
        }
    }
}

typealias ExitBox = OneShot<Int32>
typealias OutputBox = OneShot<[UInt8]>
