import Foundation
import Synchronization

/// A long-running program started by a test (a controller's `run`), watched through its output
/// and stopped with SIGTERM as Kubernetes stops it.
public final class RunningProgram: @unchecked Sendable {
    // `process` is only started, polled and signalled; the output buffers are locked.
    private let process: Process
    private let name: String
    private let out = OutputBuffer()
    private let err = OutputBuffer()

    /// Starts `executable` with `arguments` and a clean environment (`PATH`, `HOME`, then `environment`).
    public init(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws {
        name = executable.lastPathComponent
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment.merging(["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]) { a, _ in a }
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        let out = self.out, err = self.err
        stdout.fileHandleForReading.readabilityHandler = { out.append($0.availableData) }
        stderr.fileHandleForReading.readabilityHandler = { err.append($0.availableData) }
        try process.run()
    }

    public var stdout: String { out.text }
    /// Where the programs log.
    public var stderr: String { err.text }

    /// Polls `condition` (bounded) while the program runs; throws with the log when it exits first
    /// or the time is up.
    public func waitFor(_ what: String, timeout: Duration = .seconds(45), _ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return }
            guard process.isRunning else {
                throw ProgramFailure(description: "\(name) exited (\(process.terminationStatus)) before \(what):\n\(stderr.suffix(4000))")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ProgramFailure(description: "timed out waiting for \(what):\n\(stderr.suffix(4000))")
    }

    /// Waits (bounded) until `check` holds on (stdout, stderr).
    public func waitForOutput(_ what: String, timeout: Duration = .seconds(30), _ check: (String, String) -> Bool) async throws {
        try await waitFor(what, timeout: timeout) { check(stdout, stderr) }
    }

    /// The port of the health and metrics server, from its start-up log line.
    public func statusPort() async throws -> Int {
        var port: Int?
        try await waitForOutput("the health and metrics server to listen") { _, stderr in
            for line in stderr.split(separator: "\n") where line.contains("health and metrics server listening") {
                if let range = line.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                    port = Int(line[range].split(separator: ":").last ?? "")
                }
            }
            return port != nil
        }
        return port!
    }

    /// Waits (bounded) for the program to exit; kills it and throws when it does not.
    public func wait(timeout: Duration = .seconds(60)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                Foundation.kill(process.processIdentifier, SIGKILL)
                throw ProgramFailure(description: "\(name) did not exit within \(timeout):\n\(stderr.suffix(4000))")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        // Let the pipe handlers drain what is left.
        try await Task.sleep(for: .milliseconds(50))
        return process.terminationStatus
    }

    /// Sends SIGTERM and waits (bounded) for the exit status.
    public func terminate() async throws -> Int32 {
        if process.isRunning { process.terminate() }
        return try await wait(timeout: .seconds(30))
    }

    /// Kills the program at once (for clean-up after a failed test).
    public func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }
}

/// Bytes a pipe delivered, appended from the pipe's handler thread.
private final class OutputBuffer: Sendable {
    private let data = Mutex(Data())
    func append(_ more: Data) { data.withLock { $0.append(more) } }
    var text: String { String(decoding: data.withLock { $0 }, as: UTF8.self) }
}
