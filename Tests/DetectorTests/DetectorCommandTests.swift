import AsyncHTTPClient
import ClusterSim
import Foundation
import KubeModels
import Testing
@testable import Detector

/// The `mend-detector` program itself: `check-config`, `replay`, and `run` (dry and real) against
/// ClusterSim, with `/metrics` and `/healthz` scraped over HTTP from MendCore's health server.
@Suite("mend-detector commands", .serialized, .timeLimit(.minutes(3)))
struct DetectorCommandTests {
    /// A filelog monitor over `path`: ISO 8601 time, then `kernel: message`.
    static func fileMonitor(logPath: String) -> String {
        #"""
        {"plugin": "filelog", "logPath": "\#(logPath)", "lookback": "1h", "source": "test-file-monitor",
         "pluginConfig": {"timestamp": "^\\S+", "message": "kernel: (.*)", "timestampFormat": "2006-01-02T15:04:05Z07:00"},
         "conditions": [{"type": "ReadonlyFilesystem", "reason": "FilesystemIsNotReadOnly", "message": "Filesystem is not read-only"}],
         "rules": [{"type": "permanent", "condition": "ReadonlyFilesystem", "reason": "FilesystemIsReadOnly", "pattern": "Remounting filesystem read-only"},
                   {"type": "temporary", "reason": "OOMKilling", "pattern": "Killed process \\d+ .*"}]}
        """#
    }

    static func logLine(_ message: String, at date: Date = Date()) -> String {
        "\(ISO8601DateFormatter().string(from: date)) node-1 kernel: \(message)\n"
    }

    static func append(_ text: String, to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    static func get(_ url: String) async throws -> (status: UInt, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (response.status.code, String(buffer: body))
    }

    // MARK: check-config

    @Test func checkConfigAcceptsTheShippedRuleFiles() async throws {
        let files = ["kernel-monitor.json", "containerd-monitor.json", "systemd-monitor.json"].map(Fixtures.config)
        let result = try await DetectorProcess.run(["check-config"] + files)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("ok: 3 monitor file(s)"))
    }

    @Test func checkConfigRejectsABadPatternNamingFileRuleAndColumnAndPrintsNothingElse() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad-monitor.json")
        try Fixtures.write(#"{"plugin": "kmsg", "source": "k", "rules": [{"type": "temporary", "reason": "Ok", "pattern": "a"}, {"type": "temporary", "reason": "Bad", "pattern": "task (\\w+) again \\1"}]}"#, to: bad)
        let result = try await DetectorProcess.run(["check-config", Fixtures.config("kernel-monitor.json"), bad.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains(bad.path))
        #expect(result.stderr.contains("rules[1] (reason Bad)"))
        #expect(result.stderr.contains("column 18"))
        #expect(result.stdout.isEmpty, "no summary for a rejected set of files: \(result.stdout)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["bad-monitor.json"])
    }

    // MARK: replay

    @Test func replayPrintsTheConditionsAndEventsALogWouldHaveSet() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("kern.log")
        try Fixtures.write("""
            usb 1-1: new high-speed USB device number 2 using ehci-pci
            INFO: task docker:20744 blocked for more than 120 seconds.
            Out of memory: Killed process 31652 (stress-ng) total-vm:1049400kB, anon-rss:998860kB, file-rss:4kB, shmem-rss:0kB, UID:0 pgtables:2008kB oom_score_adj:1000

            """, to: log)
        let result = try await DetectorProcess.run(["replay", "--config", Fixtures.config("kernel-monitor.json"), "--log", log.path])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("line 2: condition KernelDeadlock=True") })
        #expect(lines.contains { $0.hasPrefix("line 2: event TaskHung") })
        #expect(lines.contains { $0.hasPrefix("line 3: event OOMKilling") })
        #expect(!lines.contains { $0.hasPrefix("line 1:") })
        #expect(lines.last == "3 line(s), 3 rule match(es)")
    }

    // MARK: run

    @Test func dryRunLogsTheStatusPatchAndWritesNothing() async throws {
        try await DetectorHarness.run { h in
            let dir = try Fixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            let logPath = dir.appendingPathComponent("kern.log").path
            try Fixtures.write(Self.logLine("EXT4-fs (sda1): Remounting filesystem read-only"), to: URL(fileURLWithPath: logPath))
            let monitor = dir.appendingPathComponent("file-monitor.json")
            try Fixtures.write(Self.fileMonitor(logPath: logPath), to: monitor)
            let kubeconfig = try h.server.writeKubeconfig(to: dir.appendingPathComponent("kubeconfig"))

            let running = try DetectorProcess.start([
                "run", "--dry-run", "--config", monitor.path, "--node-name", h.nodeName, "--kubeconfig", kubeconfig.path,
                "--status-address", "127.0.0.1:0", "--log-format", "json", "--log-level", "debug"])
            // The matched line would set the condition: the write path logs the status patch it would send.
            try await running.waitForOutput("the dry-run status patch with the condition") { _, stderr in
                stderr.split(separator: "\n").contains { $0.contains("dry-run: would write") && $0.contains("FilesystemIsReadOnly") }
            }
            _ = try await running.statusPort()
            let status = try await running.terminate()
            #expect(status == 0, "\(running.stderr)")
            #expect(h.server.audit.writes.isEmpty, "dry-run sent \(h.server.audit.writes)")
            #expect(try await h.condition("ReadonlyFilesystem") == nil)
        }
    }

    @Test func runSetsTheConditionFromAFileAndCountsItOnMetrics() async throws {
        try await DetectorHarness.run { h in
            let dir = try Fixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            let logPath = dir.appendingPathComponent("kern.log").path
            try Fixtures.write(Self.logLine("eth0: link becomes ready"), to: URL(fileURLWithPath: logPath))
            let monitor = dir.appendingPathComponent("file-monitor.json")
            try Fixtures.write(Self.fileMonitor(logPath: logPath), to: monitor)
            let kubeconfig = try h.server.writeKubeconfig(to: dir.appendingPathComponent("kubeconfig"))

            let running = try DetectorProcess.start([
                "run", "--config", monitor.path, "--node-name", h.nodeName, "--kubeconfig", kubeconfig.path,
                "--status-address", "127.0.0.1:0", "--log-format", "json"])
            do {
                let base = "http://127.0.0.1:\(try await running.statusPort())"
                // Start-up asserts the healthy condition next to the kubelet's.
                try await h.eventually("the condition asserted False", timeout: .seconds(30)) {
                    try await h.condition("ReadonlyFilesystem")?.status == .false
                }
                let source = #"source="file:\#(logPath)""#
                try await h.eventually("the first line counted", timeout: .seconds(30)) {
                    PrometheusText.value(in: try await Self.get(base + "/metrics").body, "mend_detector_lines_read_total", source) == 1
                }
                let before = PrometheusText.value(in: try await Self.get(base + "/metrics").body, "mend_detector_lines_matched_total", source) ?? 0
                #expect(before == 0)

                try Self.append(Self.logLine("EXT4-fs (sda1): Remounting filesystem read-only"), to: logPath)
                try await h.eventually("the condition set True", timeout: .seconds(30)) {
                    try await h.condition("ReadonlyFilesystem")?.status == .true
                }
                let condition = try #require(try await h.condition("ReadonlyFilesystem"))
                #expect(condition.reason == "FilesystemIsReadOnly")
                #expect(try await h.condition("Ready")?.status == .true, "the kubelet's condition is untouched")

                try await h.eventually("the matched line counted on /metrics", timeout: .seconds(30)) {
                    let text = try await Self.get(base + "/metrics").body
                    return PrometheusText.value(in: text, "mend_detector_lines_matched_total", source) == 1
                        && PrometheusText.value(in: text, "mend_detector_problem_counter", #"type="ReadonlyFilesystem",reason="FilesystemIsReadOnly""#) == 1
                        && PrometheusText.value(in: text, "mend_detector_problem_gauge", #"type="ReadonlyFilesystem",reason="FilesystemIsReadOnly""#) == 1
                }
                #expect(try await Self.get(base + "/healthz").status == 200)
                #expect(try await Self.get(base + "/readyz").status == 200)
            } catch {
                _ = try? await running.terminate()
                throw error
            }
            let status = try await running.terminate()
            #expect(status == 0, "SIGTERM is a clean stop: \(running.stderr)")
            #expect(!running.stderr.contains(#""level":"error""#), "a clean stop logs no error: \(running.stderr)")
        }
    }

    /// A ConfigMap volume as the kubelet writes it: `..data` points to a timestamped directory, the
    /// file is a symlink through `..data`, and an update swaps `..data` atomically.
    struct ConfigMapVolume {
        let root: URL
        var version = 0

        init(root: URL, file: String, text: String) throws {
            self.root = root
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            try publish(file: file, text: text)
            try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent(file).path, withDestinationPath: "..data/\(file)")
        }

        func path(_ file: String) -> String { root.appendingPathComponent(file).path }

        mutating func publish(file: String, text: String) throws {
            version += 1
            let name = "..2026_12_02_00_00_0\(version).00000000\(version)"
            let dir = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try Fixtures.write(text, to: dir.appendingPathComponent(file))
            let temporary = root.appendingPathComponent("..data_tmp").path
            try FileManager.default.createSymbolicLink(atPath: temporary, withDestinationPath: name)
            guard rename(temporary, root.appendingPathComponent("..data").path) == 0 else { throw TestFailure("swap failed") }
        }
    }

    @Test func runReloadsAChangedConfigMapAndRefusesABadOneKeepingItsRules() async throws {
        try await DetectorHarness.run { h in
            let dir = try Fixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            let logPath = dir.appendingPathComponent("kern.log").path
            try Fixtures.write(Self.logLine("eth0: link becomes ready"), to: URL(fileURLWithPath: logPath))
            let original = Self.fileMonitor(logPath: logPath)
            var volume = try ConfigMapVolume(root: dir.appendingPathComponent("config"), file: "file-monitor.json", text: original)
            let kubeconfig = try h.server.writeKubeconfig(to: dir.appendingPathComponent("kubeconfig"))

            let running = try DetectorProcess.start([
                "run", "--config", volume.path("file-monitor.json"), "--node-name", h.nodeName, "--kubeconfig", kubeconfig.path,
                "--status-address", "127.0.0.1:0", "--log-format", "json", "--config-reload-interval", "200ms"])
            do {
                let base = "http://127.0.0.1:\(try await running.statusPort())"
                func metric(_ name: String, _ labels: String = "") async throws -> Double? {
                    PrometheusText.value(in: try await Self.get(base + "/metrics").body, name, labels)
                }
                try Self.append(Self.logLine("EXT4-fs (sda1): Remounting filesystem read-only"), to: logPath)
                try await h.eventually("ReadonlyFilesystem set", timeout: .seconds(30)) {
                    try await h.condition("ReadonlyFilesystem")?.status == .true
                }
                let before = try #require(try await h.condition("ReadonlyFilesystem"))

                // A valid change (a new condition and rule) is applied without a restart.
                let added = original
                    .replacingOccurrences(of: #""conditions": ["#, with: #""conditions": [{"type": "KernelOops", "reason": "NoOops", "message": "no kernel oops"}, "#)
                    .replacingOccurrences(of: #""rules": ["#, with: #""rules": [{"type": "permanent", "condition": "KernelOops", "reason": "OopsSeen", "pattern": "BUG: unable to handle .*"}, "#)
                try volume.publish(file: "file-monitor.json", text: added)
                try await h.eventually("the reload applied", timeout: .seconds(30)) {
                    let applied = try await metric("mend_config_reloads_total", #"result="success""#) == 1
                    let oops = try await h.condition("KernelOops")?.status
                    return applied && oops == .false
                }
                try Self.append(Self.logLine("BUG: unable to handle page fault for address: 0000000000001234"), to: logPath)
                try await h.eventually("the new rule fired", timeout: .seconds(30)) {
                    try await h.condition("KernelOops")?.status == .true
                }
                let kept = try #require(try await h.condition("ReadonlyFilesystem"))
                #expect(kept.status == .true && kept.lastTransitionTime == before.lastTransitionTime, "no flap across the reload")
                #expect(!running.stderr.contains("log source stopped"), "a source the reload replaced is not a failure: \(running.stderr)")

                // An invalid change is refused: metric, Event on the node, log; the rules in force keep firing.
                try volume.publish(file: "file-monitor.json", text: #"{"plugin": "filelog", "rules": [}"#)
                try await h.eventually("the refusal reported", timeout: .seconds(30)) {
                    let failures = try await metric("mend_config_reloads_total", #"result="failure""#)
                    let last = try await metric("mend_config_last_reload_successful")
                    return failures == 1 && last == 0
                }
                try await h.eventually("the Warning Event on the node", timeout: .seconds(30)) {
                    try await h.client.list(CoreV1Event.self, namespace: "default").items.contains {
                        $0.reason == "MendConfigReloadFailed" && $0.type == "Warning" && $0.involvedObject.kind == "Node"
                            && $0.involvedObject.name == h.nodeName && ($0.message ?? "").contains("file-monitor.json")
                    }
                }
                #expect(running.stderr.contains("configuration change refused"))
                try Self.append(Self.logLine("Killed process 4242 (java) total-vm:1kB, anon-rss:1kB, file-rss:0kB"), to: logPath)
                try await h.eventually("the running rules still fire", timeout: .seconds(30)) {
                    try await h.client.list(CoreV1Event.self, namespace: "default").items.contains { $0.reason == "OOMKilling" }
                }
                #expect(try await h.condition("KernelOops")?.status == .true)
            } catch {
                _ = try? await running.terminate()
                throw error
            }
            let status = try await running.terminate()
            #expect(status == 0, "\(running.stderr)")
        }
    }

    @Test func runRefusesABadConfigReloadIntervalBeforeContactingTheCluster() async throws {
        let result = try await DetectorProcess.run([
            "run", "--config", Fixtures.config("kernel-monitor.json"), "--node-name", "n", "--kubeconfig", "/nonexistent",
            "--config-reload-interval", "often"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--config-reload-interval"))
    }

    @Test func runRefusesABadStatusAddressBeforeContactingTheCluster() async throws {
        let result = try await DetectorProcess.run([
            "run", "--config", Fixtures.config("kernel-monitor.json"), "--node-name", "n", "--kubeconfig", "/nonexistent",
            "--status-address", "nowhere"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--status-address"))
    }
}
