import ClusterSim
import Foundation
import KubeModels
import Logging
import MendTime
import Testing

@testable import KubeClient

@Suite("Transport: retries, rate limits, TLS and authentication over HTTP")
struct TransportTests {
    @Test func tooManyRequestsWaitsExactlyTheRetryAfterOnTheClock() async throws {
        let clock = ManualClock()
        try await SimHarness.with(options: SimHarness.testOptions(clock: clock)) { server, client in
            _ = try await client.create(SimHarness.configMap("r"))
            server.faults.failNext(1, code: 429, retryAfterSeconds: 3, matching: .init(verb: "get", resource: "configmaps"))
            let sentBefore = client.requestsSent
            let read = Task { try await client.get(ConfigMap.self, name: "r") }
            #expect(await clock.waitForSleepers(count: 1))
            #expect(client.requestsSent == sentBefore + 1)
            clock.advance(by: .milliseconds(2900))
            try await Task.sleep(for: .milliseconds(20))
            #expect(clock.sleeperCount == 1, "retried before Retry-After elapsed")
            clock.advance(by: .milliseconds(100))
            let object = try await read.value
            #expect(object.name == "r")
            #expect(client.requestsSent == sentBefore + 2)
        }
    }

    @Test func serverErrorsAreRetriedForReadsButNeverForCreates() async throws {
        try await SimHarness.with { server, client in
            _ = try await client.create(SimHarness.configMap("x"))
            server.faults.failNext(2, code: 503, matching: .init(verb: "get"))
            #expect(try await client.get(ConfigMap.self, name: "x").name == "x")
            server.faults.failNext(1, code: 500, matching: .init(verb: "create"))
            let sent = client.requestsSent
            let failure = await #expect(throws: KubeClientError.self) {
                _ = try await client.create(SimHarness.configMap("y"))
            }
            #expect(failure?.apiError?.code == 500)
            #expect(client.requestsSent == sent + 1, "a create was repeated after a 500")
            // 429 on a create: the server did not act, so it is retried.
            server.faults.failNext(1, code: 429, retryAfterSeconds: 0, matching: .init(verb: "create"))
            #expect(try await client.create(SimHarness.configMap("z")).name == "z")
            // Retries are bounded.
            server.faults.failNext(100, code: 503, matching: .init(verb: "list"))
            let bounded = client.requestsSent
            await #expect(throws: KubeClientError.self) { _ = try await client.list(ConfigMap.self) }
            #expect(client.requestsSent == bounded + 4)
            server.faults.removeAll()
        }
    }

    @Test func connectionRefusedIsATransportErrorAfterBoundedRetries() async throws {
        // Bind and release a port so nothing listens there.
        let server = try await ClusterSimServer.start()
        let url = URL(string: server.url)!
        try await server.shutdown()
        let client = try KubernetesClient(
            configuration: KubeConfiguration(server: url), options: SimHarness.testOptions())
        defer { Task { try? await client.shutdown() } }
        let error = await #expect(throws: KubeClientError.self) { _ = try await client.list(ConfigMap.self) }
        guard case .transport(let request, _) = error else {
            Issue.record("expected a transport error, got \(String(describing: error))")
            return
        }
        #expect(request == "GET /api/v1/configmaps")
        #expect(client.requestsSent == 4)
        try await client.shutdown()
    }

    @Test func clientSideRateLimitSpacesRequestsAtQPSAfterTheBurst() async throws {
        let clock = ManualClock()
        try await SimHarness.with(options: SimHarness.testOptions(clock: clock, qps: 5, burst: 10)) { server, client in
            let done = Counter()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        _ = try await client.list(ConfigMap.self, namespace: "default")
                        done.increment()
                    }
                }
                #expect(await clock.waitForSleepers(count: 10))
                try await waitUntil { done.current == 10 }
                #expect(client.requestsSent == 10)
                clock.advance(by: .seconds(1))
                try await waitUntil { done.current == 15 }
                #expect(client.requestsSent == 15)
                clock.advance(by: .seconds(1))
                try await group.waitForAll()
            }
            #expect(done.current == 20)
            #expect(client.requestsSent == 20)
            // Watches are not rate limited: the bucket is empty, yet a watch opens.
            let watch = try await client.watch(ConfigMap.self, namespace: "default", options: WatchOptions(timeoutSeconds: 1))
            _ = watch
            #expect(client.requestsSent == 21)
            server.closeAllWatches()
        }
    }

    // MARK: TLS and credentials

    static func tlsServer(tokens: [String: String] = ["good-token": "alice"]) -> ClusterSimServer.Configuration {
        var configuration = ClusterSimServer.Configuration()
        configuration.tls = true
        configuration.tokens = tokens
        return configuration
    }

    func client(kubeconfig text: String, in dir: TempDirectory, context: String? = nil) throws -> KubernetesClient {
        let path = try dir.write("kubeconfig", text)
        let config = try KubeconfigLoader(environment: [:]).load(paths: [path], context: context)
        return try KubernetesClient(configuration: config, options: SimHarness.testOptions())
    }

    func withTLS(
        tokens: [String: String] = ["good-token": "alice"],
        _ body: (ClusterSimServer, TempDirectory) async throws -> Void
    ) async throws {
        let server = try await ClusterSimServer.start(Self.tlsServer(tokens: tokens))
        let dir = try TempDirectory()
        do {
            try await body(server, dir)
        } catch {
            try? await server.shutdown()
            throw error
        }
        try await server.shutdown()
    }

    func user(_ server: ClusterSimServer) -> String? { server.audit.entries.last?.user }

    @Test func tokenWithCertificateAuthorityDataVerifiesTheServer() async throws {
        try await withTLS { server, dir in
            let client = try client(kubeconfig: try server.kubeconfig(credentials: .token("good-token")), in: dir)
            _ = try await client.create(SimHarness.configMap("tls"))
            #expect(user(server) == "alice")
            try await client.shutdown()
        }
    }

    @Test func tokenFileAndCertificateAuthorityFileWork() async throws {
        try await withTLS { server, dir in
            try dir.write("ca.crt", server.certificateAuthority!.certificatePEM)
            try dir.write("token", "good-token\n")
            let client = try client(
                kubeconfig: """
                    current-context: c
                    clusters:
                    - name: k
                      cluster: {server: "\(server.url)", certificate-authority: ca.crt}
                    users:
                    - name: u
                      user: {tokenFile: token}
                    contexts:
                    - name: c
                      context: {cluster: k, user: u}
                    """, in: dir)
            _ = try await client.create(SimHarness.configMap("tf"))
            #expect(user(server) == "alice")
            try await client.shutdown()
        }
    }

    @Test func clientCertificateAuthenticatesAsItsCommonName() async throws {
        try await withTLS { server, dir in
            let text = try server.kubeconfig(credentials: .clientCertificate(commonName: "bob", groups: ["system:masters"]))
            let client = try client(kubeconfig: text, in: dir)
            _ = try await client.create(SimHarness.configMap("cert"))
            #expect(user(server) == "bob")
            try await client.shutdown()
        }
    }

    @Test func serverIsVerifiedByDefaultAndInsecureOnlyWhenAsked() async throws {
        try await withTLS { server, dir in
            let unverified = """
                current-context: c
                clusters:
                - name: k
                  cluster: {server: "\(server.url)"}
                - name: insecure
                  cluster: {server: "\(server.url)", insecure-skip-tls-verify: true}
                users:
                - name: u
                  user: {token: good-token}
                contexts:
                - name: c
                  context: {cluster: k, user: u}
                - name: i
                  context: {cluster: insecure, user: u}
                """
            let strict = try client(kubeconfig: unverified, in: dir)
            let failure = await #expect(throws: KubeClientError.self) { _ = try await strict.list(ConfigMap.self) }
            guard case .transport(_, let reason) = failure else {
                Issue.record("expected a TLS failure, got \(String(describing: failure))")
                return
            }
            #expect(reason.contains("certificate-authority"))
            #expect(strict.requestsSent == 1, "a certificate failure was retried")
            #expect(server.audit.entries.isEmpty)
            try await strict.shutdown()
            let insecure = try client(kubeconfig: unverified, in: dir, context: "i")
            _ = try await insecure.list(ConfigMap.self)
            try await insecure.shutdown()
        }
    }

    @Test func tlsServerNameVerifiesByNameWhileConnectingByIP() async throws {
        try await withTLS { server, dir in
            let ca = Data(server.certificateAuthority!.certificatePEM.utf8).base64EncodedString()
            // Connect by IP and verify as "localhost" (a SAN). NIOSSL also accepts a certificate whose
            // IP SAN matches the connected address, so a wrong name cannot be shown to fail against
            // ClusterSim's certificate (it carries 127.0.0.1); the name is still sent as SNI.
            let base = server.url
            let text = """
                current-context: good
                clusters:
                - name: good
                  cluster: {server: "\(base)", certificate-authority-data: \(ca), tls-server-name: localhost}
                users:
                - name: u
                  user: {token: good-token}
                contexts:
                - name: good
                  context: {cluster: good, user: u}
                """
            let good = try client(kubeconfig: text, in: dir)
            _ = try await good.list(ConfigMap.self)
            try await good.shutdown()
        }
    }

    @Test func wrongTokenIsUnauthorizedAndNeverLogged() async throws {
        try await withTLS { server, dir in
            let client = try client(kubeconfig: try server.kubeconfig(credentials: .token("wrong-secret-xyz")), in: dir)
            let error = await #expect(throws: KubeClientError.self) { _ = try await client.list(ConfigMap.self) }
            #expect(error?.isUnauthorized == true)
            #expect(!String(describing: error).contains("wrong-secret-xyz"))
            try await client.shutdown()
        }
    }

    @Test func execPluginTokenIsUsedAndRerunAfter401() async throws {
        try await withTLS { server, dir in
            // First run prints a stale token, later runs the good one.
            let plugin = try dir.write(
                "get-token.sh",
                """
                #!/bin/sh
                n=$(cat "\(dir.path)/runs" 2>/dev/null || echo 0)
                n=$((n + 1)); echo $n > "\(dir.path)/runs"
                token=good-token; [ "$n" = 1 ] && token=stale-token
                echo "{\\"apiVersion\\":\\"client.authentication.k8s.io/v1\\",\\"kind\\":\\"ExecCredential\\",\\"status\\":{\\"token\\":\\"$token\\"}}"
                """, executable: true)
            let ca = Data(server.certificateAuthority!.certificatePEM.utf8).base64EncodedString()
            let client = try client(
                kubeconfig: """
                    current-context: c
                    clusters:
                    - name: k
                      cluster: {server: "\(server.url)", certificate-authority-data: \(ca)}
                    users:
                    - name: u
                      user:
                        exec:
                          apiVersion: client.authentication.k8s.io/v1
                          command: ./get-token.sh
                          interactiveMode: Never
                    contexts:
                    - name: c
                      context: {cluster: k, user: u}
                    """, in: dir)
            _ = try await client.create(SimHarness.configMap("exec"))
            _ = try await client.get(ConfigMap.self, name: "exec")
            let runs = try String(contentsOfFile: dir.path + "/runs", encoding: .utf8)
            #expect(runs.trimmingCharacters(in: .whitespacesAndNewlines) == "2")
            #expect(user(server) == "alice")
            try await client.shutdown()
        }
    }
}
