import Foundation
import MendCore
import Prometheus
import Synchronization
import Testing

@Suite("The write path's general cloud calls")
struct WritePathCloudCallTests {
    final class Calls: Sendable {
        let count = Mutex(0)
        var value: Int { count.withLock { $0 } }
    }

    static func call(_ calls: Calls, failing: Bool = false) -> CloudCall {
        CloudCall(verb: "terminate_instance", target: "asg/general/instance/i-0abc", summary: "decrementDesiredCapacity=true") {
            calls.count.withLock { $0 += 1 }
            if failing { throw CancellationError() }
        }
    }

    @Test func liveCloudCallRunsItsClosureAndIsCountedUnderItsVerb() async throws {
        let registry = PrometheusCollectorRegistry()
        let sink = MemoryLogSink()
        let writes = WritePath(
            kubernetes: nil, dryRun: false, logger: memoryLogger(sink), factory: PrometheusMetricsFactory(registry: registry))
        let calls = Calls()

        try await writes.cloud(Self.call(calls))

        #expect(calls.value == 1)
        let metrics = registry.emitToString()
        #expect(sample(metrics, "mend_writes_total", ["verb": "terminate_instance", "result": "success", "mode": "live"]) == 1)
        #expect(sink.lines.contains { $0.contains("asg/general/instance/i-0abc") })
    }

    @Test func dryRunCloudCallIsLoggedButNeverRun() async throws {
        let registry = PrometheusCollectorRegistry()
        let sink = MemoryLogSink()
        let writes = WritePath(
            kubernetes: nil, dryRun: true, logger: memoryLogger(sink), factory: PrometheusMetricsFactory(registry: registry))
        let calls = Calls()

        try await writes.cloud(Self.call(calls))

        #expect(calls.value == 0)
        let logged = try #require(sink.lines.first { $0.contains("dry-run: would write") })
        #expect(logged.contains("terminate_instance") && logged.contains("decrementDesiredCapacity=true"))
        #expect(sample(registry.emitToString(), "mend_writes_total", ["verb": "terminate_instance", "mode": "dry_run"]) == 1)
    }

    @Test func failingCloudCallIsRethrownAndCountedAsAnError() async throws {
        let registry = PrometheusCollectorRegistry()
        let writes = WritePath(
            kubernetes: nil, dryRun: false, logger: memoryLogger(MemoryLogSink()),
            factory: PrometheusMetricsFactory(registry: registry))
        let calls = Calls()

        await #expect(throws: CancellationError.self) { try await writes.cloud(Self.call(calls, failing: true)) }

        #expect(calls.value == 1)
        #expect(sample(registry.emitToString(), "mend_writes_total", ["verb": "terminate_instance", "result": "error"]) == 1)
    }

    @Test func callsWithTheSameDescriptionAreEqual() {
        let calls = Calls()
        #expect(WriteRequest.cloud(Self.call(calls)) == WriteRequest.cloud(Self.call(calls, failing: true)))
        #expect(WriteRequest.cloud(Self.call(calls)).verb == "terminate_instance")
        #expect(WriteRequest.cloud(Self.call(calls)).target == "asg/general/instance/i-0abc")
    }
}
