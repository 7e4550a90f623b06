import AsyncHTTPClient
import Foundation
import Logging
import MendCore
import MendTime
import Metrics
import NIOCore
import Prometheus
import Testing

@Suite("Health and metrics server")
struct HealthServerTests {
    struct Response {
        var status: Int
        var body: String
        var contentType: String?
    }

    static func get(_ port: Int, _ path: String) async throws -> Response {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        return Response(
            status: Int(response.status.code), body: String(buffer: body), contentType: response.headers.first(name: "Content-Type"))
    }

    /// Serves on 127.0.0.1 with an ephemeral port for the duration of `body`.
    static func serving(
        _ checks: HealthChecks, _ registry: PrometheusCollectorRegistry, _ body: (Int) async throws -> Void
    ) async throws {
        let server = HealthServer(
            address: ListenAddress(host: "127.0.0.1", port: 0), checks: checks, registry: registry,
            logger: Logger(label: "test"))
        let channel = try await server.bind()
        do {
            try await body(try #require(channel.localAddress?.port))
        } catch {
            try? await channel.close()
            throw error
        }
        try await channel.close()
    }

    @Test func healthzFailsWhileALivenessCheckReportsUnhealthy() async throws {
        let checks = HealthChecks()
        let clock = ManualClock()
        let heartbeat = Heartbeat(maxSilence: .seconds(60), clock: clock)
        checks.addLivenessCheck("kmsg-source") { heartbeat.status() }
        try await Self.serving(checks, PrometheusCollectorRegistry()) { port in
            let healthy = try await Self.get(port, "/healthz")
            #expect(healthy.status == 200)
            #expect(healthy.body == "liveness check passed\n")

            clock.advance(by: .seconds(90))
            let stalled = try await Self.get(port, "/healthz")
            #expect(stalled.status == 503)
            #expect(stalled.body == "[-] kmsg-source failed: no progress for 1m30s (limit 1m0s)\nliveness check failed\n")

            heartbeat.beat()
            #expect(try await Self.get(port, "/healthz").status == 200)
        }
    }

    @Test func readyzFlipsWithTheReadinessGates() async throws {
        let checks = HealthChecks()
        checks.addReadinessGate("config")
        checks.addReadinessGate("informers", reason: "nodes informer not synced")
        try await Self.serving(checks, PrometheusCollectorRegistry()) { port in
            let starting = try await Self.get(port, "/readyz")
            #expect(starting.status == 503)
            #expect(starting.body.contains("[-] informers failed: nodes informer not synced"))

            checks.setReady("config")
            checks.setReady("informers")
            let ready = try await Self.get(port, "/readyz?verbose")
            #expect(ready.status == 200)
            #expect(ready.body == "[+] config ok\n[+] informers ok\nreadiness check passed\n")

            checks.setNotReady("informers", reason: "watch lost")
            #expect(try await Self.get(port, "/readyz").status == 503)
        }
    }

    @Test func metricsServesThePrometheusTextFormat() async throws {
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusMetricsFactory(registry: registry)
        Counter(label: "mend_writes_total", dimensions: [("verb", "patch_node"), ("result", "success")], factory: factory)
            .increment(by: 3)
        try await Self.serving(HealthChecks(), registry) { port in
            let metrics = try await Self.get(port, "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.contentType?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(metrics.body.contains("# TYPE mend_writes_total counter"))
            #expect(sample(metrics.body, "mend_writes_total", ["verb": "patch_node", "result": "success"]) == 3)
        }
    }

    @Test func unknownPathsAndMethodsAreRefused() async throws {
        try await Self.serving(HealthChecks(), PrometheusCollectorRegistry()) { port in
            #expect(try await Self.get(port, "/nope").status == 404)
            var post = HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz")
            post.method = .POST
            let response = try await HTTPClient.shared.execute(post, timeout: .seconds(5))
            #expect(response.status.code == 405)
        }
    }
}
