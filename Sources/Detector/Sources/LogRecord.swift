import Foundation

/// One log message from a source, its continuation lines already removed.
public struct LogRecord: Sendable, Equatable {
    /// When the message was logged (wall-clock).
    public var timestamp: Date
    /// The message text matched against the rules.
    public var message: String
    /// Where the record is in its source, for sources that can resume (the journal's cursor).
    public var cursor: String?

    public init(timestamp: Date, message: String, cursor: String? = nil) {
        self.timestamp = timestamp
        self.message = message
        self.cursor = cursor
    }
}

/// A stream of log records: the kernel ring buffer, the journal, a followed file, or a test feed.
public protocol LogSource: Sendable {
    /// A short name for logs and metrics (`kmsg`, `journald`, `file:/var/log/syslog`).
    var name: String { get }
    /// Starts reading; the stream ends when the task consuming it is cancelled or the source fails.
    func records() -> AsyncThrowingStream<LogRecord, any Error>
}
