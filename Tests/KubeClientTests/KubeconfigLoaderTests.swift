import Foundation
import Testing

@testable import KubeClient

@Suite("Kubeconfig loading")
struct KubeconfigLoaderTests {
    let dir: TempDirectory
    init() throws { dir = try TempDirectory() }

    func load(_ paths: [String], context: String? = nil) throws(KubeConfigError) -> KubeConfiguration {
        try KubeconfigLoader(environment: ["HOME": dir.path]).load(paths: paths, context: context)
    }

    func expectError(
        _ paths: [String], context: String? = nil, _ check: (KubeConfigError) -> Bool,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            _ = try load(paths, context: context)
            Issue.record("expected an error", sourceLocation: sourceLocation)
        } catch {
            #expect(check(error), "unexpected error: \(error)", sourceLocation: sourceLocation)
        }
    }

    static let basic = """
        apiVersion: v1
        kind: Config
        current-context: dev
        clusters:
        - name: dev-cluster
          cluster:
            server: https://127.0.0.1:6443
        users:
        - name: dev-user
          user:
            token: secret-token-abc
        contexts:
        - name: dev
          context:
            cluster: dev-cluster
            user: dev-user
            namespace: team-a
        - name: other
          context:
            cluster: dev-cluster
            user: dev-user
        """

    @Test func tokenUserResolvesServerNamespaceAndToken() throws {
        let path = try dir.write("config", Self.basic)
        let config = try load([path])
        #expect(config.server.absoluteString == "https://127.0.0.1:6443")
        #expect(config.namespace == "team-a")
        guard case .token(let token) = config.credentials else {
            Issue.record("expected a token, got \(config.credentials)")
            return
        }
        #expect(token == "secret-token-abc")
        #expect(!config.credentials.description.contains("secret-token-abc"))
        #expect(!"\(config)".contains("secret-token-abc"))
        #expect(!String(reflecting: config).contains("secret-token-abc"))
        #expect(config.tls.insecureSkipTLSVerify == false)
        #expect(config.origin.contains("context dev"))
    }

    @Test func contextOverrideWinsAndNamespaceDefaultsToDefault() throws {
        let path = try dir.write("config", Self.basic)
        let config = try load([path], context: "other")
        #expect(config.namespace == "default")
        #expect(config.origin.contains("context other"))
    }

    @Test func kubeconfigEnvironmentVariableMergesFirstWins() throws {
        let first = try dir.write(
            "a.yaml",
            """
            current-context: ctx-a
            clusters:
            - name: shared
              cluster: {server: "https://first.example:443"}
            contexts:
            - name: ctx-b
              context: {cluster: shared, user: u, namespace: from-first}
            """)
        let second = try dir.write(
            "b.yaml",
            """
            current-context: ctx-b
            clusters:
            - name: shared
              cluster: {server: "https://second.example:443"}
            users:
            - name: u
              user: {token: t2}
            contexts:
            - name: ctx-a
              context: {cluster: shared, user: u, namespace: ns-a}
            - name: ctx-b
              context: {cluster: shared, user: u, namespace: from-second}
            """)
        let missing = dir.path + "/does-not-exist.yaml"
        let loader = KubeconfigLoader(environment: ["KUBECONFIG": "\(first):\(missing):\(second)"])
        let config = try loader.load()
        // current-context from the first file; the cluster map key from the first file.
        #expect(config.namespace == "ns-a")
        #expect(config.server.host == "first.example")
        // A context defined in both files: the first definition wins.
        let b = try loader.load(context: "ctx-b")
        #expect(b.namespace == "from-first")
    }

    @Test func relativeCertificatePathsResolveAgainstTheKubeconfigFolder() throws {
        try dir.write("certs/ca.crt", Fixtures.certificatePEM)
        try dir.write("certs/client.crt", Fixtures.certificatePEM)
        try dir.write("certs/client.key", Fixtures.privateKeyPEM)
        try dir.write("certs/token", "file-token\n")
        let path = try dir.write(
            "nested/../config",
            """
            current-context: c
            clusters:
            - name: k
              cluster:
                server: https://10.0.0.1
                certificate-authority: certs/ca.crt
                tls-server-name: kubernetes.default
            users:
            - name: u
              user:
                client-certificate: certs/client.crt
                client-key: certs/client.key
                tokenFile: certs/token
            contexts:
            - name: c
              context: {cluster: k, user: u}
            """)
        let config = try load([path])
        #expect(config.tls.certificateAuthorityPEM == Array(Fixtures.certificatePEM.utf8))
        #expect(config.tls.serverName == "kubernetes.default")
        #expect(config.tls.clientCertificate?.privateKeyPEM == Array(Fixtures.privateKeyPEM.utf8))
        guard case .tokenFile(let tokenPath) = config.credentials else {
            Issue.record("expected a token file, got \(config.credentials)")
            return
        }
        #expect(tokenPath == dir.path + "/certs/token")
    }

    @Test func inlineDataWinsOverFilesAndInsecureIsOnlyOnWhenSet() throws {
        let path = try dir.write(
            "config",
            """
            current-context: c
            clusters:
            - name: k
              cluster:
                server: https://10.0.0.1
                certificate-authority-data: \(Fixtures.base64(Fixtures.certificatePEM))
                certificate-authority: /nonexistent/ca.crt
            - name: insecure
              cluster:
                server: https://10.0.0.2
                insecure-skip-tls-verify: true
            users:
            - name: u
              user:
                client-certificate-data: \(Fixtures.base64(Fixtures.certificatePEM))
                client-key-data: \(Fixtures.base64(Fixtures.privateKeyPEM))
            contexts:
            - name: c
              context: {cluster: k, user: u}
            - name: i
              context: {cluster: insecure, user: u}
            """)
        let config = try load([path])
        #expect(config.tls.certificateAuthorityPEM == Array(Fixtures.certificatePEM.utf8))
        #expect(config.tls.insecureSkipTLSVerify == false)
        #expect(config.tls.clientCertificate != nil)
        let insecure = try load([path], context: "i")
        #expect(insecure.tls.insecureSkipTLSVerify)
        #expect(insecure.tls.certificateAuthorityPEM == nil)
    }

    @Test func execStanzaIsResolvedWithDefaultsPerAPIVersion() throws {
        let path = try dir.write(
            "config",
            """
            current-context: c
            clusters:
            - name: k
              cluster: {server: "https://eks.example"}
            users:
            - name: beta
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1beta1
                  command: aws
                  args: [eks, get-token, --cluster-name, prod]
                  env: [{name: AWS_PROFILE, value: prod}]
                  installHint: install the AWS CLI
            - name: v1
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: ./bin/plugin
                  interactiveMode: Never
                  provideClusterInfo: true
            contexts:
            - name: c
              context: {cluster: k, user: beta}
            - name: d
              context: {cluster: k, user: v1}
            """)
        guard case .exec(let beta) = try load([path]).credentials else {
            Issue.record("expected exec")
            return
        }
        #expect(beta.command == "aws")
        #expect(beta.args == ["eks", "get-token", "--cluster-name", "prod"])
        #expect(beta.env.first?.name == "AWS_PROFILE")
        #expect(beta.interactiveMode == .ifAvailable)
        #expect(beta.installHint == "install the AWS CLI")
        guard case .exec(let v1) = try load([path], context: "d").credentials else {
            Issue.record("expected exec")
            return
        }
        #expect(v1.command == dir.path + "/bin/plugin")
        #expect(v1.provideClusterInfo)
        #expect(v1.cluster?.server == "https://eks.example")
    }

    // MARK: Bad kubeconfigs

    @Test func missingContextNamesTheContextAndTheKnownOnes() throws {
        let path = try dir.write("config", Self.basic)
        expectError([path], context: "prod") { error in
            guard case .contextNotFound("prod", [path], let known) = error else { return false }
            return known == ["dev", "other"] && error.description.contains("prod")
        }
    }

    @Test func noCurrentContextIsReported() throws {
        let path = try dir.write("config", Self.basic.replacingOccurrences(of: "current-context: dev\n", with: ""))
        expectError([path]) { $0 == .noCurrentContext(files: [path]) }
    }

    @Test func unreadableFileNamesThePath() throws {
        let path = dir.path + "/nope"
        expectError([path]) { error in
            guard case .unreadableFile(path, _) = error else { return false }
            return error.description.contains(path)
        }
        let folder = try dir.write("folder/x", "")
        let folderPath = (folder as NSString).deletingLastPathComponent
        expectError([folderPath]) { if case .unreadableFile(folderPath, _) = $0 { true } else { false } }
    }

    @Test func badBase64NamesTheField() throws {
        let path = try dir.write(
            "config",
            """
            current-context: c
            clusters:
            - name: k
              cluster: {server: "https://x", certificate-authority-data: "not base64!!"}
            contexts:
            - name: c
              context: {cluster: k}
            """)
        expectError([path]) { error in
            error == .invalidBase64(file: path, field: "clusters[k].cluster.certificate-authority-data")
                && error.description.contains("certificate-authority-data")
        }
    }

    @Test func wrongAPIVersionAndKindAreRejected() throws {
        let wrongVersion = try dir.write("v", "apiVersion: v2\nkind: Config\n")
        expectError([wrongVersion]) { $0 == .wrongAPIVersion(path: wrongVersion, found: "v2") }
        let wrongKind = try dir.write("k", "apiVersion: v1\nkind: Pod\n")
        expectError([wrongKind]) { $0 == .wrongKind(path: wrongKind, found: "Pod") }
    }

    @Test func unknownUserAndClusterReferencesAreNamed() throws {
        let path = try dir.write(
            "config",
            """
            current-context: c
            clusters:
            - name: k
              cluster: {server: "https://x"}
            contexts:
            - name: c
              context: {cluster: k, user: ghost}
            - name: d
              context: {cluster: nowhere}
            """)
        expectError([path]) { $0 == .userNotFound(name: "ghost", context: "c", file: path) }
        expectError([path], context: "d") { $0 == .clusterNotFound(name: "nowhere", context: "d", file: path) }
    }

    /// Files without `<<` are parsed with no resolver rules (no regex engine); files with merge
    /// keys take Yams' usual path. Both must give what kubectl reads.
    @Test func mergeKeysAnchorsAndScalarsResolveAsKubectlReadsThem() throws {
        let merged = try dir.write(
            "merged",
            """
            current-context: dev
            clusters:
            - name: dev-cluster
              cluster: &base
                server: https://127.0.0.1:6443
                insecure-skip-tls-verify: true
            - name: copy
              cluster:
                <<: *base
                server: https://127.0.0.2:6443
            users:
            - {name: u, user: {token: "123"}}
            contexts:
            - {name: dev, context: {cluster: copy, user: u, namespace: '007'}}
            """)
        let config = try load([merged])
        #expect(config.server.absoluteString == "https://127.0.0.2:6443")
        #expect(config.tls.insecureSkipTLSVerify)
        #expect(config.namespace == "007")
        guard case .token(let token) = config.credentials else {
            Issue.record("expected a token, got \(config.credentials)")
            return
        }
        #expect(token == "123")

        let plain = try dir.write(
            "plain",
            """
            current-context: dev
            clusters:
            - name: copy
              cluster: &base {server: "https://127.0.0.2:6443", insecure-skip-tls-verify: true}
            users:
            - {name: u, user: {token: "123"}}
            contexts:
            - {name: dev, context: {cluster: copy, user: u, namespace: '007'}}
            """)
        let fromPlain = try load([plain])
        #expect(fromPlain.server == config.server)
        #expect(fromPlain.tls.insecureSkipTLSVerify)
        #expect(fromPlain.namespace == "007")
    }

    @Test func malformedYAMLAndBadFieldsAreReported() throws {
        let yaml = try dir.write("y", "clusters: [unclosed\n")
        expectError([yaml]) { if case .malformedFile(yaml, _) = $0 { true } else { false } }
        let badServer = try dir.write(
            "s",
            """
            current-context: c
            clusters:
            - name: k
              cluster: {server: "ftp://x"}
            contexts:
            - name: c
              context: {cluster: k}
            """)
        expectError([badServer]) { error in
            if case .invalidValue(badServer, "clusters[k].cluster.server", "ftp://x", _) = error { true } else { false }
        }
        let execNoVersion = try dir.write(
            "e",
            """
            current-context: c
            clusters:
            - name: k
              cluster: {server: "https://x"}
            users:
            - name: u
              user: {exec: {command: aws, apiVersion: client.authentication.k8s.io/v1alpha1}}
            contexts:
            - name: c
              context: {cluster: k, user: u}
            """)
        expectError([execNoVersion]) { error in
            if case .invalidValue(execNoVersion, "users[u].user.exec.apiVersion", _, _) = error { true } else { false }
        }
        let certWithoutKey = try dir.write(
            "ck",
            """
            current-context: c
            clusters:
            - name: k
              cluster: {server: "https://x"}
            users:
            - name: u
              user: {client-certificate-data: \(Fixtures.base64(Fixtures.certificatePEM))}
            contexts:
            - name: c
              context: {cluster: k, user: u}
            """)
        expectError([certWithoutKey]) { $0 == .missingField(file: certWithoutKey, field: "users[u].user.client-key(-data)") }
        let missingTokenFile = try dir.write(
            "tf",
            """
            current-context: c
            clusters:
            - name: k
              cluster: {server: "https://x"}
            users:
            - name: u
              user: {tokenFile: missing-token}
            contexts:
            - name: c
              context: {cluster: k, user: u}
            """)
        expectError([missingTokenFile]) { error in
            if case .unreadableReferencedFile(missingTokenFile, "users[u].user.tokenFile", let p, _) = error {
                p == dir.path + "/missing-token"
            } else { false }
        }
    }

    @Test func inClusterConfigurationReadsEnvironmentAndFiles() throws {
        try dir.write("sa/token", "sa-token\n")
        try dir.write("sa/ca.crt", Fixtures.certificatePEM)
        try dir.write("sa/namespace", "kube-system\n")
        let config = try KubeConfiguration.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"],
            paths: InClusterPaths(folder: dir.path + "/sa"))
        #expect(config.server.absoluteString == "https://[fd00::1]:443")
        #expect(config.namespace == "kube-system")
        #expect(config.tls.certificateAuthorityPEM == Array(Fixtures.certificatePEM.utf8))
        guard case .tokenFile(let path) = config.credentials else {
            Issue.record("expected a token file")
            return
        }
        #expect(path == dir.path + "/sa/token")
        #expect(throws: KubeConfigError.notInCluster(missingVariable: "KUBERNETES_SERVICE_HOST")) {
            try KubeConfiguration.inCluster(environment: [:], paths: InClusterPaths(folder: dir.path + "/sa"))
        }
    }

    @Test func rotatedTokenFileIsReadAgain() async throws {
        let path = try dir.write("token", "first")
        let provider = TokenFileCredentialProvider(path: path)
        #expect(try await provider.credential().bearerToken == "first")
        try await Task.sleep(for: .milliseconds(20))
        try dir.write("token", "second-token")
        #expect(try await provider.credential().bearerToken == "second-token")
    }

    @Test func projectedTokenRotatedBySymlinkSwapIsPickedUp() async throws {
        // The kubelet's layout: token -> ..data/token, ..data -> ..2026_01_01 (swapped atomically).
        let fm = FileManager.default
        try dir.write("sa/..v1/token", "token-one")
        try fm.createSymbolicLink(atPath: dir.path + "/sa/..data", withDestinationPath: "..v1")
        try fm.createSymbolicLink(atPath: dir.path + "/sa/token", withDestinationPath: "..data/token")
        let provider = TokenFileCredentialProvider(path: dir.path + "/sa/token")
        #expect(try await provider.credential().bearerToken == "token-one")
        try dir.write("sa/..v2/token", "token-two")
        try fm.createSymbolicLink(atPath: dir.path + "/sa/..data.tmp", withDestinationPath: "..v2")
        #expect(rename(dir.path + "/sa/..data.tmp", dir.path + "/sa/..data") == 0)
        #expect(try await provider.credential().bearerToken == "token-two")
    }
}
