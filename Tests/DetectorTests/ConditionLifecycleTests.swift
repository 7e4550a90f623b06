import ClusterSim
import Foundation
import Logging
import MendCore
import KubeClient
import KubeModels
import MendTime
import Synchronization
import Testing
@testable import Detector

/// The condition life cycle against ClusterSim over real HTTP.
@Suite(.serialized) struct ConditionLifecycleTests {
    @Test func conditionsAreAssertedSetAndRecoveredWithoutTouchingTheKubelets() async throws {
        try await DetectorHarness.run { h in
        let feed = FeedSource()
        let detector = h.detector()
        let monitor = try LifecycleMonitor.monitor()
        let run = Task { try await detector.run(logs: [.init(monitor: monitor, source: feed)], plugins: []) }
        defer { run.cancel() }

        // Start-up: every owned condition is asserted False with its default reason.
        try await h.eventually("defaults asserted") { try await h.condition("DiskSlow")?.reason == "DiskIsFast" }
        #expect(try await h.condition("KernelDeadlock")?.status == .false)
        #expect(try await h.condition("Ready")?.reason == "KubeletReady")

        // A permanent rule sets its condition True with the rule's reason and the matched line.
        feed.send("INFO: task docker:20744 blocked for more than 120 seconds.")
        try await h.eventually("KernelDeadlock set") { try await h.condition("KernelDeadlock")?.status == .true }
        let deadlock = try #require(try await h.condition("KernelDeadlock"))
        #expect(deadlock.reason == "DockerHung")
        #expect(deadlock.message == "INFO: task docker:20744 blocked for more than 120 seconds.")
        #expect(try await h.condition("Ready")?.status == .true)

        // A temporary rule is an Event on the node.
        feed.send("Out of memory: Killed process 4242 (java) total-vm:1kB, anon-rss:1kB, file-rss:0kB")
        try await h.eventually("OOM event") {
            let events = try await h.client.list(CoreV1Event.self, namespace: "default").items
            return events.contains { $0.reason == "OOMKilling" && $0.involvedObject.name == h.nodeName }
        }

        // Recovery pattern: True, then back to the default False (and the taint comes and goes).
        feed.send("igb 0000:01:00.0 eth0: link down")
        try await h.eventually("NetDown set") { try await h.condition("NetDown")?.status == .true }
        try await h.eventually("taint added") { try await h.node().spec.taints?.contains { $0.key == "mend.dev/net-down" } == true }
        feed.send("igb 0000:01:00.0 eth0: link up")
        try await h.eventually("NetDown recovered") { try await h.condition("NetDown")?.reason == "NetIsUp" }
        try await h.eventually("taint removed") { try await h.node().spec.taints?.contains { $0.key == "mend.dev/net-down" } != true }

        // Expiry: True, then False after 10 minutes without new evidence.
        feed.send("sd 0:0:0:0: timing out command, waited 180s")
        try await h.eventually("DiskSlow set") { try await h.condition("DiskSlow")?.status == .true }
        await h.advance(by: .seconds(9 * 60), step: .seconds(60))
        #expect(try await h.condition("DiskSlow")?.status == .true)
        await h.advance(by: .seconds(120), step: .seconds(30))
        try await h.eventually("DiskSlow expired") { try await h.condition("DiskSlow")?.status == .false }

        // A permanent condition without a recovery rule stays True.
        #expect(try await h.condition("KernelDeadlock")?.status == .true)
        run.cancel()
        }
    }

    @Test func statusIsPatchedOnlyOnChangeAndOnTheHeartbeat() async throws {
        try await DetectorHarness.run { h in
        let feed = FeedSource()
        let detector = h.detector(heartbeat: .seconds(60))
        let monitor = try LifecycleMonitor.monitor()
        let run = Task { try await detector.run(logs: [.init(monitor: monitor, source: feed)], plugins: []) }
        defer { run.cancel() }
        try await h.eventually("start-up patch") { h.statusPatches == 1 }
        let first = try #require(try await h.condition("KernelDeadlock")?.lastHeartbeatTime)

        // Thirty quiet seconds: ticks, no writes. Lines that match nothing: no writes.
        feed.send("usb 1-1: new high-speed USB device number 2 using xhci_hcd")
        await h.advance(by: .seconds(30))
        #expect(h.statusPatches == 1)

        // The heartbeat (60 s, no jitter in the test) re-sends every condition with a new heartbeat time.
        await h.advance(by: .seconds(35))
        try await h.eventually("heartbeat patch") { h.statusPatches == 2 }
        let second = try #require(try await h.condition("KernelDeadlock")?.lastHeartbeatTime)
        #expect(second > first)
        #expect(try await h.condition("KernelDeadlock")?.lastTransitionTime != nil)

        // The same problem seen again is not a change: no extra write.
        feed.send("INFO: task docker:1 blocked for more than 120 seconds.")
        try await h.eventually("set") { h.statusPatches == 3 }
        feed.send("INFO: task docker:2 blocked for more than 120 seconds.")
        await h.advance(by: .seconds(5))
        #expect(h.statusPatches == 3)
        run.cancel()
        }
    }

    @Test func aRestartKeepsATrueConditionInsteadOfResettingIt() async throws {
        let since = Date(timeIntervalSince1970: 1_790_000_000)
        let existing = NodeCondition(type: NodeConditionType(rawValue: "KernelDeadlock"), status: .true,
                                     lastHeartbeatTime: KubeTime(since), lastTransitionTime: KubeTime(since),
                                     reason: "DockerHung", message: "task docker:7 blocked for more than 120 seconds.")
        var node = Node(metadata: ObjectMeta(name: "node-1"))
        node.status.conditions = [existing]
        try await DetectorHarness.run(node: node) { h in
        let detector = h.detector()
        let monitor = try LifecycleMonitor.monitor()
        let run = Task { try await detector.run(logs: [.init(monitor: monitor, source: FeedSource())], plugins: []) }
        defer { run.cancel() }
        try await h.eventually("start-up patch") { h.statusPatches == 1 }
        let kept = try #require(try await h.condition("KernelDeadlock"))
        #expect(kept.status == .true)
        #expect(kept.reason == "DockerHung")
        #expect(kept.lastTransitionTime == KubeTime(since))
        await h.advance(by: .seconds(10))
        #expect(try await h.condition("KernelDeadlock")?.status == .true)
        run.cancel()
        }
    }

    @Test func aKernelConditionFromBeforeTheLastBootIsReset() async throws {
        let since = Date(timeIntervalSince1970: 1_790_000_000)
        var node = Node(metadata: ObjectMeta(name: "node-1"))
        node.status.conditions = [NodeCondition(type: NodeConditionType(rawValue: "KernelDeadlock"), status: .true,
                                                lastTransitionTime: KubeTime(since), reason: "DockerHung", message: "old")]
        try await DetectorHarness.run(node: node) { h in
        let detector = h.detector(bootTime: since.addingTimeInterval(3600))
        let monitor = try LifecycleMonitor.monitor()
        let run = Task { try await detector.run(logs: [.init(monitor: monitor, source: FeedSource())], plugins: []) }
        defer { run.cancel() }
        try await h.eventually("reset") { try await h.condition("KernelDeadlock")?.status == .false }
        #expect(try await h.condition("KernelDeadlock")?.reason == "KernelHasNoDeadlock")
        run.cancel()
        }
    }

    @Test func aCheckPluginSetsAndClearsItsCondition() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let flag = dir.appendingPathComponent("broken").path
        let script = try PluginTests.script("if [ -e \(flag) ]; then echo 'ntpd not synchronised'; exit 1; fi; exit 0", in: dir)
        let json = """
        {"plugin": "custom", "pluginConfig": {"invoke_interval": "10s", "timeout": "5s", "max_output_length": 80, "concurrency": 2},
         "source": "ntp-monitor",
         "conditions": [{"type": "NTPProblem", "reason": "NTPIsUp", "message": "ntp service is up"}],
         "rules": [{"type": "permanent", "condition": "NTPProblem", "reason": "NTPIsDown", "path": "\(script)"}]}
        """
        guard case .customPlugin(let monitor) = try MonitorLoader.load(data: Data(json.utf8), file: "ntp.json") else { throw TestFailure("kind") }
        try await DetectorHarness.run { h in
        let detector = h.detector()
        let run = Task { try await detector.run(logs: [], plugins: [monitor]) }
        defer { run.cancel() }
        try await h.eventually("asserted") { try await h.condition("NTPProblem")?.status == .false }
        FileManager.default.createFile(atPath: flag, contents: Data())
        // Advance until the plugin loop (which may still be finishing its first run under load) ran again.
        try await h.eventually("problem") {
            await h.advance(by: .seconds(10), step: .seconds(10))
            return try await h.condition("NTPProblem")?.status == .true
        }
        #expect(try await h.condition("NTPProblem")?.message == "ntpd not synchronised")
        try FileManager.default.removeItem(atPath: flag)
        try await h.eventually("recovered") {
            await h.advance(by: .seconds(10), step: .seconds(10))
            return try await h.condition("NTPProblem")?.status == .false
        }
        #expect((h.testMetrics.value("mend_detector_plugin_runs_total", #"result="problem""#) ?? 0) >= 1)
        run.cancel()
        }
    }

    @Test func dryRunLogsPatchesAndEventsAndWritesNothing() async throws {
        try await DetectorHarness.run { h in
        let sink = MemoryLogSink()
        let logger = Logger(label: "mend-detector") { JSONLogHandler(label: $0, level: .info, sink: sink, clock: h.clock) }
        let writer = h.writer(dryRun: true, logger: logger)
        let feed = FeedSource()
        let detector = h.detector(writer: writer)
        let monitor = try LifecycleMonitor.monitor()
        let run = Task { try await detector.run(logs: [.init(monitor: monitor, source: feed)], plugins: []) }
        defer { run.cancel() }
        feed.send("INFO: task docker:20744 blocked for more than 120 seconds.")
        feed.send("Out of memory: Killed process 4242 (java) total-vm:1kB, anon-rss:1kB, file-rss:0kB")
        feed.send("eth0: link down")
        try await h.eventually("logged") {
            // JSON log lines escape the patch bodies they carry; compare without the escapes.
            let lines = sink.lines.map { $0.replacingOccurrences(of: "\\", with: "") }
            return lines.contains { $0.contains("DockerHung") && $0.contains("patch_node_status") && $0.contains("node/node-1") }
                && lines.contains { $0.contains("create_event") && $0.contains("Warning OOMKilling") }
                && lines.contains { $0.contains("patch_node") && $0.contains("/spec/taints") && $0.contains("mend.dev/net-down") }
        }
        #expect(h.server.audit.writes.isEmpty)
        #expect(try await h.condition("KernelDeadlock") == nil)
        run.cancel()
        }
    }
}
