import Foundation
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
    static func journal(_ entries: [(String, String, Double)], in dir: URL) throws -> String {
        var export = Data()
        for (k, (identifier, message, time)) in entries.enumerated() {
            let micros = Int64(time * 1e6)
            export += Data("""
            __CURSOR=s=0;i=\(k + 1)
            __REALTIME_TIMESTAMP=\(micros)
            __MONOTONIC_TIMESTAMP=\(k + 1)
            _BOOT_ID=0123456789abcdef0123456789abcdef
            _TRANSPORT=\(identifier == "kernel" ? "kernel" : "journal")
            SYSLOG_IDENTIFIER=\(identifier)
            PRIORITY=3

            """.utf8)
            // Binary-safe field: name, newline, 64-bit little-endian length, data, newline.
            var length = UInt64(message.utf8.count).littleEndian
            export += Data("MESSAGE\n".utf8) + Data(bytes: &length, count: 8) + Data(message.utf8) + Data("\n\n".utf8)
        }
        let input = dir.appendingPathComponent("in.export")
        try export.write(to: input)
        let output = dir.appendingPathComponent("test.journal").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: remote!)
        process.arguments = ["-o", output, input.path]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
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
                                    identifier: "kernel", lookback: .seconds(300), follow: false, metrics: DetectorMetrics())
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
                                    identifier: identifier, lookback: monitor.lookback, follow: false, metrics: DetectorMetrics())
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
                                    follow: false, metrics: DetectorMetrics())
        await #expect {
            for try await _ in source.records() {}
        } throws: { error in
            guard case .journalctlFailed(let status, let stderr) = error as? JournaldSource.JournaldError else { return false }
            return status != 0 && stderr.contains("No such file")
        }
    }
}
