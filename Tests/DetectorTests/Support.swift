import Foundation
import Prometheus
@testable import Detector

/// Paths and helpers shared by the detector tests.
enum Fixtures {
    /// The repository root (…/Tests/DetectorTests/Support.swift → …).
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// Upstream node-problem-detector's kernel-monitor.json, unchanged.
    static let upstreamKernelMonitor = repoRoot.appendingPathComponent("../shared/fixtures/npd/kernel-monitor.json").standardizedFileURL.path
    /// Mend's own rule files.
    static func config(_ name: String) -> String { repoRoot.appendingPathComponent("config/\(name)").path }

    /// A fresh temporary directory, removed by the caller with `cleanup`.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mend-detector-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ text: String, to url: URL) throws {
        try Data(text.utf8).write(to: url)
    }

    /// Loads a system-log monitor from JSON text.
    static func logMonitor(_ json: String, file: String = "test.json") throws -> SystemLogMonitor {
        guard case .systemLog(let m) = try MonitorLoader.load(data: Data(json.utf8), file: file) else {
            throw TestFailure("not a system-log monitor")
        }
        return m
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Runs `body`, failing with a clear error (and cancelling it) if it takes longer than `limit`.
func withTimeout<R: Sendable>(_ limit: Duration = .seconds(10), _ body: @escaping @Sendable () async throws -> R) async throws -> R {
    try await withThrowingTaskGroup(of: R?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw TestFailure("timed out after \(limit)")
        }
        return value
    }
}

/// A ``DetectorMetrics`` over a registry of the test's own, read back in the Prometheus text format
/// that `/metrics` serves.
struct TestMetrics {
    let registry = PrometheusCollectorRegistry()
    let metrics: DetectorMetrics

    init() { metrics = DetectorMetrics(factory: PrometheusMetricsFactory(registry: registry)) }

    /// The exposition text.
    var text: String { registry.emitToString() }

    /// The value of the sample `name{labels}` (labels in the order they are exported), or nil.
    func value(_ name: String, _ labels: String = "") -> Double? {
        PrometheusText.value(in: text, name, labels)
    }
}

/// Reads samples out of the Prometheus text exposition format.
enum PrometheusText {
    /// The value of `name{labels}` in `text` (`labels` as `a="x",b="y"`, empty for none).
    static func value(in text: String, _ name: String, _ labels: String = "") -> Double? {
        let key = labels.isEmpty ? name : "\(name){\(labels)}"
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), line[..<space] == key else { continue }
            return Double(line[line.index(after: space)...])
        }
        return nil
    }
}
