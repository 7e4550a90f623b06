import Foundation

/// What a program run by a test did: its exit status and what it printed.
public struct ProgramResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    /// Standard output, then standard error (for messages that may go to either).
    public var output: String { stdout + stderr }
}

/// A program that did not finish, or could not be found.
public struct ProgramFailure: Error, CustomStringConvertible {
    public let description: String
}

/// Runs programs as a user runs them: the built Mend products, kubectl, moto.
public enum ProgramRun {
    /// The product `name` built next to the test bundle (`scripts/test` builds every product).
    public static func builtProduct(_ name: String) throws -> URL {
        let buildFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidate = buildFolder.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: candidate.path) else {
            throw ProgramFailure(description: "no \(name) executable at \(candidate.path); build all products first "
                + "(`swift build --build-tests`, which scripts/test runs)")
        }
        return candidate
    }

    /// Runs `executable` to completion, killing it after `timeout` (then it throws). Both pipes
    /// are drained as the program writes, so a large output cannot block it; the blocking reads
    /// run on GCD threads, not in Swift's small cooperative pool (where they would starve the
    /// other tests and any server the program talks to).
    ///
    /// - Parameter environment: the whole environment (`nil`: the test's own).
    public static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String]? = nil,
        currentDirectory: URL? = nil, timeout: Duration = .seconds(60)
    ) async throws -> ProgramResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        async let stdout = readToEnd(out.fileHandleForReading)
        async let stderr = readToEnd(err.fileHandleForReading)
        let deadline = ContinuousClock.now + timeout
        var timedOut = false
        while process.isRunning {
            if ContinuousClock.now > deadline {
                timedOut = true
                process.terminate()
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.waitUntilExit()
        let result = ProgramResult(
            status: process.terminationStatus, stdout: String(decoding: await stdout, as: UTF8.self),
            stderr: String(decoding: await stderr, as: UTF8.self))
        if timedOut {
            throw ProgramFailure(description: "\(executable.lastPathComponent) \(arguments.joined(separator: " ")) did not finish within \(timeout); output so far:\n\(result.output.suffix(2000))")
        }
        return result
    }

    private static func readToEnd(_ handle: FileHandle) async -> Data {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: handle.readDataToEndOfFile()) }
        }
    }
}
