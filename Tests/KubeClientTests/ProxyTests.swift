import ClusterSim
import Foundation
import KubeModels
import Logging
import Testing

@testable import KubeClient

@Suite("Proxy")
struct ProxyTests {
    static func kubeconfig(server: String, proxy: String?, token: Bool = true) -> String {
        """
        apiVersion: v1
        kind: Config
        current-context: dev
        clusters:
        - name: c
          cluster:
            server: \(server)
        \(proxy.map { "    proxy-url: \($0)" } ?? "")
        users:
        - name: u
          user: \(token ? "{token: t}" : "{}")
        contexts:
        - name: dev
          context: {cluster: c, user: u}
        """
    }

    @Test func proxyURLIsParsedFromTheKubeconfigAndWinsOverTheEnvironment() throws {
        let dir = try TempDirectory()
        let path = try dir.write(
            "config", Self.kubeconfig(server: "https://api.example.com", proxy: "http://alice:s%40cret@proxy.corp:3128"))
        let environment = ["HOME": dir.path, "HTTPS_PROXY": "http://env-proxy:8080"]
        let config = try KubeconfigLoader(environment: environment).load(paths: [path])
        let proxy = try #require(config.proxy)
        #expect(proxy == ProxySettings(kind: .http, host: "proxy.corp", port: 3128, username: "alice", password: "s@cret"))
        // The password never reaches a description.
        #expect(!"\(config)".contains("s@cret"))
        #expect("\(config)".contains("proxy: http://proxy.corp:3128"))

        let socks = try dir.write("socks", Self.kubeconfig(server: "https://api.example.com", proxy: "socks5://127.0.0.1"))
        #expect(try KubeconfigLoader(environment: ["HOME": dir.path]).load(paths: [socks]).proxy
            == ProxySettings(kind: .socks5, host: "127.0.0.1", port: 1080))
    }

    @Test func badProxyURLNamesTheField() throws {
        let dir = try TempDirectory()
        for bad in ["ftp://proxy:21", "http://", "http://proxy:99999", "http://proxy:3128/path"] {
            let path = try dir.write("config", Self.kubeconfig(server: "https://api.example.com", proxy: bad))
            #expect {
                _ = try KubeconfigLoader(environment: ["HOME": dir.path]).load(paths: [path])
            } throws: { error in
                guard case .invalidValue(let file, let field, let value, _) = error as? KubeConfigError else { return false }
                return file == path && field == "clusters[c].cluster.proxy-url" && value == bad
            }
        }
    }

    @Test func environmentProxyAppliesUnlessNoProxyOrLoopback() throws {
        let dir = try TempDirectory()
        let path = try dir.write("config", Self.kubeconfig(server: "https://api.example.com:6443", proxy: nil))
        func proxy(_ environment: [String: String]) throws -> ProxySettings? {
            try KubeconfigLoader(environment: environment.merging(["HOME": dir.path]) { a, _ in a }).load(paths: [path]).proxy
        }
        #expect(try proxy([:]) == nil)
        #expect(try proxy(["HTTPS_PROXY": "http://p:3128"]) == ProxySettings(host: "p", port: 3128))
        #expect(try proxy(["https_proxy": "p2:8080"]) == ProxySettings(host: "p2", port: 8080))
        // HTTP_PROXY is for http:// servers only.
        #expect(try proxy(["HTTP_PROXY": "http://p:3128"]) == nil)
        #expect(try proxy(["HTTPS_PROXY": "http://p:3128", "NO_PROXY": "example.com"]) == nil)
        #expect(try proxy(["HTTPS_PROXY": "http://p:3128", "NO_PROXY": "other.org, .example.com"]) == nil)
        #expect(try proxy(["HTTPS_PROXY": "http://p:3128", "NO_PROXY": "*"]) == nil)
        #expect(try proxy(["HTTPS_PROXY": "http://p:3128", "NO_PROXY": "ample.com"]) != nil)

        let ip = URL(string: "https://10.1.2.3:443")!
        #expect(ProxySettings.fromEnvironment(["HTTPS_PROXY": "http://p:1", "NO_PROXY": "10.0.0.0/8"], for: ip) == nil)
        #expect(ProxySettings.fromEnvironment(["HTTPS_PROXY": "http://p:1", "NO_PROXY": "192.168.0.0/16"], for: ip) != nil)
        #expect(ProxySettings.fromEnvironment(["HTTPS_PROXY": "http://p:1"], for: URL(string: "https://127.0.0.1:6443")!) == nil)
        #expect(ProxySettings.fromEnvironment(["HTTPS_PROXY": "http://p:1"], for: URL(string: "https://localhost")!) == nil)
    }

    @Test func requestsGoThroughTheProxyURL() async throws {
        let proxy = try ConnectProxy()
        defer { proxy.stop() }
        let server = try await ClusterSimServer.start()
        do {
            let dir = try TempDirectory()
            let path = try dir.write(
                "config", Self.kubeconfig(server: server.url, proxy: "http://mend:pw@127.0.0.1:\(proxy.port)", token: false))
            let config = try KubeconfigLoader(environment: ["HOME": dir.path]).load(paths: [path])
            let client = try KubernetesClient(
                configuration: config, options: SimHarness.testOptions(), logger: Logger(label: "test"))
            do {
                _ = try await client.create(SimHarness.configMap("through-proxy", data: ["k": "v"]))
                let fetched = try await client.get(ConfigMap.self, name: "through-proxy", namespace: "default")
                #expect(fetched.data?["k"] == "v")
                let serverAuthority = try #require(URL(string: server.url).map { "\($0.host!):\($0.port!)" })
                #expect(!proxy.targets.isEmpty)
                #expect(proxy.targets.allSatisfy { $0 == serverAuthority })
                #expect(proxy.authorizations.first == "Basic " + Data("mend:pw".utf8).base64EncodedString())
                try await client.shutdown()
            } catch {
                try? await client.shutdown()
                throw error
            }
            try await server.shutdown()
        } catch {
            try? await server.shutdown()
            throw error
        }
    }

    @Test func aProxyThatRefusesTheTunnelFailsTheRequest() async throws {
        // The proxy only tunnels to 127.0.0.1; "localhost" is refused with 403.
        let proxy = try ConnectProxy()
        defer { proxy.stop() }
        let server = try await ClusterSimServer.start()
        let port = try #require(URL(string: server.url)?.port)
        var options = SimHarness.testOptions()
        options.retry.maxAttempts = 1
        let client = try KubernetesClient(
            configuration: KubeConfiguration(
                server: URL(string: "http://localhost:\(port)")!, proxy: ProxySettings(host: "127.0.0.1", port: proxy.port)),
            options: options, logger: Logger(label: "test"))
        await #expect(throws: (any Error).self) {
            _ = try await client.get(ConfigMap.self, name: "x", namespace: "default")
        }
        // The client (or its connection pool) may retry the connection; every attempt went to the proxy.
        #expect(!proxy.targets.isEmpty)
        #expect(proxy.targets.allSatisfy { $0 == "localhost:\(port)" })
        try await client.shutdown()
        try await server.shutdown()
    }
}
