import Foundation
import KubeModels

/// Everything needed to talk to one API server as one user: the resolved result of a kubeconfig
/// context or of the in-cluster environment.
public struct KubeConfiguration: Sendable {
    /// The API server's base URL, e.g. `https://10.0.0.1:443`.
    public var server: URL
    /// How the server's certificate is checked and which client certificate is presented.
    public var tls: TLSSettings
    /// Where bearer tokens or client certificates come from.
    public var credentials: CredentialSource
    /// The namespace the context names (`default` when it names none).
    public var namespace: String
    /// A human description of where this came from, e.g. `kubeconfig /home/me/.kube/config, context prod`.
    public var origin: String
    /// The proxy to reach the server through (`proxy-url`, or the proxy environment); `nil`
    /// connects directly.
    public var proxy: ProxySettings?

    /// Creates a configuration directly (tests and programs with their own discovery).
    public init(
        server: URL,
        tls: TLSSettings = TLSSettings(),
        credentials: CredentialSource = .none,
        namespace: String = "default",
        origin: String = "explicit",
        proxy: ProxySettings? = nil
    ) {
        self.server = server
        self.tls = tls
        self.credentials = credentials
        self.namespace = namespace
        self.origin = origin
        self.proxy = proxy
    }
}

/// TLS settings for the connection to the API server. Verification is on unless
/// ``insecureSkipTLSVerify`` is set explicitly.
public struct TLSSettings: Sendable {
    /// PEM bundle of the certificate authorities to trust; `nil` means the system trust store.
    public var certificateAuthorityPEM: [UInt8]?
    /// The name to verify the server certificate against instead of the URL's host.
    public var serverName: String?
    /// Turns certificate verification off. Only ever set from an explicit
    /// `insecure-skip-tls-verify: true`; the client logs a warning when it is used.
    public var insecureSkipTLSVerify: Bool
    /// A client certificate (with key) presented to the server, when the user authenticates with one.
    public var clientCertificate: ClientCertificate?

    public init(
        certificateAuthorityPEM: [UInt8]? = nil,
        serverName: String? = nil,
        insecureSkipTLSVerify: Bool = false,
        clientCertificate: ClientCertificate? = nil
    ) {
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.serverName = serverName
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.clientCertificate = clientCertificate
    }
}

/// A PEM certificate chain and its PEM private key. The key never appears in descriptions.
public struct ClientCertificate: Sendable, Hashable, CustomStringConvertible {
    public var certificatePEM: [UInt8]
    public var privateKeyPEM: [UInt8]

    public init(certificatePEM: [UInt8], privateKeyPEM: [UInt8]) {
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
    }

    public var description: String { "ClientCertificate(\(certificatePEM.count) bytes, key redacted)" }
}

/// Where a request's credentials come from.
public enum CredentialSource: Sendable, CustomStringConvertible {
    /// No credentials (or only a TLS client certificate, see ``TLSSettings/clientCertificate``).
    case none
    /// A fixed bearer token.
    case token(String)
    /// A bearer token read from a file and re-read when the file changes (projected
    /// service-account tokens rotate).
    case tokenFile(path: String)
    /// An exec credential plugin (`aws eks get-token`, `gke-gcloud-auth-plugin`, ...).
    case exec(ExecPluginConfig)
    /// HTTP basic authentication (legacy kubeconfigs).
    case basic(username: String, password: String)

    public var description: String {
        switch self {
        case .none: return "none"
        case .token: return "token (redacted)"
        case .tokenFile(let path): return "token file \(path)"
        case .exec(let config): return "exec plugin \(config.command)"
        case .basic(let username, _): return "basic auth as \(username) (password redacted)"
        }
    }
}

/// An exec credential plugin as a kubeconfig `users[].user.exec` stanza describes it.
public struct ExecPluginConfig: Sendable {
    /// How the plugin may use the terminal.
    public enum InteractiveMode: String, Sendable {
        case never = "Never"
        case ifAvailable = "IfAvailable"
        case always = "Always"
    }

    /// `client.authentication.k8s.io/v1` or `client.authentication.k8s.io/v1beta1`.
    public var apiVersion: String
    /// The program to run (resolved against the kubeconfig folder when it is a relative path with a `/`).
    public var command: String
    public var args: [String]
    /// Extra environment variables, added to the caller's environment.
    public var env: [(name: String, value: String)]
    /// Shown to the user when the plugin cannot be run.
    public var installHint: String?
    /// Whether the cluster's details go into `KUBERNETES_EXEC_INFO`.
    public var provideClusterInfo: Bool
    public var interactiveMode: InteractiveMode
    /// The cluster as `KUBERNETES_EXEC_INFO` describes it (filled in by the loader).
    public var cluster: ExecClusterInfo?
    /// The kubeconfig file the stanza came from (for error messages).
    public var sourceFile: String?

    public init(
        apiVersion: String = "client.authentication.k8s.io/v1",
        command: String,
        args: [String] = [],
        env: [(name: String, value: String)] = [],
        installHint: String? = nil,
        provideClusterInfo: Bool = false,
        interactiveMode: InteractiveMode = .never,
        cluster: ExecClusterInfo? = nil,
        sourceFile: String? = nil
    ) {
        self.apiVersion = apiVersion
        self.command = command
        self.args = args
        self.env = env
        self.installHint = installHint
        self.provideClusterInfo = provideClusterInfo
        self.interactiveMode = interactiveMode
        self.cluster = cluster
        self.sourceFile = sourceFile
    }
}

/// The cluster details an exec plugin receives when `provideClusterInfo` is set.
public struct ExecClusterInfo: Sendable {
    public var server: String
    public var tlsServerName: String?
    public var insecureSkipTLSVerify: Bool
    public var certificateAuthorityData: [UInt8]?
    public var proxyURL: String?
    /// The `client.authentication.k8s.io/exec` cluster extension, passed through as `config`.
    public var config: JSONValue?

    public init(
        server: String,
        tlsServerName: String? = nil,
        insecureSkipTLSVerify: Bool = false,
        certificateAuthorityData: [UInt8]? = nil,
        proxyURL: String? = nil,
        config: JSONValue? = nil
    ) {
        self.server = server
        self.tlsServerName = tlsServerName
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.certificateAuthorityData = certificateAuthorityData
        self.proxyURL = proxyURL
        self.config = config
    }
}

extension KubeConfiguration: CustomStringConvertible {
    /// A summary safe for logs: server, namespace, origin and the kind of credentials (never the
    /// token, key or plugin environment).
    public var description: String {
        var tlsParts: [String] = []
        if tls.certificateAuthorityPEM != nil { tlsParts.append("custom CA") }
        if let name = tls.serverName { tlsParts.append("server name \(name)") }
        if tls.insecureSkipTLSVerify { tlsParts.append("INSECURE: no verification") }
        if tls.clientCertificate != nil { tlsParts.append("client certificate") }
        let tlsText = tlsParts.isEmpty ? "" : ", tls: \(tlsParts.joined(separator: ", "))"
        let proxyText = proxy.map { ", proxy: \($0)" } ?? ""
        return "KubeConfiguration(server: \(server.absoluteString), namespace: \(namespace), credentials: \(credentials)\(tlsText)\(proxyText), from \(origin))"
    }
}

extension ExecPluginConfig: CustomStringConvertible {
    /// The command and arguments; the environment is left out (it may hold secrets).
    public var description: String {
        "ExecPluginConfig(\(apiVersion), \(([command] + args).joined(separator: " ")), \(env.count) env vars)"
    }
}
