import Foundation
import Logging
import MendCore
import MendTime
import Testing

@Suite("Logging")
struct LoggingTests {
    @Test func jsonLinesParseAndCarryTimeLevelLoggerMessageAndMetadata() throws {
        let sink = MemoryLogSink()
        let clock = ManualClock(start: Date(timeIntervalSince1970: 1_800_000_000.25))
        var logger = Logger(label: "mend.drainer") { JSONLogHandler(label: $0, level: .info, sink: sink, clock: clock) }
        logger[metadataKey: "node"] = "ip-10-0-0-1"
        logger.debug("not shown")
        logger.info("cordoned \"node\"\nnext", metadata: ["reason": "KernelDeadlock", "pods": .array(["a", "b"])])
        #expect(sink.lines.count == 1)
        let line = try #require(try parsedLines(sink).first)
        #expect(line["time"] as? String == "2027-01-15T08:00:00.250Z")
        #expect(line["level"] as? String == "info")
        #expect(line["logger"] as? String == "mend.drainer")
        #expect(line["message"] as? String == "cordoned \"node\"\nnext")
        #expect(line["node"] as? String == "ip-10-0-0-1")
        #expect(line["reason"] as? String == "KernelDeadlock")
        #expect(line["pods"] as? [String] == ["a", "b"])
    }

    @Test func secretsAreRedactedInJSONAndText() throws {
        let sink = MemoryLogSink()
        let metadata: Logger.Metadata = [
            "token": "eyJhbGciOi-secret-token", "Authorization": "Bearer abc123", "db_password": "hunter2",
            "request": .dictionary(["headers": .dictionary(["x-api-key": "k", "cookie": "c"]), "clientSecret": "s"]),
            "user": "alice",
        ]
        Logger(label: "json") { JSONLogHandler(label: $0, sink: sink) }.info("calling", metadata: metadata)
        Logger(label: "text") { TextLogHandler(label: $0, sink: sink) }.info("calling", metadata: metadata)
        for line in sink.lines {
            for secret in ["eyJhbGciOi-secret-token", "abc123", "hunter2", "\"c\"", "=c", "\"s\""] {
                #expect(!line.contains(secret), "secret \(secret) leaked in \(line)")
            }
            #expect(line.contains("alice"))
        }
        let json = try #require(try parsedLines(MemoryLogSink.with(sink.lines[0])).first)
        #expect(json["token"] as? String == Redaction.placeholder)
        let request = try #require(json["request"] as? [String: Any])
        #expect(request["clientSecret"] as? String == Redaction.placeholder)
    }

    @Test func textLinesAreReadable() {
        let sink = MemoryLogSink()
        let clock = ManualClock(start: Date(timeIntervalSince1970: 1_800_000_000))
        Logger(label: "mend.drainer") { TextLogHandler(label: $0, sink: sink, clock: clock) }
            .warning("eviction blocked", metadata: ["pod": "default/web-1", "reason": "PDB allows 0"])
        #expect(sink.lines == [#"08:00:00.000 WARNING mend.drainer: eviction blocked pod=default/web-1 reason="PDB allows 0""#])
    }

    @Test func automaticFormatIsTextOnATerminalAndJSONOtherwise() {
        let sink = MemoryLogSink()
        let settings = LoggingSettings(level: .info, format: .auto)
        LoggingBootstrap.makeHandler(settings: settings, sink: sink, isTerminal: false)("a").log(
            event: LogEvent(level: .info, message: "hello", metadata: nil, source: "t", file: #file, function: #function, line: #line))
        LoggingBootstrap.makeHandler(settings: settings, sink: sink, isTerminal: true)("a").log(
            event: LogEvent(level: .info, message: "hello", metadata: nil, source: "t", file: #file, function: #function, line: #line))
        #expect(sink.lines.count == 2)
        #expect(sink.lines[0].hasPrefix("{"))
        #expect(!sink.lines[1].hasPrefix("{"))
        let forced = LoggingBootstrap.makeHandler(settings: LoggingSettings(level: .error, format: .json), sink: sink, isTerminal: true)("b")
        #expect(forced.logLevel == .error)
    }
}

extension MemoryLogSink {
    static func with(_ line: String) -> MemoryLogSink {
        let sink = MemoryLogSink()
        sink.write(line: line)
        return sink
    }
}
