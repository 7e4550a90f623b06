import ClusterSim
import Foundation
import MendTestSupport
import Testing

/// `mend-autoscaler validate` run as a user runs it: the built binary, a real file.
@Suite("mend-autoscaler commands", .timeLimit(.minutes(2)))
struct CommandTests {
    /// Runs the built `mend-autoscaler` with `arguments` and a clean environment, bounded by 60 s;
    /// `output` is what it printed (stdout, then stderr).
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> ProgramResult {
        try await ProgramRun.run(
            try ProgramRun.builtProduct("mend-autoscaler"), arguments,
            environment: environment.merging(["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]) { a, _ in a })
    }

    /// A kubeconfig for `server` whose context's namespace is kube-system (the status ConfigMap's).
    static func kubeconfig(for server: ClusterSimServer) throws -> String {
        try temporaryFile(
            """
            apiVersion: v1
            kind: Config
            clusters: [{name: sim, cluster: {server: "\(server.url)"}}]
            users: [{name: tester, user: {}}]
            contexts: [{name: sim, context: {cluster: sim, user: tester, namespace: kube-system}}]
            current-context: sim
            """)
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
