import Foundation
import Synchronization

/// Where finished log lines go. Standard error in programs; a buffer in tests.
public protocol LogSink: Sendable {
    /// Writes one complete line (without the trailing newline).
    func write(line: String)
}

/// Writes lines to standard error, one `write(2)` per line so lines from tasks never interleave.
public struct StandardErrorSink: LogSink {
    public init() {}

    public func write(line: String) {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}

/// Keeps lines in memory (tests).
public final class MemoryLogSink: LogSink {
    private let storage = Mutex<[String]>([])

    public init() {}

    public func write(line: String) { storage.withLock { $0.append(line) } }

    /// Every line written so far.
    public var lines: [String] { storage.withLock { $0 } }
}
