import ArgumentParser
import Detector
import Foundation

/// `mend-detector`: finds node problems in kernel logs, the journal, log files and check plugins,
/// and reports them as Node conditions and Events. The process starts in ``Entry``.
struct MendDetector: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mend-detector",
        abstract: "Detect node problems and report them as Node conditions and Events.",
        subcommands: [Run.self, CheckConfig.self, Replay.self]
    )
}
