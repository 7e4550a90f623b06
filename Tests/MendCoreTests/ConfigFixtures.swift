import Foundation
import MendCore

/// A configuration shaped like mend-drainer's, used to exercise the loader.
struct SampleConfig: ProgramConfiguration, Equatable {
    struct Drain: Codable, Sendable, Equatable {
        struct Budget: Codable, Sendable, Equatable {
            var maxConcurrentDrains: Int
            var maxUnavailable: CountOrPercent
        }

        var budget: Budget
        var gracePeriod: GoDuration
        var nodeSelector: SelectorSetting
        var conditions: [String]
    }

    var dryRun: Bool
    var logging: LoggingSettings
    var server: ServerSettings
    var leaderElection: LeaderElectionSettings
    var drain: Drain

    static var defaults: SampleConfig {
        SampleConfig(
            dryRun: false, logging: LoggingSettings(), server: ServerSettings(),
            leaderElection: LeaderElectionSettings(leaseName: "mend-drainer"),
            drain: Drain(
                budget: Drain.Budget(maxConcurrentDrains: 1, maxUnavailable: .percent(10)), gracePeriod: "10m",
                nodeSelector: SelectorSetting(), conditions: ["KernelDeadlock=True,10m"]))
    }

    func validate(_ v: inout ConfigValidator) {
        v.check(drain.budget.maxConcurrentDrains, at: "drain.budget.maxConcurrentDrains", in: 1...100)
        v.check(drain.gracePeriod, at: "drain.gracePeriod", in: "0s"..."24h")
        leaderElection.validate(&v, at: "leaderElection")
    }
}

/// A fresh folder with files for one test, removed afterwards.
final class TempFiles: @unchecked Sendable {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "mendcore-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ name: String, _ text: String) throws -> String {
        let full = path + "/" + name
        try text.write(toFile: full, atomically: true, encoding: .utf8)
        return full
    }
}
