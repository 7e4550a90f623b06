import Foundation
import Synchronization

/// The built `mend-detector` executable, run as an operator runs it.
struct DetectorProcess: Sendable {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// `mend-detector` built next to the test bundle (`swift build --build-tests` builds every product).
    static func executable() throws -> URL {
        let buildFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [buildFolder, buildFolder.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("mend-detector")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw Failure(description: "no mend-detector executable next to \(buildFolder.path); build all products first "
            + "(`swift build --build-tests`, which scripts/test runs)")
    }

    /// A running process and what it printed so far.
    final class Running: @unchecked Sendable {
        // `process` is only started, polled and signalled; the output buffers are locked.
        let process: Process
        private let out = OutputBuffer()
        private let err = OutputBuffer()

        init(_ arguments: [String]) throws {
            process = Process()
            process.executableURL = try DetectorProcess.executable()
            process.arguments = arguments
            process.environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
            let stdout = Pipe(), stderr = Pipe()
            process.standardOutput = stdout
            process.standardError = stderr
            process.standardInput = FileHandle.nullDevice
            let out = self.out, err = self.err
            stdout.fileHandleForReading.readabilityHandler = { h in
                let d = h.availableData
                out.append(d)
            }
            stderr.fileHandleForReading.readabilityHandler = { h in
                let d = h.availableData
                err.append(d)
            }
            try process.run()
        }

        var stdout: String { out.text }
        var stderr: String { err.text }

        /// Waits (bounded) for the process to exit; kills it and throws when it does not.
        func wait(timeout: Duration = .seconds(60)) async throws -> Int32 {
            let deadline = ContinuousClock.now + timeout
            while process.isRunning {
                if ContinuousClock.now > deadline {
                    process.interrupt()
                    kill(process.processIdentifier, SIGKILL)
                    throw Failure(description: "mend-detector did not exit within \(timeout); stderr:\n\(stderr)")
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            // Let the pipe handlers drain what is left.
            try await Task.sleep(for: .milliseconds(50))
            return process.terminationStatus
        }

        /// Waits (bounded) until `check` holds on the output, failing with the output otherwise.
        func waitForOutput(_ what: String, timeout: Duration = .seconds(30), _ check: (String, String) -> Bool) async throws {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if check(stdout, stderr) { return }
                if !process.isRunning {
                    throw Failure(description: "mend-detector exited (\(process.terminationStatus)) before \(what); stderr:\n\(stderr)")
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            throw Failure(description: "timed out waiting for \(what); stderr:\n\(stderr)")
        }

        /// Sends SIGTERM and waits for the exit status.
        func terminate() async throws -> Int32 {
            if process.isRunning { process.terminate() }
            return try await wait(timeout: .seconds(30))
        }

        /// The port the health and metrics server bound (from its start-up log line).
        func statusPort() async throws -> Int {
            var port: Int?
            try await waitForOutput("the status server to listen") { _, stderr in
                for line in stderr.split(separator: "\n") where line.contains("health and metrics server listening") {
                    if let range = line.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                        port = Int(line[range].split(separator: ":").last ?? "")
                    }
                }
                return port != nil
            }
            return port!
        }
    }

    /// Runs `mend-detector arguments` to completion (bounded).
    static func run(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> (status: Int32, stdout: String, stderr: String) {
        let running = try Running(arguments)
        let status = try await running.wait(timeout: timeout)
        return (status, running.stdout, running.stderr)
    }
}

/// Bytes a pipe delivered, appended from the pipe's handler thread.
final class OutputBuffer: Sendable {
    private let data = Mutex(Data())
    func append(_ more: Data) { data.withLock { $0.append(more) } }
    var text: String { String(decoding: data.withLock { $0 }, as: UTF8.self) }
}
