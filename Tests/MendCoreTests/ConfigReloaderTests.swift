import Foundation
import Logging
import MendCore
import MendTime
import Metrics
import Prometheus
import Synchronization
import Testing

/// What a reloader applied and reported, for assertions.
final class ReloadLog: Sendable {
    private let state = Mutex<(applied: [SampleConfig], failures: [String])>(([], []))
    func applied(_ config: SampleConfig) { state.withLock { $0.applied.append(config) } }
    func failed(_ message: String) { state.withLock { $0.failures.append(message) } }
    var appliedConfigs: [SampleConfig] { state.withLock { $0.applied } }
    var failures: [String] { state.withLock { $0.failures } }
}

@Suite("Configuration reload")
struct ConfigReloaderTests {
    static let good = "drain:\n  gracePeriod: 5m\n"
    static let better = "drain:\n  gracePeriod: 7m\n"
    static let bad = "drain:\n  gracePeriod: 5m\n  budget:\n    maxConcurrentDrains: 0\n"

    static func reloader(
        _ path: String, log: ReloadLog, registry: PrometheusCollectorRegistry, clock: any MendClock = ManualClock()
    ) -> ConfigReloader<SampleConfig> {
        ConfigReloader(
            path: path, interval: .seconds(10), clock: clock, logger: Logger(label: "reload-test"),
            factory: PrometheusMetricsFactory(registry: registry),
            load: { text, source in try ConfigLoader.load(SampleConfig.self, yaml: text, source: source) },
            apply: { log.applied($0) },
            onFailure: { log.failed($0.message) })
    }

    static func reloads(_ registry: PrometheusCollectorRegistry, _ result: String) -> Double {
        sample(registry.emitToString(), "mend_config_reloads_total", ["result": result]) ?? 0
    }

    static func lastSuccessful(_ registry: PrometheusCollectorRegistry) -> Double? {
        sample(registry.emitToString(), "mend_config_last_reload_successful", [:])
    }

    @Test func aValidChangeIsAppliedOnceAndCounted() async throws {
        let files = try TempFiles()
        let path = try files.write("drainer.yaml", Self.good)
        let log = ReloadLog()
        let registry = PrometheusCollectorRegistry()
        let reloader = Self.reloader(path, log: log, registry: registry)
        #expect(try reloader.loadInitial().drain.gracePeriod == "5m")
        #expect(await reloader.check() == .unchanged, "the start-up content is not applied again")
        _ = try files.write("drainer.yaml", Self.better)
        #expect(await reloader.check() == .applied)
        #expect(await reloader.check() == .unchanged)
        #expect(log.appliedConfigs.map(\.drain.gracePeriod) == ["7m"])
        #expect(Self.reloads(registry, "success") == 1)
        #expect(Self.reloads(registry, "failure") == 0)
        #expect(Self.lastSuccessful(registry) == 1)
    }

    @Test func aBadChangeKeepsTheOldConfigurationAndIsReportedOnceWithItsPosition() async throws {
        let files = try TempFiles()
        let path = try files.write("drainer.yaml", Self.good)
        let log = ReloadLog()
        let registry = PrometheusCollectorRegistry()
        let reloader = Self.reloader(path, log: log, registry: registry)
        _ = try reloader.loadInitial()
        _ = try files.write("drainer.yaml", Self.bad)
        guard case .refused(let message) = await reloader.check() else {
            Issue.record("a bad change must be refused")
            return
        }
        #expect(message.hasPrefix("\(path):4:26: drain.budget.maxConcurrentDrains: got 0"))
        #expect(await reloader.check() == .unchanged, "the same bad content is reported once")
        #expect(log.appliedConfigs.isEmpty)
        #expect(log.failures == [message])
        #expect(Self.reloads(registry, "failure") == 1)
        #expect(Self.lastSuccessful(registry) == 0)
        // Fixed in git: the next good content is applied and the gauge recovers.
        _ = try files.write("drainer.yaml", Self.better)
        #expect(await reloader.check() == .applied)
        #expect(Self.lastSuccessful(registry) == 1)
        #expect(Self.reloads(registry, "success") == 1)
    }

    @Test func aMissingFileIsRefusedAndTheRunningConfigurationStays() async throws {
        let files = try TempFiles()
        let path = try files.write("drainer.yaml", Self.good)
        let log = ReloadLog()
        let registry = PrometheusCollectorRegistry()
        let reloader = Self.reloader(path, log: log, registry: registry)
        _ = try reloader.loadInitial()
        try FileManager.default.removeItem(atPath: path)
        guard case .refused(let message) = await reloader.check() else {
            Issue.record("a vanished file must be refused")
            return
        }
        #expect(message.contains("cannot read configuration"))
        #expect(log.appliedConfigs.isEmpty)
        _ = try files.write("drainer.yaml", Self.good)
        #expect(await reloader.check() == .unchanged, "back to the content in force: nothing to apply")
        #expect(Self.lastSuccessful(registry) == 1)
    }

    @Test func aConfigMapSymlinkSwapIsSeen() async throws {
        // The layout kubelet gives a ConfigMap volume: file -> ..data/file, ..data -> ..<timestamp>.
        let files = try TempFiles()
        let fm = FileManager.default
        let first = files.path + "/..2026_12_01_00_00_00.000000001"
        let second = files.path + "/..2026_12_01_00_05_00.000000002"
        try fm.createDirectory(atPath: first, withIntermediateDirectories: false)
        try fm.createDirectory(atPath: second, withIntermediateDirectories: false)
        try Self.good.write(toFile: first + "/drainer.yaml", atomically: true, encoding: .utf8)
        try Self.better.write(toFile: second + "/drainer.yaml", atomically: true, encoding: .utf8)
        try fm.createSymbolicLink(atPath: files.path + "/..data", withDestinationPath: (first as NSString).lastPathComponent)
        try fm.createSymbolicLink(atPath: files.path + "/drainer.yaml", withDestinationPath: "..data/drainer.yaml")
        let path = files.path + "/drainer.yaml"
        let log = ReloadLog()
        let registry = PrometheusCollectorRegistry()
        let clock = ManualClock()
        let reloader = Self.reloader(path, log: log, registry: registry, clock: clock)
        #expect(try reloader.loadInitial().drain.gracePeriod == "5m")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await reloader.run() }
            defer { group.cancelAll() }
            // Swap ..data atomically, as kubelet does: a new link renamed over the old one.
            try fm.createSymbolicLink(atPath: files.path + "/..data_tmp", withDestinationPath: (second as NSString).lastPathComponent)
            #expect(rename(files.path + "/..data_tmp", files.path + "/..data") == 0)
            #expect(await clock.waitForSleepers(count: 1))
            clock.advance(by: .seconds(10))
            let start = ContinuousClock.now
            while log.appliedConfigs.isEmpty && ContinuousClock.now - start < .seconds(10) {
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(log.appliedConfigs.map(\.drain.gracePeriod) == ["7m"])
        }
    }
}
