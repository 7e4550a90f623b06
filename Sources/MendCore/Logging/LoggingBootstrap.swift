import Foundation
import Logging
import MendTime
import Synchronization

/// Sets up swift-log once per process: JSON lines in the cluster, readable text on a terminal.
public enum LoggingBootstrap {
    private static let done = Mutex(false)

    /// The handler factory for `settings` (`auto` picks text when standard error is a terminal).
    public static func makeHandler(
        settings: LoggingSettings, sink: any LogSink = StandardErrorSink(), clock: any MendClock = SystemClock(),
        isTerminal: Bool = isatty(STDERR_FILENO) == 1
    ) -> @Sendable (String) -> any LogHandler {
        let useJSON: Bool
        switch settings.format {
        case .json: useJSON = true
        case .text: useJSON = false
        case .auto: useJSON = !isTerminal
        }
        let level = settings.level.level
        if useJSON {
            return { label in JSONLogHandler(label: label, level: level, sink: sink, clock: clock) }
        }
        return { label in TextLogHandler(label: label, level: level, sink: sink, clock: clock, colors: isTerminal) }
    }

    /// Bootstraps the logging system (only the first call in a process has effect, as swift-log
    /// allows one bootstrap). Call it before anything logs.
    ///
    /// - Returns: false when logging had already been bootstrapped by this function.
    @discardableResult
    public static func bootstrap(_ settings: LoggingSettings, clock: any MendClock = SystemClock()) -> Bool {
        let first = done.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return false }
        LoggingSystem.bootstrap(makeHandler(settings: settings, clock: clock))
        return true
    }
}
