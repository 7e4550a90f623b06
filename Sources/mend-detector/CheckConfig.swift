import ArgumentParser
import Detector
import Foundation

/// `mend-detector check-config FILE...`: validates monitor files the way `run` would.
struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate monitor rule files (upstream node-problem-detector format) and exit.")

    @Argument(help: "Monitor files (system-log-monitor or custom-plugin-monitor JSON).")
    var files: [String]

    func run() throws {
        do {
            let monitors = try MonitorLoader.loadAll(paths: files)
            for monitor in monitors {
                print(MonitorSummary.describe(monitor))
            }
            print("ok: \(monitors.count) monitor file(s), \(monitors.flatMap(\.conditions).count) condition type(s)")
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
