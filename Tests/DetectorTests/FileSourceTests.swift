import Foundation
import Testing
@testable import Detector

@Suite struct FileSourceTests {
    static let monitorJSON = #"""
    {"plugin": "filelog", "logPath": "/var/log/syslog",
     "pluginConfig": {"timestamp": "^.{15}", "message": "kernel: \\[.*\\] (.*)", "timestampFormat": "Jan _2 15:04:05"},
     "source": "syslog-kernel", "lookback": "876000h",
     "rules": [{"type": "temporary", "reason": "OOMKilling", "pattern": "Killed process \\d+ .*"}]}
    """#

    private func format() throws -> FileLogFormat {
        guard case .filelog(let f) = try Fixtures.logMonitor(Self.monitorJSON).plugin else { throw TestFailure("plugin") }
        return f
    }

    @Test func syslogLineSplitsIntoTimeAndMessage() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)  // 2027
        let (time, message) = try #require(try format().parse("Mar  4 05:06:07 node-1 kernel: [ 123.456] Killed process 42 (x)", now: now))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: time)
        #expect([c.year, c.month, c.day, c.hour, c.minute, c.second] == [2027, 3, 4, 5, 6, 7])
        #expect(message == "Killed process 42 (x)")
    }

    @Test func goLayoutsWithZonesAndFractions() throws {
        let layout = try GoTimeLayout("2006-01-02T15:04:05.000Z07:00")
        let date = try #require(layout.parse("2026-11-23T19:51:56.250+01:00"))
        #expect(date.timeIntervalSince1970 == 1_795_459_916.25)
        #expect(layout.parse("2026-13-23T19:51:56.250Z") == nil)
        #expect(throws: GoTimeLayoutError.self) { try GoTimeLayout("no time here") }
    }

    @Test func followsAcrossRotationAndTruncation() async throws {
        let format = try format()
        try await withTimeout { try await Self.rotationAndTruncation(format: format) }
    }

    static func rotationAndTruncation(format: FileLogFormat) async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("syslog").path
        func line(_ n: Int) -> String { "Nov 23 10:00:\(String(format: "%02d", n)) node kernel: [ 1.0] message \(n)\n" }
        try Fixtures.write(line(1) + line(2), to: URL(fileURLWithPath: path))
        let source = FileLogSource(path: path, format: format, lookback: .seconds(3_153_600_000),
                                   pollInterval: .milliseconds(5), metrics: TestMetrics().metrics)
        var iterator = source.records().makeAsyncIterator()
        #expect(try await iterator.next()?.message == "message 1")
        #expect(try await iterator.next()?.message == "message 2")

        // Rotation: the old file gets one last line, is renamed, and a new file takes its path.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(line(3).utf8))
        try handle.close()
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        try Fixtures.write(line(4), to: URL(fileURLWithPath: path))
        #expect(try await iterator.next()?.message == "message 3")
        #expect(try await iterator.next()?.message == "message 4")

        // Truncation in place (copytruncate): the file is now shorter than where we were, so
        // reading restarts at its start. (A file refilled past the old offset before we look
        // cannot be told apart from one that grew; upstream has the same limit.)
        let truncating = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try truncating.truncate(atOffset: 0)
        try truncating.write(contentsOf: Data("Nov 23 10:00:05 node kernel: [ 1.0] m5\n".utf8))
        try truncating.close()
        #expect(try await iterator.next()?.message == "m5")
    }

    @Test func withoutLookBackOnlyNewLinesAreRead() async throws {
        let format = try format()
        try await withTimeout { try await Self.onlyNewLines(format: format) }
    }

    static func onlyNewLines(format: FileLogFormat) async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("syslog").path
        try Fixtures.write("Nov 23 10:00:01 node kernel: [ 1.0] old\n", to: URL(fileURLWithPath: path))
        let source = FileLogSource(path: path, format: format, lookback: nil, pollInterval: .milliseconds(5), metrics: TestMetrics().metrics)
        // The position is taken when reading starts; lines written after it are new.
        var iterator = source.records().makeAsyncIterator()
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("Nov 23 10:00:02 node kernel: [ 2.0] new\n".utf8))
        try handle.close()
        #expect(try await iterator.next()?.message == "new")
    }
}
