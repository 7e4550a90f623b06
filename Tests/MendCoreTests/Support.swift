import ClusterSim
import Foundation
import KubeClient
import KubeModels
import Logging
import MendCore
import MendTime
import Prometheus

/// A ClusterSim API server on 127.0.0.1 and a client talking to it over real HTTP.
enum Sim {
    static func options() -> KubeClientOptions {
        KubeClientOptions(
            userAgent: UserAgent.make(program: "mendcore-tests", version: "0.0.1"), qps: 0, burst: 10,
            retry: RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(5), maxBackoff: .milliseconds(20), maxRetryAfter: .seconds(1)),
            requestTimeout: .seconds(10), connectTimeout: .seconds(1))
    }

    static func client(for server: ClusterSimServer) throws -> KubernetesClient {
        let config = KubeConfiguration(server: URL(string: server.url)!, namespace: "default", origin: "test")
        return try KubernetesClient(configuration: config, options: options(), logger: Logger(label: "test"))
    }

    /// Runs `body` with a fresh server and client, shutting both down afterwards.
    static func with<R>(_ body: (ClusterSimServer, KubernetesClient) async throws -> R) async throws -> R {
        let server = try await ClusterSimServer.start()
        let client: KubernetesClient
        do {
            client = try Self.client(for: server)
        } catch {
            try? await server.shutdown()
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
}

/// A logger writing JSON lines into memory.
func memoryLogger(_ sink: MemoryLogSink, label: String = "test") -> Logger {
    Logger(label: label) { label in JSONLogHandler(label: label, level: .trace, sink: sink) }
}

/// Parses each line as a JSON object.
func parsedLines(_ sink: MemoryLogSink) throws -> [[String: Any]] {
    try sink.lines.map { line in
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw CocoaError(.coderReadCorrupt)
        }
        return object
    }
}

/// The value of one sample in Prometheus text output (`name{labels} value`), labels in any order.
func sample(_ text: String, _ name: String, _ labels: [String: String]) -> Double? {
    for line in text.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
        let parts = line.split(separator: " ")
        guard let value = parts.last.flatMap({ Double($0) }) else { continue }
        var found: [String: String] = [:]
        if let open = line.firstIndex(of: "{"), let close = line.lastIndex(of: "}") {
            for pair in line[line.index(after: open)..<close].split(separator: ",") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                if kv.count == 2 { found[String(kv[0])] = String(kv[1]).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            }
        }
        if labels.allSatisfy({ found[$0.key] == $0.value }) { return value }
    }
    return nil
}
