import Foundation
import MendTestSupport

/// The built `mend-detector` executable, run as an operator runs it.
enum DetectorProcess {
    /// `mend-detector arguments` running in the background.
    static func start(_ arguments: [String]) throws -> RunningProgram {
        try RunningProgram(try ProgramRun.builtProduct("mend-detector"), arguments)
    }

    /// Runs `mend-detector arguments` to completion (bounded) with a clean environment.
    static func run(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> ProgramResult {
        try await ProgramRun.run(
            try ProgramRun.builtProduct("mend-detector"), arguments,
            environment: ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()], timeout: timeout)
    }
}
