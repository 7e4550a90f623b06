import Foundation
import Testing

/// `mend-autoscaler validate` run as a user runs it: the built binary, a real file.
@Suite("mend-autoscaler commands", .timeLimit(.minutes(2)))
struct CommandTests {
    struct CommandFailure: Error, CustomStringConvertible { let description: String }

    /// The executable built next to the test bundle (`swift build --build-tests` builds it).
    static func executable() throws -> URL {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidate = folder.appendingPathComponent("mend-autoscaler")
        guard FileManager.default.isExecutableFile(atPath: candidate.path) else {
            throw CommandFailure(description: "no mend-autoscaler at \(candidate.path); run `swift build --build-tests` first")
        }
        return candidate
    }

    /// Runs the program with `arguments`, bounded by 60 s.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        process.environment = environment.merging(["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]) { a, _ in a }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                throw CommandFailure(description: "mend-autoscaler \(arguments.joined(separator: " ")) did not finish within 60 s")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, text)
    }

    static func temporaryFile(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "mend-autoscaler-\(UUID().uuidString).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func validateAcceptsTheExampleAndPrintsTheEffectiveConfiguration() async throws {
        let example = AutoscalerConfigTests.repoRoot.appendingPathComponent("config/autoscaler.example.yaml").path
        let result = try await Self.run(["validate", "--config", example, "--cluster-name", "staging"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("Configuration is valid."))
        #expect(result.output.contains("clusterName: staging"), "the flag wins over the file")
        #expect(result.output.contains("k8s.io/cluster-autoscaler/staging"))
    }

    @Test func validateRejectsABadFileWithItsPositionAndExitsNonZero() async throws {
        let path = try Self.temporaryFile("clusterName: x\nscaleDown:\n  unneededTime: soon\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await Self.run(["validate", "--config", path])
        #expect(result.status != 0)
        #expect(result.output.contains("\(path):3:17"), "\(result.output)")
        #expect(result.output.contains("scaleDown.unneededTime"), "\(result.output)")
    }

    @Test func planRefusesABadConfigurationBeforeConnectingAnywhere() async throws {
        let result = try await Self.run(
            ["plan", "--cluster-name", "x", "--expander", "cheapest", "--kubeconfig", "/nonexistent/kubeconfig"])
        #expect(result.status != 0)
        #expect(result.output.contains("scaleUp.expander"), "\(result.output)")
        #expect(!result.output.contains("/nonexistent/kubeconfig"), "the kubeconfig was never read")
    }
}
