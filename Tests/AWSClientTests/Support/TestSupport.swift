import Foundation
import MendTime
import Metrics
import Synchronization
@testable import AWSClient

/// A clock whose time is set by the test and whose sleeps return at once, recording how long
/// the code asked to sleep (to check backoff without waiting).
final class RecordingClock: MendClock {
    private let state: Mutex<(now: Date, sleeps: [Duration])>

    init(now: Date = Date()) { state = Mutex((now, [])) }

    var now: Date { state.withLock { $0.now } }
    var sleeps: [Duration] { state.withLock { $0.sleeps } }

    func set(_ date: Date) { state.withLock { $0.now = date } }

    func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        state.withLock { $0.sleeps.append(duration); $0.now = $0.now.addingTimeInterval(duration.seconds) }
    }
}

/// A temporary directory removed when the value is released by the test.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "mend-aws-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// swift-metrics counters recorded in memory, installed once for the test process.
final class TestMetrics: MetricsFactory, Sendable {
    static let shared: TestMetrics = {
        let metrics = TestMetrics()
        MetricsSystem.bootstrap(metrics)
        return metrics
    }()

    private let counts = Mutex<[String: Int64]>([:])

    /// The value of counter `label` with exactly these dimensions.
    func value(_ label: String, _ dimensions: [(String, String)]) -> Int64 {
        counts.withLock { $0[Self.key(label, dimensions)] ?? 0 }
    }

    static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        label + dimensions.map { "|\($0.0)=\($0.1)" }.joined()
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        TestCounter(key: Self.key(label, dimensions), counts: self)
    }

    func add(_ key: String, _ amount: Int64) { counts.withLock { $0[key, default: 0] += amount } }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler { NoopRecorder() }
    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler { NoopTimer() }
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}

    private final class TestCounter: CounterHandler {
        let key: String
        let counts: TestMetrics
        init(key: String, counts: TestMetrics) {
            self.key = key
            self.counts = counts
        }
        func increment(by amount: Int64) { counts.add(key, amount) }
        func reset() {}
    }

    private final class NoopRecorder: RecorderHandler {
        func record(_ value: Int64) {}
        func record(_ value: Double) {}
    }

    private final class NoopTimer: TimerHandler {
        func recordNanoseconds(_ duration: Int64) {}
    }
}
