import Foundation
import Testing

/// The flags the chart and the manifests pass are flags the programs accept: a misspelt or
/// missing flag would crash every pod at start-up.
@Suite("Program flags in the chart and the manifests")
struct ProgramFlagTests {
    /// The long flags `program <subcommand> --help` lists.
    static func acceptedFlags(_ program: String, subcommand: String) throws -> Set<String> {
        let path = try #require(BuiltProgram.path(program), "build \(program) first (swift build --build-tests)")
        let result = try Command.run(path, [subcommand, "--help"], timeout: .seconds(60))
        var flags: Set<String> = []
        for match in AlertTests.matches(of: #"(--[a-z0-9-]+)"#, in: result.stdout) {
            flags.insert(match)
            // `--leader-elect/--no-leader-elect`, `--[no-]x`: both spellings count.
            if match.hasPrefix("--no-") { flags.insert("--" + match.dropFirst(5)) }
        }
        return flags
    }

    static func expectAccepted(_ objects: [KubeObject], in rendering: String) throws {
        let workloads = objects.filter { ["Deployment", "DaemonSet"].contains($0.kind) }
        #expect(workloads.count == 3, "\(rendering): three programs")
        for workload in workloads {
            let container = try #require(workload.containers.first)
            let program = try #require((container["command"] as? [String])?.first.map { ($0 as NSString).lastPathComponent })
            let args = container["args"] as? [String] ?? []
            let subcommand = try #require(args.first, "\(rendering) \(workload.name): no subcommand")
            let accepted = try acceptedFlags(program, subcommand: subcommand)
            for arg in args.dropFirst() where arg.hasPrefix("--") {
                let flag = String(arg.split(separator: "=", maxSplits: 1)[0])
                #expect(accepted.contains(flag), "\(rendering): \(workload.name) passes \(flag), which `\(program) \(subcommand)` does not accept")
            }
        }
    }

    @Test(.enabled(if: Tools.helmAvailable, "Helm's SDK not installed (scripts/test installs it)"))
    func theChartPassesOnlyFlagsTheProgramsAccept() throws {
        try Self.expectAccepted(try ChartTests.render(), in: "chart")
    }

    @Test(.enabled(if: Tools.kubectl != nil, "kubectl not found"))
    func theManifestsPassOnlyFlagsTheProgramsAccept() throws {
        try Self.expectAccepted(try KubeObject.parseAll(try ManifestTests.kustomize("manifests/base")), in: "manifests/base")
        try Self.expectAccepted(
            try KubeObject.parseAll(try ManifestTests.kustomize("manifests/overlays/example")), in: "manifests/overlays/example")
    }
}
