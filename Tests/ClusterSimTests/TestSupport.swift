import AsyncHTTPClient
import Foundation
import KubeModels
import NIOCore
import NIOHTTP1
import NIOSSL
@testable import ClusterSim

/// A response as tests see it.
struct TestResponse {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    var json: JSONValue { (try? JSONCodec.parse(body)) ?? .null }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A small HTTP client for talking to ClusterSim over real sockets.
struct TestClient {
    let http: HTTPClient
    let base: String
    var token: String?

    init(server: ClusterSimServer, token: String? = nil, tls: TLSConfiguration? = nil) {
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = tls
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(20))
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        base = server.url
        self.token = token
    }

    func shutdown() async { try? await http.shutdown() }

    func send(_ method: HTTPMethod, _ path: String, json: JSONValue? = nil, body: [UInt8]? = nil,
              contentType: String = "application/json", headers extra: [(String, String)] = []) async throws -> TestResponse {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.headers.add(name: "User-Agent", value: "clustersim-tests")
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        let payload = body ?? json.map { JSONCodec.serialize($0) }
        if let payload {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: payload))
        }
        let response = try await http.execute(request, timeout: .seconds(20))
        var collected = try await response.body.collect(upTo: 256 * 1024 * 1024)
        let bytes = collected.readBytes(length: collected.readableBytes) ?? []
        return TestResponse(status: Int(response.status.code), headers: response.headers, body: bytes)
    }

    func get(_ path: String) async throws -> TestResponse { try await send(.GET, path) }
    func post(_ path: String, _ json: JSONValue) async throws -> TestResponse { try await send(.POST, path, json: json) }
    func put(_ path: String, _ json: JSONValue) async throws -> TestResponse { try await send(.PUT, path, json: json) }
    func delete(_ path: String, _ json: JSONValue? = nil) async throws -> TestResponse { try await send(.DELETE, path, json: json) }
    func patch(_ path: String, _ type: PatchType, _ json: JSONValue) async throws -> TestResponse {
        try await send(.PATCH, path, json: json, contentType: type.rawValue)
    }

    /// Opens a watch and collects events until `count` arrived, the stream ended, or `timeout` passed.
    func watch(_ path: String, count: Int, timeout: Duration = .seconds(5),
               afterOpen: (@Sendable () async throws -> Void)? = nil) async throws -> (status: Int, events: [JSONValue]) {
        var request = HTTPClientRequest(url: base + path)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await http.execute(request, timeout: .seconds(30))
        let status = Int(response.status.code)
        let body = response.body
        return try await withThrowingTaskGroup(of: [JSONValue]?.self) { group in
            group.addTask {
                var events: [JSONValue] = []
                var pending: [UInt8] = []
                for try await var chunk in body {
                    pending.append(contentsOf: chunk.readBytes(length: chunk.readableBytes) ?? [])
                    while let newline = pending.firstIndex(of: 0x0A) {
                        let line = Array(pending[..<newline])
                        pending.removeFirst(newline + 1)
                        if let event = try? JSONCodec.parse(line) { events.append(event) }
                        if events.count >= count { return events }
                    }
                }
                return events
            }
            if let afterOpen { try await afterOpen() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            var result: [JSONValue] = []
            for try await value in group {
                if let value { result = value }
                group.cancelAll()
                break
            }
            return (status, result)
        }
    }
}

/// Runs `body` against a fresh server and client; both are shut down afterwards.
func withSim<T>(_ configuration: ClusterSimServer.Configuration = ClusterSimServer.Configuration(),
                token: String? = nil,
                _ body: (ClusterSimServer, TestClient) async throws -> T) async throws -> T {
    let server = try await ClusterSimServer.start(configuration)
    let client = TestClient(server: server, token: token)
    do {
        let result = try await body(server, client)
        await client.shutdown()
        try await server.shutdown()
        return result
    } catch {
        await client.shutdown()
        try? await server.shutdown()
        throw error
    }
}

enum Fixtures {
    static func node(_ name: String, ready: Bool = true, labels: [String: JSONValue] = [:]) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Node",
            "metadata": ["name": .string(name), "labels": .object(labels)],
            "spec": .object([:]),
            "status": [
                "conditions": [["type": "Ready", "status": ready ? "True" : "False"]],
                "nodeInfo": ["kubeletVersion": "v1.32.0"],
            ],
        ]
    }

    static func pod(_ name: String, namespace: String = "default", node: String? = nil,
                    labels: [String: JSONValue] = ["app": "web"], owner: JSONValue? = nil) -> JSONValue {
        var spec: JSONValue = ["containers": [["name": "app", "image": "nginx"]]]
        if let node { spec["nodeName"] = .string(node) }
        var metadata: JSONValue = ["name": .string(name), "namespace": .string(namespace), "labels": .object(labels)]
        if let owner { metadata["ownerReferences"] = [owner] }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec]
    }

    static let runningReady: JSONValue = [
        "phase": "Running",
        "conditions": [["type": "Ready", "status": "True"]],
        "containerStatuses": [["name": "app", "ready": true, "restartCount": 0, "state": ["running": .object([:])]]],
    ]

    static func pdb(_ name: String, namespace: String = "default", minAvailable: JSONValue? = nil,
                    maxUnavailable: JSONValue? = nil, selector: JSONValue = ["matchLabels": ["app": "web"]],
                    unhealthyPolicy: String? = nil) -> JSONValue {
        var spec: JSONValue = ["selector": selector]
        if let minAvailable { spec["minAvailable"] = minAvailable }
        if let maxUnavailable { spec["maxUnavailable"] = maxUnavailable }
        if let unhealthyPolicy { spec["unhealthyPodEvictionPolicy"] = .string(unhealthyPolicy) }
        return ["apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                "metadata": ["name": .string(name), "namespace": .string(namespace)], "spec": spec]
    }
}

extension ClusterStore {
    var pods: ResourceDescriptor { resource("pods")! }
    var nodes: ResourceDescriptor { resource("nodes")! }
    var pdbs: ResourceDescriptor { resource("poddisruptionbudgets", group: "policy")! }
    var configMaps: ResourceDescriptor { resource("configmaps")! }

    /// Creates a pod that is bound, running and ready (as a kubelet would report it).
    @discardableResult
    func seedRunningPod(_ name: String, namespace: String = "default", node: String = "node-1",
                        labels: [String: JSONValue] = ["app": "web"], ready: Bool = true, owner: JSONValue? = nil) throws -> JSONValue {
        var pod = Fixtures.pod(name, namespace: namespace, node: node, labels: labels, owner: owner)
        var status = Fixtures.runningReady
        if !ready { status["conditions"] = [["type": "Ready", "status": "False"]] }
        pod["status"] = status
        return try create(pods, namespace: namespace, object: pod, options: WriteOptions(keepStatusOnCreate: true))
    }
}
