import ArgumentParser
import Detector
import Foundation

/// `mend-detector replay --config F --log FILE`: runs a monitor's rules over a saved log.
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a system-log monitor's rules over a saved log and print what would have fired.")

    @Option(help: "A system-log-monitor file.")
    var config: String

    @Option(help: "The saved log: one message per line, or raw /dev/kmsg records (priority,seq,usec,flags;message).")
    var log: String

    func run() throws {
        let monitor: Monitor
        do { monitor = try MonitorLoader.load(path: config) } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        guard case .systemLog(let logMonitor) = monitor else {
            FileHandle.standardError.write(Data("error: \(config) is a custom-plugin monitor; replay needs a system-log monitor\n".utf8))
            throw ExitCode(2)
        }
        let replay = LogReplay(monitor: logMonitor)
        guard let handle = FileHandle(forReadingAtPath: log) else {
            FileHandle.standardError.write(Data("error: cannot open \(log)\n".utf8))
            throw ExitCode(2)
        }
        let summary = try replay.run(handle) { line, match in
            print("line \(line): \(match.describeAction): \(match.message)")
        }
        print("\(summary.lines) line(s), \(summary.fired) rule match(es)")
    }
}
