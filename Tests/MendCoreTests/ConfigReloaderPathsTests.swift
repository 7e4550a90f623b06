import Foundation
import Logging
import MendCore
import MendTime
import Prometheus
import Synchronization
import Testing

/// A ``ConfigReloader`` over several files that make one configuration (mend-detector's monitor files).
@Suite("Configuration reload over several files")
struct ConfigReloaderPathsTests {
    /// Loads "name=value" lines from every file; a value claimed by two files is an error.
    static func reloader(_ paths: [String], applied: Applied, registry: PrometheusCollectorRegistry)
        -> ConfigReloader<[String]>
    {
        ConfigReloader(
            paths: paths, clock: ManualClock(), logger: Logger(label: "reload-paths-test"),
            factory: PrometheusMetricsFactory(registry: registry),
            load: { files in
                var seen: [String: String] = [:]
                for (text, source) in files {
                    for value in text.split(separator: "\n").map(String.init) {
                        if let first = seen[value] { throw SampleError(message: "\(source): \(value) is already in \(first)") }
                        seen[value] = source
                    }
                }
                return seen.keys.sorted()
            },
            apply: { config in applied.list.withLock { $0.append(config) } })
    }

    final class Applied: Sendable { let list = Mutex<[[String]]>([]) }

    struct SampleError: Error, CustomStringConvertible { var message: String; var description: String { message } }

    @Test func aChangeToAnyFileLoadsAllTogetherAndACrossFileConflictIsRefused() async throws {
        let files = try TempFiles()
        let a = try files.write("a.conf", "one\ntwo")
        let b = try files.write("b.conf", "three")
        let applied = Applied()
        let registry = PrometheusCollectorRegistry()
        let reloader = Self.reloader([a, b], applied: applied, registry: registry)
        #expect(reloader.paths == [a, b])
        #expect(try reloader.loadInitial() == ["one", "three", "two"])
        #expect(await reloader.check() == .unchanged)

        _ = try files.write("b.conf", "three\nfour")
        #expect(await reloader.check() == .applied)
        #expect(applied.list.withLock { $0 } == [["four", "one", "three", "two"]])

        // Valid alone, invalid together: refused as a whole, naming the file.
        _ = try files.write("b.conf", "two")
        guard case .refused(let message) = await reloader.check() else {
            Issue.record("a value claimed by two files was not refused")
            return
        }
        #expect(message.contains("b.conf"))
        #expect(applied.list.withLock { $0.count } == 1, "nothing applied")

        _ = try files.write("b.conf", "three")
        #expect(await reloader.check() == .applied)
        // Moving text from one file to the other is a change, even when the concatenation is the same.
        _ = try files.write("a.conf", "one\ntw")
        _ = try files.write("b.conf", "othree")
        #expect(await reloader.check() == .applied)
        #expect(applied.list.withLock { $0.last } == ["one", "othree", "tw"])
    }
}
