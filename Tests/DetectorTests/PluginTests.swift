import Foundation
import Testing
@testable import Detector

@Suite struct PluginTests {
    /// Writes an executable shell script and returns its path.
    static func script(_ body: String, in dir: URL, name: String = "check.sh") throws -> String {
        let url = dir.appendingPathComponent(name)
        try Fixtures.write("#!/bin/sh\n\(body)\n", to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        return url.path
    }

    @Test func exitZeroIsOKAndOneIsAProblem() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let runner = PluginRunner(maxOutputLength: 80)
        let ok = await runner.run(path: try Self.script("echo all good; exit 0", in: dir, name: "ok.sh"), args: [], timeout: .seconds(5))
        #expect(ok == PluginResult(status: .ok, output: "all good", timedOut: false))
        let bad = await runner.run(path: try Self.script("echo \"ntp is down: $1\"; exit 1", in: dir, name: "bad.sh"), args: ["chrony"], timeout: .seconds(5))
        #expect(bad == PluginResult(status: .problem, output: "ntp is down: chrony", timedOut: false))
        let other = await runner.run(path: try Self.script("exit 3", in: dir, name: "three.sh"), args: [], timeout: .seconds(5))
        #expect(other.status == .unknown)
    }

    @Test func aPluginPastItsTimeoutIsKilledAndUnknown() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let started = ContinuousClock.now
        let result = await PluginRunner(maxOutputLength: 80).run(path: try Self.script("exec sleep 30", in: dir), args: [], timeout: .milliseconds(300))
        #expect(result.status == .unknown)
        #expect(result.timedOut)
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func outputBeyondTheLimitIsCutAndDoesNotBlockThePlugin() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 1 MB of output: more than a pipe holds, so a reader that stopped reading would hang it.
        let path = try Self.script("head -c 1000000 /dev/zero | tr '\\0' x; exit 1", in: dir)
        let result = await PluginRunner(maxOutputLength: 80).run(path: path, args: [], timeout: .seconds(20))
        #expect(result.status == .problem)
        #expect(result.output == String(repeating: "x", count: 80))
    }

    @Test func aMissingProgramIsUnknownWithTheReason() async {
        let result = await PluginRunner(maxOutputLength: 80).run(path: "/nonexistent/check", args: [], timeout: .seconds(1))
        #expect(result.status == .unknown)
        #expect(result.output.contains("/nonexistent/check"))
    }
}
