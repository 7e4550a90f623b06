import Foundation
import MendTime
import Testing

@testable import KubeClient

@Suite("Exec credential plugins")
struct ExecCredentialProviderTests {
    let dir: TempDirectory
    init() throws { dir = try TempDirectory() }

    /// A plugin that counts its runs in a file and prints a token naming the run.
    func countingPlugin(expiry: String?, apiVersion: String = "client.authentication.k8s.io/v1") throws -> String {
        let expiryField = expiry.map { ", \"expirationTimestamp\": \"\($0)\"" } ?? ""
        return try dir.write(
            "plugin.sh",
            """
            #!/bin/sh
            count_file="\(dir.path)/count"
            n=$(cat "$count_file" 2>/dev/null || echo 0)
            n=$((n + 1))
            echo $n > "$count_file"
            printf '%s' "$KUBERNETES_EXEC_INFO" > "\(dir.path)/exec-info.json"
            echo "$MY_SETTING" > "\(dir.path)/env-seen"
            cat <<JSON
            {"apiVersion": "\(apiVersion)", "kind": "ExecCredential",
             "status": {"token": "token-run-$n"\(expiryField)}}
            JSON
            """, executable: true)
    }

    @Test func pluginTokenIsCachedUntilExpiryThenRerun() async throws {
        let clock = ManualClock(start: Date(timeIntervalSince1970: 1_800_000_000))
        // Expires 10 minutes after the clock's start.
        let plugin = try countingPlugin(expiry: "2027-01-15T08:10:00Z")
        let provider = ExecCredentialProvider(
            config: ExecPluginConfig(command: plugin, env: [("MY_SETTING", "hello")]),
            clock: clock, environment: ProcessInfo.processInfo.environment, standardInputIsTerminal: false)
        #expect(try await provider.credential().bearerToken == "token-run-1")
        #expect(try await provider.credential().bearerToken == "token-run-1")
        #expect(await provider.runCount == 1)
        clock.advance(to: Date(timeIntervalSince1970: 1_800_000_000 + 3600))
        #expect(try await provider.credential().bearerToken == "token-run-2")
        #expect(await provider.runCount == 2)
        let seen = try String(contentsOfFile: dir.path + "/env-seen", encoding: .utf8)
        #expect(seen.trimmingCharacters(in: .whitespacesAndNewlines) == "hello")
    }

    @Test func invalidateAfter401RerunsThePlugin() async throws {
        let plugin = try countingPlugin(expiry: nil)
        let provider = ExecCredentialProvider(
            config: ExecPluginConfig(command: plugin), standardInputIsTerminal: false)
        #expect(try await provider.credential().bearerToken == "token-run-1")
        await provider.invalidate()
        #expect(try await provider.credential().bearerToken == "token-run-2")
    }

    @Test func execInfoCarriesClusterDetailsWhenAsked() async throws {
        let plugin = try countingPlugin(expiry: nil, apiVersion: "client.authentication.k8s.io/v1beta1")
        let provider = ExecCredentialProvider(
            config: ExecPluginConfig(
                apiVersion: "client.authentication.k8s.io/v1beta1", command: plugin, provideClusterInfo: true,
                interactiveMode: .ifAvailable,
                cluster: ExecClusterInfo(server: "https://eks.example", tlsServerName: "kube", config: ["region": "eu-west-1"])),
            standardInputIsTerminal: false)
        _ = try await provider.credential()
        let info = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: dir.path + "/exec-info.json"))) as? [String: Any]
        let spec = info?["spec"] as? [String: Any]
        let cluster = spec?["cluster"] as? [String: Any]
        #expect(info?["apiVersion"] as? String == "client.authentication.k8s.io/v1beta1")
        #expect(spec?["interactive"] as? Bool == false)
        #expect(cluster?["server"] as? String == "https://eks.example")
        #expect(cluster?["tls-server-name"] as? String == "kube")
        #expect((cluster?["config"] as? [String: Any])?["region"] as? String == "eu-west-1")
    }

    @Test func failingPluginReportsStderrAndInstallHint() async throws {
        let plugin = try dir.write(
            "fail.sh",
            """
            #!/bin/sh
            echo "error: SSO session expired, run aws sso login" >&2
            exit 3
            """, executable: true)
        let provider = ExecCredentialProvider(
            config: ExecPluginConfig(command: plugin, installHint: "Install the AWS CLI v2"),
            standardInputIsTerminal: false)
        do {
            _ = try await provider.credential()
            Issue.record("expected a failure")
        } catch let error as ExecPluginError {
            guard case .failed(_, 3, let stderr, "Install the AWS CLI v2") = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(stderr.contains("SSO session expired"))
            #expect(error.description.contains("SSO session expired"))
            #expect(error.description.contains("Install the AWS CLI v2"))
        }
    }

    @Test func missingCommandGivesInstallHint() async throws {
        let provider = ExecCredentialProvider(
            config: ExecPluginConfig(command: "mend-no-such-plugin-xyz", installHint: "brew install xyz"),
            environment: ["PATH": dir.path], standardInputIsTerminal: false)
        await #expect(throws: ExecPluginError.cannotStart(
            command: "mend-no-such-plugin-xyz", reason: "not found (searched PATH)", installHint: "brew install xyz"))
        {
            _ = try await provider.credential()
        }
    }

    @Test func wrongOutputIsRejectedWithoutLeakingIt() async throws {
        let plugin = try dir.write(
            "wrong.sh",
            """
            #!/bin/sh
            echo '{"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential", "status": {"token": "leaky"}}'
            """, executable: true)
        let provider = ExecCredentialProvider(config: ExecPluginConfig(command: plugin), standardInputIsTerminal: false)
        do {
            _ = try await provider.credential()
            Issue.record("expected a failure")
        } catch let error as ExecPluginError {
            guard case .invalidOutput = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(error.description.contains("v1beta1"))
            #expect(!error.description.contains("leaky"))
        }
    }

    @Test func alwaysInteractiveWithoutTerminalFailsClearly() async throws {
        let plugin = try countingPlugin(expiry: nil)
        let provider = ExecCredentialProvider(
            config: ExecPluginConfig(command: plugin, interactiveMode: .always), standardInputIsTerminal: false)
        await #expect(throws: ExecPluginError.needsTerminal(command: plugin)) { _ = try await provider.credential() }
        #expect(await provider.runCount == 1)
    }
}
