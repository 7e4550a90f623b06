import ClusterSim
import Foundation
import KubeModels
import Logging
import MendCore
import Prometheus
import Synchronization
import Testing
@testable import Detector

/// Configuration reload of the monitor files (MendCore's ``ConfigReloader`` over several files)
/// against ClusterSim: a valid change takes effect without a restart and without losing a True
/// condition; an invalid one is refused and the running rules keep firing.
@Suite("monitor reload", .serialized, .timeLimit(.minutes(3)))
struct ReloadTests {
    static let kernel = #"""
    {"plugin": "kmsg", "source": "test-kernel", "conditions": [
       {"type": "KernelDeadlock", "reason": "KernelHasNoDeadlock", "message": "kernel has no deadlock"}],
     "rules": [
       {"type": "permanent", "condition": "KernelDeadlock", "reason": "DockerHung", "pattern": "task docker:\\w+ blocked for more than \\w+ seconds\\."}]}
    """#
    /// `kernel` plus a condition and rule of its own.
    static let kernelWithDisk = #"""
    {"plugin": "kmsg", "source": "test-kernel", "conditions": [
       {"type": "KernelDeadlock", "reason": "KernelHasNoDeadlock", "message": "kernel has no deadlock"},
       {"type": "DiskSlow", "reason": "DiskIsFast", "message": "disk is fast"}],
     "rules": [
       {"type": "permanent", "condition": "KernelDeadlock", "reason": "DockerHung", "pattern": "task docker:\\w+ blocked for more than \\w+ seconds\\."},
       {"type": "permanent", "condition": "DiskSlow", "reason": "DiskTimeout", "pattern": "sd \\S+: timing out command.*"}]}
    """#
    static let network = #"""
    {"plugin": "kmsg", "source": "test-network", "conditions": [
       {"type": "NetDown", "reason": "NetIsUp", "message": "network is up"}],
     "rules": [{"type": "permanent", "condition": "NetDown", "reason": "LinkDown", "pattern": "eth0: link down"}]}
    """#

    /// The log sources loads make: a new one each load, and a record of which the detector started
    /// reading, so a test sees which monitors a reload restarted.
    final class Feeds: Sendable {
        private let started = Mutex<[String: [FeedSource]]>([:])

        /// A source that registers itself with `feeds` when the detector starts reading it.
        struct Tracked: LogSource {
            let feed = FeedSource()
            let file: String
            let feeds: Feeds
            var name: String { "feed:\(file)" }
            func records() -> AsyncThrowingStream<LogRecord, any Error> {
                feeds.started.withLock { $0[file, default: []].append(feed) }
                return feed.records()
            }
        }

        func source(file: String) -> Tracked { Tracked(file: file, feeds: self) }
        /// How many sources of `file` the detector started.
        func starts(_ file: String) -> Int { started.withLock { $0[file]?.count ?? 0 } }
        /// The source of `file` started last (waits, bounded, for the first one).
        func current(_ file: String) async throws -> FeedSource {
            for _ in 0..<500 {
                if let feed = started.withLock({ $0[file]?.last }) { return feed }
                try await Task.sleep(for: .milliseconds(10))
            }
            throw TestFailure("no source of \(file) was started")
        }
    }

    /// Monitor files in a directory, a detector over ClusterSim, and a reloader watching the files.
    struct Setup {
        let h: DetectorHarness
        let dir: URL
        let files: [String]
        let feeds: Feeds
        let reloader: ConfigReloader<NodeProblemDetector.Configuration>

        func write(_ text: String, to file: String) throws { try Fixtures.write(text, to: URL(fileURLWithPath: file)) }
    }

    static func withSetup(_ body: (Setup, NodeProblemDetector.Configuration, AsyncStream<NodeProblemDetector.Configuration>) async throws -> Void) async throws {
        try await DetectorHarness.run { h in
            let dir = try Fixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            let files = ["kernel.json", "network.json"].map { dir.appendingPathComponent($0).path }
            try Fixtures.write(kernel, to: URL(fileURLWithPath: files[0]))
            try Fixtures.write(network, to: URL(fileURLWithPath: files[1]))
            let feeds = Feeds()
            let (reloads, apply) = AsyncStream.makeStream(of: NodeProblemDetector.Configuration.self)
            let reloader = ConfigReloader<NodeProblemDetector.Configuration>(
                paths: files, clock: h.clock, logger: Logger(label: "reload-test"),
                factory: PrometheusMetricsFactory(registry: h.testMetrics.registry),
                load: { texts in
                    let monitors = try MonitorLoader.loadAll(texts: texts.map { ($0.text, $0.source) })
                    var logs: [NodeProblemDetector.LogInput] = []
                    for case .systemLog(let m) in monitors {
                        logs.append(.init(monitor: m, source: feeds.source(file: m.file)))
                    }
                    return NodeProblemDetector.Configuration(
                        logs: logs, plugins: [], fingerprints: Dictionary(uniqueKeysWithValues: texts.map { ($0.source, $0.text) }))
                },
                apply: { apply.yield($0) })
            let setup = Setup(h: h, dir: dir, files: files, feeds: feeds, reloader: reloader)
            let initial = try reloader.loadInitial()
            try await body(setup, initial, reloads)
        }
    }

    @Test func aValidChangeAddsARuleWithoutLosingATrueConditionOrRestartingUnchangedFiles() async throws {
        try await Self.withSetup { s, initial, reloads in
            let h = s.h
            let writer = RecordingWriter(h.writer())
            let run = Task { try await h.detector(writer: writer).run(initial, reloads: reloads) }
            defer { run.cancel() }
            let kernelFeed = try await s.feeds.current(s.files[0])
            let networkFeed = try await s.feeds.current(s.files[1])
            try await h.eventually("conditions asserted") { try await h.condition("NetDown")?.status == .false }
            kernelFeed.send("INFO: task docker:abc blocked for more than 120 seconds.")
            try await h.eventually("KernelDeadlock set") { try await h.condition("KernelDeadlock")?.status == .true }
            let before = try #require(try await h.condition("KernelDeadlock"))

            try s.write(Self.kernelWithDisk, to: s.files[0])
            #expect(await s.reloader.check() == .applied)
            try await h.eventually("the new condition asserted") { try await h.condition("DiskSlow")?.status == .false }

            // Only the changed file's source was restarted; the new rule fires on a new line.
            try await h.eventually("the changed monitor restarted") { s.feeds.starts(s.files[0]) == 2 }
            #expect(s.feeds.starts(s.files[1]) == 1, "the unchanged monitor keeps its source and position")
            try await s.feeds.current(s.files[0]).send("sd 0:0:0:0: timing out command, waited 180s")
            try await h.eventually("DiskSlow set by the new rule") { try await h.condition("DiskSlow")?.status == .true }
            // The unchanged file's source kept running.
            networkFeed.send("eth0: link down")
            try await h.eventually("NetDown set by the unchanged monitor") { try await h.condition("NetDown")?.status == .true }

            let after = try #require(try await h.condition("KernelDeadlock"))
            #expect(after.status == .true && after.reason == "DockerHung", "a True condition stays True across a reload")
            #expect(after.lastTransitionTime == before.lastTransitionTime, "no flap: the transition time is the first one")
            let sent = writer.patches.map { "\($0)" }
            let setAt = try #require(sent.firstIndex { $0.contains("DockerHung") })
            #expect(!sent[setAt...].contains { $0.contains("KernelHasNoDeadlock") }, "no status patch set KernelDeadlock back to healthy")
            #expect(h.testMetrics.value("mend_config_reloads_total", #"result="success""#) == 1)
            #expect(h.testMetrics.value("mend_config_last_reload_successful") == 1)
        }
    }

    static let badChanges: [(String, String, String)] = [
        ("not JSON", "kernel.json", #"{"plugin": "kmsg", "rules": ["#),
        ("a pattern RE2 cannot compile", "kernel.json", kernel.replacingOccurrences(of: #"blocked for more than \\w+ seconds\\."#, with: #"(\\w+) again \\1"#)),
        ("a condition type claimed twice", "network.json", network.replacingOccurrences(of: #""type": "NetDown""#, with: #""type": "KernelDeadlock""#)),
    ]

    @Test(arguments: badChanges.indices)
    func anInvalidChangeIsRefusedAndTheRunningRulesKeepFiring(_ index: Int) async throws {
        let (what, file, text) = Self.badChanges[index]
        try await Self.withSetup { s, initial, reloads in
            let h = s.h
            let run = Task { try await h.detector().run(initial, reloads: reloads) }
            defer { run.cancel() }
            try await h.eventually("conditions asserted") { try await h.condition("NetDown")?.status == .false }
            try s.write(text, to: s.dir.appendingPathComponent(file).path)
            let outcome = await s.reloader.check()
            guard case .refused(let message) = outcome else {
                Issue.record("\(what) was not refused: \(outcome)")
                return
            }
            #expect(message.contains(file), "the error names the file: \(message)")
            #expect(await s.reloader.check() == .unchanged, "one bad edit is reported once")
            #expect(h.testMetrics.value("mend_config_reloads_total", #"result="failure""#) == 1)
            #expect(h.testMetrics.value("mend_config_last_reload_successful") == 0)

            // The old rules and sources still run.
            try await s.feeds.current(s.files[0]).send("INFO: task docker:abc blocked for more than 120 seconds.")
            try await s.feeds.current(s.files[1]).send("eth0: link down")
            try await h.eventually("the old rules fired") {
                let deadlock = try await h.condition("KernelDeadlock")?.status
                let net = try await h.condition("NetDown")?.status
                return deadlock == .true && net == .true
            }
            #expect(s.feeds.starts(s.files[0]) == 1 && s.feeds.starts(s.files[1]) == 1, "nothing restarted")
        }
    }

    @Test func removingAConditionRemovesItFromTheNodeOnlyWhenOptedIn() async throws {
        for optIn in [false, true] {
            try await Self.withSetup { s, initial, reloads in
                let h = s.h
                let detector = NodeProblemDetector(
                    options: .init(nodeName: h.nodeName, heartbeatJitter: 0, clock: h.clock, removeUnconfiguredConditions: optIn),
                    writer: h.writer(), metrics: h.metrics)
                let run = Task { try await detector.run(initial, reloads: reloads) }
                defer { run.cancel() }
                try await s.feeds.current(s.files[1]).send("eth0: link down")
                try await h.eventually("NetDown set") { try await h.condition("NetDown")?.status == .true }

                // NetDown is no longer configured; NicBroken is new (its assertion shows the reload was handled).
                try s.write(#"""
                    {"plugin": "kmsg", "source": "test-network", "conditions": [
                       {"type": "NicBroken", "reason": "NicIsFine", "message": "the NIC is fine"}],
                     "rules": [{"type": "permanent", "condition": "NicBroken", "reason": "NicReset", "pattern": "NETDEV WATCHDOG: eth0"}]}
                    """#, to: s.files[1])
                #expect(await s.reloader.check() == .applied)
                try await h.eventually("NicBroken asserted") { try await h.condition("NicBroken")?.status == .false }
                try await h.eventually("ownership recorded") {
                    try await h.node().metadata.annotations?[ConditionOwnership.annotation]
                        == (optIn ? "KernelDeadlock,NicBroken" : "KernelDeadlock,NetDown,NicBroken")
                }
                if optIn {
                    try await h.eventually("NetDown removed") { try await h.condition("NetDown") == nil }
                } else {
                    #expect(try await h.condition("NetDown")?.status == .true, "kept without the opt-in")
                }
                #expect(try await h.condition("KernelDeadlock")?.status == .false)
            }
        }
    }
}

/// A ``NodeWriter`` that remembers every status patch it passes on.
final class RecordingWriter: NodeWriter {
    private let inner: any NodeWriter
    private let sent = Mutex<[JSONValue]>([])
    init(_ inner: any NodeWriter) { self.inner = inner }

    /// The status patches sent so far, oldest first.
    var patches: [JSONValue] { sent.withLock { $0 } }

    func node(named name: String) async throws -> Node { try await inner.node(named: name) }
    func patchStatus(node name: String, patch: JSONValue) async throws {
        sent.withLock { $0.append(patch) }
        try await inner.patchStatus(node: name, patch: patch)
    }
    func replaceTaints(node name: String, taints: [Taint], resourceVersion: String) async throws {
        try await inner.replaceTaints(node: name, taints: taints, resourceVersion: resourceVersion)
    }
    func annotate(node name: String, key: String, value: String) async throws {
        try await inner.annotate(node: name, key: key, value: value)
    }
    func recordEvent(node: Node, event: DetectorEvent) async { await inner.recordEvent(node: node, event: event) }
}
