import Foundation

/// One log message from a source, its continuation lines already removed.
public struct LogRecord: Sendable, Equatable {
    /// When the message was logged (wall-clock).
    public var timestamp: Date
    /// The message text matched against the rules.
    public var message: String

    public init(timestamp: Date, message: String) {
        self.timestamp = timestamp
        self.message = message
    }
}

/// A stream of log records: the kernel ring buffer, the journal, a followed file, or a test feed.
public protocol LogSource: Sendable {
    /// A short name for logs and metrics (`kmsg`, `journald`, `file:/var/log/syslog`).
    var name: String { get }
    /// Starts reading; the stream ends when the task consuming it is cancelled or the source fails.
    func records() -> AsyncThrowingStream<LogRecord, any Error>
}
