import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where a journald monitor remembers the journal cursor of the last entry it handled, so a
/// restarted detector continues after it (`journalctl --after-cursor`) instead of re-reading its
/// look-back. One file per monitor in the state directory, replaced atomically (written to a
/// temporary file, flushed, renamed over the old one).
public struct CursorFile: Sendable, Equatable {
    /// The file's path.
    public var path: String

    public init(path: String) { self.path = path }

    /// The state file for the monitor loaded from `monitorFile`, in `directory`.
    public init(directory: String, monitorFile: String) {
        let base = URL(fileURLWithPath: monitorFile).lastPathComponent
        path = URL(fileURLWithPath: directory).appendingPathComponent("\(base).journal-cursor").path
    }

    /// Why the cursor cannot be saved or read.
    public enum CursorFileError: Error, CustomStringConvertible, Equatable {
        case cannotWrite(path: String, reason: String)
        case unreadable(path: String, reason: String)
        public var description: String {
            switch self {
            case .cannotWrite(let path, let reason): return "cannot save the journal cursor to \(path): \(reason)"
            case .unreadable(let path, let reason): return "cannot read the journal cursor from \(path): \(reason)"
            }
        }
    }

    /// The saved cursor; nil when there is none yet. A file that does not hold a journal cursor
    /// (`s=...;i=...`) is treated as absent, so a damaged file costs one look-back, not a crash.
    public func load() throws(CursorFileError) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: "permission denied or not a file")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Self.isCursor(text) ? text : nil
    }

    /// Whether `text` looks like a journal cursor (`s=...;i=...;...`, one line).
    static func isCursor(_ text: String) -> Bool {
        !text.isEmpty && text.count < 1024 && !text.contains("\n") && text.split(separator: ";").contains { $0.hasPrefix("s=") }
    }

    /// Replaces the saved cursor atomically.
    public func save(_ cursor: String) throws(CursorFileError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        let bytes = Array((cursor + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        let failure = errno
        close(fd)
        guard written == bytes.count, synced else {
            unlink(temporary)
            throw .cannotWrite(path: path, reason: String(cString: strerror(failure)))
        }
        guard rename(temporary, path) == 0 else {
            let e = errno
            unlink(temporary)
            throw .cannotWrite(path: path, reason: String(cString: strerror(e)))
        }
    }

    /// Checks at start-up that the directory exists (creating it) and is writable.
    public static func prepare(directory: String) throws(CursorFileError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .cannotWrite(path: directory, reason: "\(error.localizedDescription)")
        }
        guard access(directory, W_OK) == 0 else {
            throw .cannotWrite(path: directory, reason: String(cString: strerror(errno)) + " (mount a writable hostPath there, or pass --state-dir)")
        }
    }
}
