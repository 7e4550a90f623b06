import ClusterSim
import Foundation
import KubeClient
import KubeModels
import Logging
import MendTime

/// Starts a ClusterSim API server on 127.0.0.1 and a client connected to it over real HTTP.
enum SimHarness {
    /// Fast retries and no client-side rate limit unless a test asks for them.
    static func testOptions(clock: any MendClock = SystemClock(), qps: Double = 0, burst: Int = 10) -> KubeClientOptions {
        KubeClientOptions(
            userAgent: UserAgent.make(program: "kubeclient-tests", version: "0.0.1"),
            qps: qps, burst: burst,
            retry: RetryPolicy(
                maxAttempts: 4, initialBackoff: .milliseconds(5), maxBackoff: .milliseconds(20),
                maxRetryAfter: .seconds(5)),
            requestTimeout: .seconds(10),
            connectTimeout: .seconds(1),
            clock: clock)
    }

    /// Runs `body` with a fresh server and client; both are shut down afterwards.
    static func with<R>(
        server configuration: ClusterSimServer.Configuration = ClusterSimServer.Configuration(),
        options: KubeClientOptions = testOptions(),
        _ body: (ClusterSimServer, KubernetesClient) async throws -> R
    ) async throws -> R {
        let server = try await ClusterSimServer.start(configuration)
        let client: KubernetesClient
        do {
            let config = KubeConfiguration(server: URL(string: server.url)!, namespace: "default", origin: "test")
            client = try KubernetesClient(configuration: config, options: options, logger: Logger(label: "test"))
        } catch {
            try await server.shutdown()
            throw error
        }
        do {
            let result = try await body(server, client)
            try await client.shutdown()
            try await server.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            try? await server.shutdown()
            throw error
        }
    }

    static func configMap(_ name: String, namespace: String = "default", labels: [String: String]? = nil,
                          data: [String: String] = [:]) -> ConfigMap {
        ConfigMap(metadata: ObjectMeta(name: name, namespace: namespace, labels: labels), data: data)
    }
}
