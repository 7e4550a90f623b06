import Foundation

/// The result of running a program to completion.
struct ProcessOutput: Sendable {
    var exitCode: Int32
    var stdout: Data
    var stderr: Data
}

/// Runs a program with Foundation's `Process`, reading stdout and stderr concurrently so a chatty
/// plugin cannot dead-lock on a full pipe.
enum ProcessRunner {
    /// - Parameters:
    ///   - executable: absolute path of the program.
    ///   - passStandardInput: hand the caller's stdin to the program (interactive plugins).
    static func run(
        executable: String, arguments: [String], environment: [String: String], passStandardInput: Bool
    ) async throws -> ProcessOutput {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = arguments
                process.environment = environment
                let out = Pipe()
                let err = Pipe()
                process.standardOutput = out
                process.standardError = err
                process.standardInput = passStandardInput ? FileHandle.standardInput : FileHandle.nullDevice
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                let group = DispatchGroup()
                let stderrBox = DataBox()
                group.enter()
                DispatchQueue.global().async {
                    stderrBox.data = err.fileHandleForReading.readDataToEndOfFile()
                    group.leave()
                }
                let stdout = out.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                process.waitUntilExit()
                continuation.resume(
                    returning: ProcessOutput(exitCode: process.terminationStatus, stdout: stdout, stderr: stderrBox.data))
            }
            thread.start()
        }
    }

    /// Finds `command` on `PATH` unless it already contains a `/`.
    static func locate(_ command: String, path: String?) -> String? {
        let fm = FileManager.default
        if command.contains("/") { return fm.isExecutableFile(atPath: command) ? command : nil }
        for folder in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(folder)/\(command)"
            if fm.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// A mutable box written by one thread and read by another after a `DispatchGroup.wait()`.
private final class DataBox: @unchecked Sendable {
    var data = Data()
}
