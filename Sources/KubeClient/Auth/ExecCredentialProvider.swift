import Foundation
import KubeModels
import MendTime

/// Credentials from an exec plugin (`client.authentication.k8s.io/v1` or `v1beta1`), as kubectl
/// runs `aws eks get-token` or `gke-gcloud-auth-plugin`.
///
/// The plugin is run on first use; its credential is cached until its `expirationTimestamp`
/// (measured on the injected clock) or until the server answers 401, then the plugin runs again.
/// Concurrent callers share one run.
public actor ExecCredentialProvider: CredentialProvider {
    private let config: ExecPluginConfig
    private let clock: any MendClock
    private let environment: [String: String]
    private let standardInputIsTerminal: Bool
    private var cached: (credential: Credential, expiry: Date?)?
    private var inFlight: Task<(Credential, Date?), any Error>?
    /// How many times the plugin has been run (for tests and metrics).
    public private(set) var runCount = 0

    /// - Parameters:
    ///   - environment: the environment the plugin inherits (the stanza's `env` is added on top).
    ///   - standardInputIsTerminal: whether an interactive plugin may use stdin (defaults to `isatty(0)`).
    public init(
        config: ExecPluginConfig,
        clock: any MendClock = SystemClock(),
        environment: [String: String] = ProcessInfo.processInfo.environment,
        standardInputIsTerminal: Bool = isatty(0) != 0
    ) {
        self.config = config
        self.clock = clock
        self.environment = environment
        self.standardInputIsTerminal = standardInputIsTerminal
    }

    public func credential() async throws -> Credential {
        if let cached, cached.expiry.map({ $0 > clock.now }) ?? true {
            return cached.credential
        }
        if let inFlight {
            return try await inFlight.value.0
        }
        let task = Task { try await self.runPlugin() }
        inFlight = task
        defer { inFlight = nil }
        let (credential, expiry) = try await task.value
        cached = (credential, expiry)
        return credential
    }

    public func invalidate() async {
        cached = nil
    }

    private func runPlugin() async throws -> (Credential, Date?) {
        runCount += 1
        let interactive: Bool
        switch config.interactiveMode {
        case .never: interactive = false
        case .ifAvailable: interactive = standardInputIsTerminal
        case .always:
            guard standardInputIsTerminal else { throw ExecPluginError.needsTerminal(command: config.command) }
            interactive = true
        }
        guard let executable = ProcessRunner.locate(config.command, path: environment["PATH"]) else {
            throw ExecPluginError.cannotStart(
                command: config.command, reason: "not found (searched PATH)", installHint: config.installHint)
        }
        var env = environment
        for variable in config.env { env[variable.name] = variable.value }
        env["KUBERNETES_EXEC_INFO"] = try execInfo(interactive: interactive)
        let output: ProcessOutput
        do {
            output = try await ProcessRunner.run(
                executable: executable, arguments: config.args, environment: env, passStandardInput: interactive)
        } catch {
            throw ExecPluginError.cannotStart(
                command: config.command, reason: "\(error)", installHint: config.installHint)
        }
        guard output.exitCode == 0 else {
            throw ExecPluginError.failed(
                command: config.command, exitCode: output.exitCode,
                stderr: String(decoding: output.stderr.prefix(4096), as: UTF8.self), installHint: config.installHint)
        }
        return try parse(output.stdout)
    }

    /// The `KUBERNETES_EXEC_INFO` document: an ExecCredential with only `spec` filled in.
    private func execInfo(interactive: Bool) throws -> String {
        var spec: [String: JSONValue] = ["interactive": .bool(interactive)]
        if config.provideClusterInfo, let cluster = config.cluster {
            var info: [String: JSONValue] = ["server": .string(cluster.server)]
            if let name = cluster.tlsServerName { info["tls-server-name"] = .string(name) }
            if cluster.insecureSkipTLSVerify { info["insecure-skip-tls-verify"] = .bool(true) }
            if let ca = cluster.certificateAuthorityData {
                info["certificate-authority-data"] = .string(Data(ca).base64EncodedString())
            }
            if let proxy = cluster.proxyURL { info["proxy-url"] = .string(proxy) }
            if let extra = cluster.config { info["config"] = extra }
            spec["cluster"] = .object(info)
        }
        let document: JSONValue = [
            "apiVersion": .string(config.apiVersion),
            "kind": "ExecCredential",
            "spec": .object(spec),
        ]
        return String(decoding: try document.serialized(), as: UTF8.self)
    }

    private func parse(_ stdout: Data) throws -> (Credential, Date?) {
        struct Output: Decodable {
            struct Status: Decodable {
                var token: String?
                var expirationTimestamp: String?
                var clientCertificateData: String?
                var clientKeyData: String?
            }
            var apiVersion: String?
            var kind: String?
            var status: Status?
        }
        let command = config.command
        let decoded: Output
        do {
            decoded = try JSONDecoder().decode(Output.self, from: stdout)
        } catch {
            throw ExecPluginError.invalidOutput(command: command, reason: "not an ExecCredential JSON document")
        }
        guard decoded.kind == "ExecCredential" else {
            throw ExecPluginError.invalidOutput(
                command: command, reason: "kind is \"\(decoded.kind ?? "")\", expected \"ExecCredential\"")
        }
        guard decoded.apiVersion == config.apiVersion else {
            throw ExecPluginError.invalidOutput(
                command: command,
                reason: "apiVersion is \"\(decoded.apiVersion ?? "")\", the kubeconfig asks for \"\(config.apiVersion)\"")
        }
        guard let status = decoded.status else {
            throw ExecPluginError.invalidOutput(command: command, reason: "status is missing")
        }
        var credential = Credential()
        if let token = status.token, !token.isEmpty { credential.bearerToken = token }
        switch (status.clientCertificateData, status.clientKeyData) {
        case (let cert?, let key?) where !cert.isEmpty && !key.isEmpty:
            credential.clientCertificate = ClientCertificate(
                certificatePEM: Array(cert.utf8), privateKeyPEM: Array(key.utf8))
        case (nil, nil): break
        default:
            throw ExecPluginError.invalidOutput(
                command: command, reason: "status.clientCertificateData and status.clientKeyData must come together")
        }
        guard credential.bearerToken != nil || credential.clientCertificate != nil else {
            throw ExecPluginError.invalidOutput(
                command: command, reason: "status has neither a token nor a client certificate")
        }
        var expiry: Date?
        if let text = status.expirationTimestamp, !text.isEmpty {
            guard let date = (try? KubeTime(parsing: text))?.date ?? (try? MicroTime(parsing: text))?.date else {
                throw ExecPluginError.invalidOutput(
                    command: command, reason: "status.expirationTimestamp \"\(text)\" is not an RFC 3339 time")
            }
            expiry = date
        }
        return (credential, expiry)
    }
}
