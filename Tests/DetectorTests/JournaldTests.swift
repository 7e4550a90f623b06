import Foundation
import KubeModels
import Synchronization
import Testing
@testable import Detector

enum JournalTools {
    static let remote = ["/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    static let present = remote != nil && (try? JournaldSource.locateJournalctl()) != nil
}

/// The journald source on real journal files, written by systemd-journal-remote from the journal
/// export format (scripts/test installs it).
@Suite(.enabled(if: JournalTools.present, "needs journalctl and systemd-journal-remote (scripts/test installs them)"))
struct JournaldTests {
    static let remote = JournalTools.remote

    /// Writes a journal file holding `entries` (identifier, message, seconds since 1970).
    /// Monotonic timestamps follow the wall-clock ones, so entries of several files order by time.
    static func journal(_ entries: [(String, String, Double)], in dir: URL, name: String = "test") throws -> String {
        var export = Data()
        for (k, (identifier, message, time)) in entries.enumerated() {
            let micros = Int64(time * 1e6)
            export += Data("""
            __CURSOR=s=0;i=\(k + 1)
            __REALTIME_TIMESTAMP=\(micros)
            __MONOTONIC_TIMESTAMP=\(micros)
            _BOOT_ID=0123456789abcdef0123456789abcdef
            _TRANSPORT=\(identifier == "kernel" ? "kernel" : "journal")
            SYSLOG_IDENTIFIER=\(identifier)
            PRIORITY=3

            """.utf8)
            // Binary-safe field: name, newline, 64-bit little-endian length, data, newline.
            var length = UInt64(message.utf8.count).littleEndian
            export += Data("MESSAGE\n".utf8) + Data(bytes: &length, count: 8) + Data(message.utf8) + Data("\n\n".utf8)
        }
        let input = dir.appendingPathComponent("\(name).export")
        try export.write(to: input)
        let output = dir.appendingPathComponent("\(name).journal").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: remote!)
        process.arguments = ["-o", output, input.path]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: input)
        guard process.terminationStatus == 0 else { throw TestFailure("systemd-journal-remote failed") }
        return output
    }

    @Test func readsEntriesOfOneIdentifierWithTheirTimes() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let now = Date().timeIntervalSince1970
        let file = try Self.journal([
            ("kernel", "EXT4-fs error (device sda1): bad block", now - 10),
            ("containerd", "failed to start shim: exec: \"containerd-shim\": not found", now - 9),
            ("kernel", "EXT4-fs (sda1): Remounting filesystem read-only", now - 8),
            ("kernel", "old news", now - 4000),
        ], in: dir)
        let source = JournaldSource(journalctl: try JournaldSource.locateJournalctl(), location: .files([file]),
                                    identifier: "kernel", lookback: .seconds(300), follow: false, metrics: TestMetrics().metrics)
        var got: [LogRecord] = []
        for try await record in source.records() { got.append(record) }
        #expect(got.map(\.message) == ["EXT4-fs error (device sda1): bad block", "EXT4-fs (sda1): Remounting filesystem read-only"])
        #expect(abs(got[0].timestamp.timeIntervalSince1970 - (now - 10)) < 0.001)
    }

    @Test func rulesFireOnJournalEntries() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let now = Date().timeIntervalSince1970
        let file = try Self.journal([
            ("containerd", "time=\"2026-11-23T10:00:00Z\" level=error msg=\"failed to start shim: fork/exec: no such file\"", now - 5),
            ("systemd", "Started containerd.service - containerd container runtime.", now - 4),
        ], in: dir)
        guard case .systemLog(let monitor) = try MonitorLoader.load(path: Fixtures.config("containerd-monitor.json")) else {
            throw TestFailure("kind")
        }
        guard case .journald(let identifier) = monitor.plugin else { throw TestFailure("plugin") }
        #expect(identifier == "containerd")
        let source = JournaldSource(journalctl: try JournaldSource.locateJournalctl(), location: .files([file]),
                                    identifier: identifier, lookback: monitor.lookback, follow: false, metrics: TestMetrics().metrics)
        var matcher = monitor.matcher
        var fired: [RuleAction] = []
        for try await record in source.records() { fired += matcher.match(record.message).map(\.action) }
        #expect(fired == [.event(reason: "ShimStartFailed")])
    }

    @Test func missingJournalctlIsAStartUpErrorNamingWhereItLooked() {
        #expect(throws: JournaldSource.JournaldError.journalctlMissing(searched: ["/nonexistent/journalctl"])) {
            try JournaldSource.locateJournalctl(candidates: ["/nonexistent/journalctl"])
        }
    }

    @Test func unreadableJournalFailsTheStreamWithJournalctlsMessage() async throws {
        let source = JournaldSource(journalctl: try JournaldSource.locateJournalctl(),
                                    location: .files(["/nonexistent/x.journal"]), identifier: nil, lookback: nil,
                                    follow: false, metrics: TestMetrics().metrics)
        await #expect {
            for try await _ in source.records() {}
        } throws: { error in
            guard case .journalctlFailed(let status, let stderr) = error as? JournaldSource.JournaldError else { return false }
            return status != 0 && stderr.contains("No such file")
        }
    }

    /// Runs a detector over the journal files in `dir` until `done` holds (bounded), resuming from
    /// the cursor saved in `state`; returns how many lines the source read.
    static func runDetector(_ h: DetectorHarness, files: [String], state: CursorFile,
                            until done: @escaping () async throws -> Bool) async throws -> Double {
        let metrics = TestMetrics()
        guard case .systemLog(let monitor) = try MonitorLoader.load(path: Fixtures.config("kernel-monitor.json")) else {
            throw TestFailure("kind")
        }
        let source = JournaldSource(journalctl: try JournaldSource.locateJournalctl(), location: .files(files),
                                    identifier: "kernel", lookback: .seconds(3_600), follow: false,
                                    resumeCursor: try state.load(), metrics: metrics.metrics)
        let detector = NodeProblemDetector(options: .init(nodeName: h.nodeName, heartbeatJitter: 0, clock: h.clock),
                                           writer: h.writer(), metrics: metrics.metrics)
        let run = Task { try await detector.run(logs: [.init(monitor: monitor, source: source, checkpoint: state)], plugins: []) }
        defer { run.cancel() }
        try await h.eventually("the journal handled", timeout: .seconds(30), done)
        run.cancel()
        _ = await run.result
        return metrics.value("mend_detector_lines_read_total", #"source="journald:kernel""#) ?? 0
    }

    static func oomEvents(_ h: DetectorHarness) async throws -> [CoreV1Event] {
        try await h.client.list(CoreV1Event.self, namespace: "default").items.filter { $0.reason == "OOMKilling" }
    }

    @Test func aRestartContinuesAfterTheSavedCursorInsteadOfRereadingTheLookback() async throws {
        try await DetectorHarness.run { h in
            let dir = try Fixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            let state = CursorFile(directory: dir.appendingPathComponent("state").path, monitorFile: "/etc/mend-detector/kernel-monitor.json")
            try CursorFile.prepare(directory: dir.appendingPathComponent("state").path)
            let now = Date().timeIntervalSince1970
            let first = try Self.journal([
                ("kernel", "usb 1-1: new high-speed USB device number 2 using ehci-pci", now - 30),
                ("kernel", "Out of memory: Killed process 1111 (java) total-vm:1kB, anon-rss:1kB, file-rss:0kB", now - 20),
            ], in: dir, name: "first")

            // First run: reads both entries, emits the Event, then saves the cursor.
            let readFirst = try await Self.runDetector(h, files: [first], state: state) {
                let events = try await Self.oomEvents(h).count
                return try state.load() != nil && events == 1
            }
            #expect(readFirst == 2)
            let saved = try #require(try state.load())

            // The journal grows; a restarted detector reads only the new entry.
            let second = try Self.journal([
                ("kernel", "Out of memory: Killed process 2222 (java) total-vm:1kB, anon-rss:1kB, file-rss:0kB", now - 5),
            ], in: dir, name: "second")
            let readSecond = try await Self.runDetector(h, files: [first, second], state: state) {
                let events = try await Self.oomEvents(h).count
                return try state.load() != saved && events == 2
            }
            #expect(readSecond == 1, "the look-back was not re-read")
            let events = try await Self.oomEvents(h)
            #expect(events.allSatisfy { ($0.count ?? 1) == 1 }, "no Event was reported twice")
            #expect(Set(events.compactMap { $0.message?.contains("1111") == true ? "first" : $0.message?.contains("2222") == true ? "second" : nil }) == ["first", "second"])
        }
    }

    /// Issue 5: the saved cursor never passes an entry whose condition change was not written. A
    /// failing `PATCH nodes/<name>/status` holds it back, so a restarted detector reads the entry again.
    @Test func aFailedStatusPatchHoldsBackTheJournalCursorSoARestartRereadsTheEntry() async throws {
        try await DetectorHarness.run { h in
            let dir = try Fixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            let stateDir = dir.appendingPathComponent("state").path
            try CursorFile.prepare(directory: stateDir)
            let state = CursorFile(directory: stateDir, monitorFile: "/etc/mend-detector/kernel-monitor.json")
            let now = Date().timeIntervalSince1970
            let first = try Self.journal([
                ("kernel", "usb 1-1: new high-speed USB device number 2 using ehci-pci", now - 30),
            ], in: dir, name: "first")

            // A healthy run: the cursor is saved after the harmless entry.
            _ = try await Self.runDetector(h, files: [first], state: state) {
                try await h.condition("KernelDeadlock")?.status == .false && state.load() != nil
            }
            let saved = try #require(try state.load())

            // The journal grows by a line that sets a condition, while the API server refuses
            // every status patch: the detector reads it, fails to write it, and is stopped.
            let second = try Self.journal([
                ("kernel", "INFO: task containerd:1234 blocked for more than 120 seconds.", now - 5),
            ], in: dir, name: "second")
            let errorsBefore = h.testMetrics.value("mend_detector_api_errors_total", #"verb="patch""#) ?? 0
            let fault = h.server.faults.add(.fail(code: 500, retryAfterSeconds: nil),
                                            matching: .init(verb: "patch", resource: "nodes/status"))
            let readDuringFault = try await Self.runDetector(h, files: [first, second], state: state) {
                // Start-up assertion, the entry's condition, and its cursor each tried a patch.
                (h.testMetrics.value("mend_detector_api_errors_total", #"verb="patch""#) ?? 0) >= errorsBefore + 3
            }
            #expect(readDuringFault == 1, "the entry was read")
            #expect(try await h.condition("KernelDeadlock")?.status == .false, "the fault kept the condition from being written")
            #expect(try state.load() == saved, "the cursor did not pass the unwritten entry")

            // The API server recovers; a restarted detector reads the entry again and writes it.
            h.server.faults.remove(fault)
            let readAfter = try await Self.runDetector(h, files: [first, second], state: state) {
                try await h.condition("KernelDeadlock")?.status == .true && state.load() != saved
            }
            #expect(readAfter == 1, "only the held-back entry was read again")
            #expect(try await h.condition("KernelDeadlock")?.reason == "ContainerRuntimeHung")
        }
    }
}

/// The journal cursor's state file (no journal tools needed).
@Suite struct CursorFileTests {
    @Test func aCursorFileIsReplacedWholeAndAnUnusableOneCountsAsAbsent() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = CursorFile(directory: dir.path, monitorFile: "kernel-monitor.json")
        #expect(try file.load() == nil)
        try file.save("s=abc;i=1;b=def;m=1;t=2;x=3")
        try file.save("s=abc;i=2;b=def;m=2;t=3;x=4")
        #expect(try file.load() == "s=abc;i=2;b=def;m=2;t=3;x=4")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["kernel-monitor.json.journal-cursor"])
        try Fixtures.write("garbage", to: URL(fileURLWithPath: file.path))
        #expect(try file.load() == nil)
        #expect(throws: CursorFile.CursorFileError.self) { try CursorFile(path: "/nonexistent/dir/x").save("s=1") }
    }
}

/// A full inbox never lets a journald cursor pass a match (issue 5): the source waits for room.
@Suite struct CheckpointBackpressureTests {
    /// Records with journal-style cursors, all sent at once.
    struct CursorSource: LogSource {
        let name = "journald:test"
        let messages: [String]
        func records() -> AsyncThrowingStream<LogRecord, any Error> {
            AsyncThrowingStream { c in
                for (i, m) in messages.enumerated() { c.yield(LogRecord(timestamp: Date(), message: m, cursor: "s=test;i=\(i + 1)")) }
                c.finish()
            }
        }
    }

    /// A writer whose Events wait for `open` (a slow API server), counted.
    final class SlowEvents: NodeWriter {
        let inner: any NodeWriter
        let open = Mutex(false)
        let events = Mutex(0)
        init(_ inner: any NodeWriter) { self.inner = inner }
        func node(named name: String) async throws -> Node { try await inner.node(named: name) }
        func patchStatus(node name: String, patch: JSONValue) async throws { try await inner.patchStatus(node: name, patch: patch) }
        func replaceTaints(node name: String, taints: [Taint], resourceVersion: String) async throws {}
        func annotate(node name: String, key: String, value: String) async throws {}
        func recordEvent(node: Node, event: DetectorEvent) async {
            for _ in 0..<1_000 where !open.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(10)) }
            events.withLock { $0 += 1 }
        }
    }

    @Test func aFullInboxMakesAJournaldSourceWaitInsteadOfDroppingAMatchItsCursorWouldPass() async throws {
        try await DetectorHarness.run { h in
            let dir = try Fixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            let state = CursorFile(directory: dir.path, monitorFile: "kernel-monitor.json")
            let monitor = try LifecycleMonitor.monitor()
            let count = 40
            let source = CursorSource(messages: (0..<count).map { "Killed process \($0) (java)" })
            let writer = SlowEvents(h.writer())
            var options = NodeProblemDetector.Options(nodeName: h.nodeName, heartbeatJitter: 0, clock: h.clock)
            options.inboxCapacity = 4
            let detector = NodeProblemDetector(options: options, writer: writer, metrics: h.metrics)
            let run = Task { try await detector.run(logs: [.init(monitor: monitor, source: source, checkpoint: state)], plugins: []) }
            defer { run.cancel() }
            // The run loop is stuck on the first Event while the source has 40 matches to hand over.
            try await Task.sleep(for: .milliseconds(300))
            writer.open.withLock { $0 = true }
            try await h.eventually("every match handled and the last cursor saved", timeout: .seconds(30)) {
                try state.load() == "s=test;i=\(count)" && writer.events.withLock { $0 } == count
            }
            #expect(h.testMetrics.value("mend_detector_records_dropped_total", #"source="journald:test""#) ?? 0 == 0)
        }
    }
}
