import AsyncHTTPClient
import Foundation
import KubeModels
import NIOSSL
import Testing
@testable import ClusterSim

@Suite("TLS, authentication, audit log, fault injection")
struct SecurityAuditFaultTests {
    @Test func bearerTokenIsRequiredWhenConfigured() async throws {
        var configuration = ClusterSimServer.Configuration()
        configuration.tokens = ["s3cret": "alice"]
        try await withSim(configuration) { server, anonymous in
            let refused = try await anonymous.get("/api/v1/nodes")
            #expect(refused.status == 401)
            #expect(refused.json["reason"] == "Unauthorized")
            let wrong = TestClient(server: server, token: "wrong")
            #expect(try await wrong.get("/api/v1/nodes").status == 401)
            await wrong.shutdown()
            let alice = TestClient(server: server, token: "s3cret")
            #expect(try await alice.get("/api/v1/nodes").status == 200)
            _ = try await alice.post("/api/v1/namespaces/default/configmaps", ["metadata": ["name": "c"]])
            await alice.shutdown()
            #expect(server.audit.writes.last?.user == "alice")
        }
    }

    @Test func tlsServesWithItsCAAndClientCertificatesAuthenticate() async throws {
        var configuration = ClusterSimServer.Configuration()
        configuration.tls = true
        configuration.requireAuthentication = true
        let server = try await ClusterSimServer.start(configuration)
        let ca = try #require(server.certificateAuthority)
        #expect(server.url.hasPrefix("https://127.0.0.1:"))
        var trustOnly = TLSConfiguration.makeClientConfiguration()
        trustOnly.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(ca.certificatePEM.utf8)))
        let anonymous = TestClient(server: server, tls: trustOnly)
        let refused = try await anonymous.get("/api/v1/nodes")
        #expect(refused.status == 401, "the server's certificate is trusted, but no identity was presented")
        await anonymous.shutdown()

        let issued = try ca.issueClientCertificate(commonName: "bob", organizations: ["system:masters"])
        var withCert = trustOnly
        withCert.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(issued.certificatePEM.utf8)).map { .certificate($0) }
        withCert.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(issued.privateKeyPEM.utf8), format: .pem))
        let bob = TestClient(server: server, tls: withCert)
        #expect(try await bob.get("/api/v1/nodes").status == 200)
        _ = try await bob.post("/api/v1/namespaces/default/configmaps", ["metadata": ["name": "c"]])
        await bob.shutdown()
        #expect(server.audit.writes.last?.user == "bob")

        let untrusted = TestClient(server: server, tls: TLSConfiguration.makeClientConfiguration())
        await #expect(throws: (any Error).self) { _ = try await untrusted.get("/api/v1/nodes") }
        await untrusted.shutdown()
        try await server.shutdown()
    }

    @Test func kubeconfigCarriesTheServerCAAndCredentials() async throws {
        var configuration = ClusterSimServer.Configuration()
        configuration.tls = true
        configuration.tokens = ["t0ken": "admin"]
        let server = try await ClusterSimServer.start(configuration)
        let text = try server.kubeconfig()
        #expect(text.contains("server: \(server.url)"))
        #expect(text.contains("certificate-authority-data: "))
        #expect(text.contains("token: t0ken"))
        let withCert = try server.kubeconfig(credentials: .clientCertificate(commonName: "carol", groups: []))
        #expect(withCert.contains("client-certificate-data: "))
        #expect(withCert.contains("client-key-data: "))
        let url = try server.writeKubeconfig()
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        try? FileManager.default.removeItem(at: url)
        try await server.shutdown()
    }

    @Test func startingOnAPortInUseFailsWithAClearError() async throws {
        try await withSim { server, _ in
            var configuration = ClusterSimServer.Configuration()
            configuration.port = server.port
            await #expect(throws: ClusterSimError.self) { _ = try await ClusterSimServer.start(configuration) }
            do {
                _ = try await ClusterSimServer.start(configuration)
            } catch {
                #expect(String(describing: error).contains("cannot listen on 127.0.0.1:\(server.port)"))
            }
        }
    }

    @Test func auditLogRecordsWritesButNotReads() async throws {
        try await withSim { server, client in
            _ = try await client.get("/api/v1/namespaces/default/configmaps")
            #expect(server.audit.entries.isEmpty)
            _ = try await client.post("/api/v1/namespaces/default/configmaps", ["metadata": ["name": "c"]])
            _ = try await client.patch("/api/v1/namespaces/default/configmaps/c?dryRun=All", .merge, ["data": ["a": "1"]])
            _ = try await client.delete("/api/v1/namespaces/default/configmaps/missing")
            let entries = server.audit.entries
            #expect(entries.map(\.verb) == ["create", "patch", "delete"])
            #expect(entries[0].name == "c")
            #expect(entries[0].code == 201)
            #expect(entries[0].resource == "configmaps")
            #expect(entries[0].userAgent == "clustersim-tests")
            #expect(entries[0].user == "anonymous")
            #expect(entries[1].dryRun)
            #expect(entries[2].code == 404)
            #expect(server.audit.writes.count == 2)
            let overHTTP = try await client.get("/debug/audit")
            #expect(overHTTP.json["items"]?.arrayValue?.count == 3)
        }
    }

    @Test func injectedFailuresAnswerTheNextMatchingRequests() async throws {
        try await withSim { server, client in
            server.faults.failNext(2, code: 429, retryAfterSeconds: 1, matching: .init(verb: "list", resource: "pods"))
            let first = try await client.get("/api/v1/pods")
            #expect(first.status == 429)
            #expect(first.headers.first(name: "Retry-After") == "1")
            #expect(first.json["reason"] == "TooManyRequests")
            #expect(try await client.get("/api/v1/nodes").status == 200, "other resources are unaffected")
            #expect(try await client.get("/api/v1/pods").status == 429)
            #expect(try await client.get("/api/v1/pods").status == 200, "only the next two")
            server.faults.failNext(1, code: 503)
            let unavailable = try await client.get("/api/v1/nodes")
            #expect(unavailable.status == 503)
            #expect(unavailable.json["reason"] == "ServiceUnavailable")
            server.faults.failNext(1, code: 500, matching: .init(resource: "pods/eviction"))
            try server.store.seedRunningPod("p")
            let eviction = try await client.post("/api/v1/namespaces/default/pods/p/eviction",
                                                 ["apiVersion": "policy/v1", "kind": "Eviction", "metadata": ["name": "p"]])
            #expect(eviction.status == 500)
        }
    }

    @Test func injectedLatencyDelaysResponses() async throws {
        try await withSim { server, client in
            server.faults.addLatency(.milliseconds(300), matching: .init(verb: "get"), count: 1)
            let start = ContinuousClock.now
            _ = try await client.get("/api/v1/namespaces/default")
            #expect(ContinuousClock.now - start >= .milliseconds(300))
        }
    }

    @Test func randomFailuresHitAboutTheirShareAndReplayWithTheSameSeed() async throws {
        let pods = ClusterStore().descriptor("pods")
        let list = ResourceRequest(resource: pods, version: "v1", namespace: nil, name: nil, subresource: nil, verb: "list")
        let get = ResourceRequest(resource: pods, version: "v1", namespace: "default", name: "p", subresource: nil, verb: "get")
        func outcomes(seed: UInt64) -> [Bool] {
            let faults = FaultInjector(seed: seed)
            faults.failRandomly(rate: 0.3, code: 503, matching: .init(verb: "list"))
            #expect(faults.evaluate(get).error == nil, "only matching requests")
            return (0..<1000).map { _ in faults.evaluate(list).error != nil }
        }
        let first = outcomes(seed: 7)
        let share = Double(first.filter { $0 }.count) / Double(first.count)
        #expect((0.25...0.35).contains(share), "about 30 % fail, got \(share)")
        #expect(outcomes(seed: 7) == first, "the same seed gives the same failures")
        #expect(outcomes(seed: 8) != first)
    }

    @Test func aFaultCanSingleOutOneClientByItsUserAgent() {
        let pods = ClusterStore().descriptor("pods")
        let patch = ResourceRequest(resource: pods, version: "v1", namespace: "default", name: "p", subresource: nil, verb: "patch")
        let faults = FaultInjector()
        faults.add(.fail(code: 503, retryAfterSeconds: nil), matching: .init(userAgent: "mend-drainer-0/"))
        #expect(faults.evaluate(patch, userAgent: "mend-drainer-0/demo (linux)").error?.code == 503, "the partitioned replica")
        #expect(faults.evaluate(patch, userAgent: "mend-drainer-1/demo (linux)").error == nil, "its peer is unaffected")
        #expect(faults.evaluate(patch, userAgent: "").error == nil, "a client without a user agent is unaffected")
    }

    @Test func aSimulatedRestartEndsWatchesAndForgetsHistory() async throws {
        try await withSim { server, client in
            try server.store.seedRunningPod("p")
            let before = server.store.compactedRevision
            server.simulateRestart()
            #expect(server.store.compactedRevision > before)
            // The restart closes every connection; a request on a pooled one can meet it closed,
            // as any client of a restarted API server can: such a request is asked again (bounded).
            func get(_ path: String) async throws -> TestResponse {
                for _ in 1..<3 {
                    if let response = try? await client.get(path) { return response }
                    try await Task.sleep(for: .milliseconds(50))
                }
                return try await client.get(path)
            }
            let resumed = try await get("/api/v1/pods?watch=true&resourceVersion=1&timeoutSeconds=1")
            #expect(resumed.status == 410 || resumed.text.contains("Expired"),
                    "a resume from old history is refused: \(resumed.status) \(resumed.text.prefix(200))")
            #expect(try await get("/api/v1/namespaces/default/pods/p").status == 200, "objects survive")
        }
    }
}
