import Foundation
import MendTestSupport
import Testing

/// `mend demo`, the README's first command, run as a user runs it: the built `mend` binary.
@Suite(.serialized) struct DemoCommandTests {
    /// The package root (the demo finds the shipped kernel monitor from there).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func demo(_ arguments: [String], timeout: Duration = .seconds(120)) async throws -> ProgramResult {
        try await ProgramRun.run(
            try ProgramRun.builtProduct("mend"), ["demo"] + arguments, currentDirectory: root, timeout: timeout)
    }

    @Test(.timeLimit(.minutes(3))) func theDemoWithTwoReplicasOfEachControllerHealsAndExitsZero() async throws {
        let result = try await Self.demo(["--speed", "60", "--replicas", "2"])
        #expect(result.status == 0, "\(result.output)")
        for step in ["KernelDeadlock=True", "cordoned", "evicted", "registered", "cluster healthy"] {
            #expect(result.stdout.contains(step), "missing \(step):\n\(result.stdout)")
        }
    }

    @Test func aBadReplicaCountIsRefusedBeforeAnythingStarts() async throws {
        let result = try await Self.demo(["--replicas", "0"], timeout: .seconds(30))
        #expect(result.status != 0)
        #expect(result.output.contains("--replicas must be between 1 and 5, got 0"), "\(result.output)")
        #expect(!result.stdout.contains("ClusterSim serves"), "nothing started")
    }
}
