import ArgumentParser
import Detector
import Foundation
import MendCore
import Synchronization

/// Turns monitor files into what the detector runs: each log monitor with its source (and, for
/// journald, the cursor file it resumes from). Used at start-up and on every configuration reload,
/// so a reload is validated exactly like a start.
struct MonitorInputs: Sendable {
    var stateDir: String
    var journalDirectory: String
    var dryRun: Bool
    var metrics: DetectorMetrics

    /// Loads and validates the monitor files (text, path) and builds their inputs. Throws the
    /// loader's error (bad JSON, a pattern our engine cannot compile, a type claimed twice) or a
    /// ``ValidationError`` (no journalctl, an unusable state directory).
    func configuration(_ files: [(text: String, file: String)]) throws -> NodeProblemDetector.Configuration {
        let monitors = try MonitorLoader.loadAll(texts: files)
        var logs: [NodeProblemDetector.LogInput] = []
        var plugins: [CustomPluginMonitor] = []
        var cursorFiles: [String: String] = [:]
        for monitor in monitors {
            switch monitor {
            case .customPlugin(let m): plugins.append(m)
            case .systemLog(let m):
                guard case .journald = m.plugin else {
                    logs.append(.init(monitor: m, source: try source(for: m, resumeCursor: nil)))
                    continue
                }
                let file = CursorFile(directory: stateDir, monitorFile: m.file)
                if let other = cursorFiles[file.path] {
                    throw ValidationError("\(m.file) and \(other) would share the journal cursor file \(file.path); give the monitor files different names")
                }
                cursorFiles[file.path] = m.file
                let resume: String?
                do {
                    if !dryRun { try CursorFile.prepare(directory: stateDir) }
                    resume = try file.load()
                } catch {
                    throw ValidationError("--state-dir: \(error)")
                }
                logs.append(.init(monitor: m, source: try source(for: m, resumeCursor: resume), checkpoint: dryRun ? nil : file))
            }
        }
        let fingerprints = Dictionary(files.map { ($0.file, $0.text) }, uniquingKeysWith: { a, _ in a })
        return NodeProblemDetector.Configuration(logs: logs, plugins: plugins, fingerprints: fingerprints)
    }

    private func source(for monitor: SystemLogMonitor, resumeCursor: String?) throws -> any LogSource {
        switch monitor.plugin {
        case .kmsg:
            return KmsgSource(path: monitor.logPath ?? "/dev/kmsg", lookback: monitor.lookback, metrics: metrics)
        case .journald(let identifier):
            let journalctl: String
            do { journalctl = try JournaldSource.locateJournalctl() } catch {
                throw ValidationError("\(monitor.file): \(error)")
            }
            return JournaldSource(journalctl: journalctl, location: .directory(journalDirectory), identifier: identifier,
                                  lookback: monitor.lookback, resumeCursor: resumeCursor, metrics: metrics)
        case .filelog(let format):
            return FileLogSource(path: monitor.logPath ?? "", format: format, lookback: monitor.lookback, metrics: metrics)
        }
    }
}

/// Reports a refused reload once the program can (the Event needs the client, made after the
/// first load).
final class RefusalReporter: Sendable {
    private let body = Mutex<(@Sendable (ConfigReloader<NodeProblemDetector.Configuration>.Failure) async -> Void)?>(nil)

    func set(_ body: @escaping @Sendable (ConfigReloader<NodeProblemDetector.Configuration>.Failure) async -> Void) {
        self.body.withLock { $0 = body }
    }

    func report(_ failure: ConfigReloader<NodeProblemDetector.Configuration>.Failure) async {
        let report = body.withLock { $0 }
        await report?(failure)
    }
}
