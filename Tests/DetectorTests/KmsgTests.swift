import Foundation
import Testing
@testable import Detector

@Suite struct KmsgTests {
    /// Records as `/dev/kmsg` prints them: one record per read, dictionary lines after it, a gap in
    /// the sequence (records 103 and 104 were overwritten before they were read).
    static let saved = """
    6,100,5000000,-;Linux version 6.1.0-18-amd64
    3,101,7250000,-;EXT4-fs error (device sda1): ext4_find_entry:1455: inode #2: comm ls: reading directory lblock 0
     SUBSYSTEM=block
     DEVICE=b8:1
    4,102,8000000,-;usb 1-1: new high-speed USB device number 2 using xhci_hcd
    3,105,9500000,-;INFO: task docker:20744 blocked for more than 120 seconds.
     SUBSYSTEM=cpu
    6,106,9600000,c;message with an escaped\\x0anewline

    """

    @Test func recordsAreParsedWithDictionaryLinesKeptApart() {
        var parser = KmsgParser()
        var records: [KmsgRecord] = []
        for line in Self.saved.split(separator: "\n", omittingEmptySubsequences: false) {
            if let r = parser.feed(line: line) { records.append(r) }
        }
        if let r = parser.flush() { records.append(r) }
        #expect(records.map(\.sequence) == [100, 101, 102, 105, 106])
        #expect(records[1].level == 3)
        #expect(records[1].microseconds == 7_250_000)
        #expect(records[1].dictionary == ["SUBSYSTEM=block", "DEVICE=b8:1"])
        #expect(records[1].message.hasPrefix("EXT4-fs error (device sda1)"))
        #expect(records[4].message == "message with an escaped\nnewline")
        #expect(records[4].flags == "c")
        #expect(parser.lostRecords == 2)
    }

    @Test func garbageLinesAreCountedNotFatal() {
        var parser = KmsgParser()
        #expect(parser.feed(line: "not a record") == nil)
        #expect(parser.feed(line: " SUBSYSTEM=orphan") == nil)
        #expect(parser.feed(line: "x,y,z,-;bad numbers") == nil)
        #expect(parser.malformedLines == 3)
        _ = parser.feed(line: "6,1,1,-;fine")
        #expect(parser.flush()?.message == "fine")
    }

    @Test func dictionaryLinesNeverReachTheRules() throws {
        // A rule that would match the dictionary line if it were treated as a log line.
        let json = #"{"plugin": "kmsg", "source": "k", "rules": [{"type": "temporary", "reason": "Block", "pattern": "SUBSYSTEM=block"}]}"#
        let monitor = try Fixtures.logMonitor(json)
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("kmsg.txt")
        try Fixtures.write(Self.saved, to: log)
        let summary = try LogReplay(monitor: monitor).run(try FileHandle(forReadingFrom: log)) { _, _ in }
        #expect(summary.fired == 0)
        #expect(summary.lines == 5)
    }

    @Test func sourceReadsSavedRecordsWithWallClockTimesAndCountsTheGap() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("kmsg").path
        try Fixtures.write(Self.saved, to: URL(fileURLWithPath: path))
        let boot = Date(timeIntervalSince1970: 1_800_000_000)
        let test = TestMetrics()
        let metrics = test.metrics
        // Look-back of 4 s from boot+10 s: the record at 5.0 s is too old and skipped.
        let source = KmsgSource(path: path, bootTime: boot, lookback: .seconds(4), start: boot.addingTimeInterval(10), metrics: metrics)
        var got: [LogRecord] = []
        for try await record in source.records() {
            got.append(record)
            if got.count == 4 { break }
        }
        #expect(got.map(\.timestamp.timeIntervalSince1970) == [1_800_000_007.25, 1_800_000_008, 1_800_000_009.5, 1_800_000_009.6])
        #expect(got[2].message == "INFO: task docker:20744 blocked for more than 120 seconds.")
        #expect(test.value("mend_detector_kmsg_records_lost_total") == 2)
    }

    @Test func missingDeviceIsAClearError() async {
        let source = KmsgSource(path: "/nonexistent/kmsg", lookback: nil, metrics: TestMetrics().metrics)
        await #expect {
            for try await _ in source.records() {}
        } throws: { error in "\(error)".contains("/nonexistent/kmsg") }
    }

    @Test func aFloodIsDroppedAndCountedWhileTheReaderKeepsGoing() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("kmsg").path
        var text = ""
        for i in 0..<5_000 { text += "6,\(i),\(i),-;flood line \(i)\n" }
        try Fixtures.write(text, to: URL(fileURLWithPath: path))
        let test = TestMetrics()
        let source = KmsgSource(path: path, bootTime: Date(), lookback: nil, metrics: test.metrics, bufferLimit: 100)
        let read = { test.value("mend_detector_lines_read_total", #"source="kmsg""#) ?? 0 }
        let stream = source.records()
        // Do not consume until the reader has gone through everything.
        let deadline = Date().addingTimeInterval(10)
        while read() < 5_000 && Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
        var consumed = 0
        for try await _ in stream {
            consumed += 1
            if consumed == 100 { break }
        }
        #expect(read() == 5_000)
        #expect(test.value("mend_detector_records_dropped_total", #"source="kmsg""#) == 4_900)
        #expect(consumed == 100)
    }
}
