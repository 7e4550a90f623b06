import Foundation
import KubeModels
import NIOSSL
import Yams

/// Loads kubeconfig files the way kubectl does and resolves one context into a ``KubeConfiguration``.
///
/// - Several files (from `KUBECONFIG`, separated by `:`) are merged in order: for clusters, users
///   and contexts the first file to define a name wins; the first non-empty `current-context` wins.
///   Files in the list that do not exist are skipped, as kubectl skips them.
/// - Relative paths (certificates, keys, token files, exec commands containing a `/`) are resolved
///   against the folder of the file that defined the entry.
/// - `*-data` fields win over the matching file fields.
public struct KubeconfigLoader: Sendable {
    /// The environment consulted for `KUBECONFIG`, `HOME`, and (when a cluster has no
    /// `proxy-url`) `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`.
    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// The files kubectl would read: `KUBECONFIG` split on `:`, else `~/.kube/config`.
    public var defaultPaths: [String] {
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            return list.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return [home + "/.kube/config"]
    }

    /// Loads `paths` (or ``defaultPaths``) and resolves `context` (or the current context).
    public func load(paths: [String]? = nil, context: String? = nil) throws(KubeConfigError) -> KubeConfiguration {
        let candidates = paths ?? defaultPaths
        var files: [(path: String, file: KubeconfigFile)] = []
        for path in candidates {
            guard FileManager.default.fileExists(atPath: path) else {
                // kubectl skips missing files in a KUBECONFIG list, but one explicit file must exist.
                if candidates.count == 1 && paths != nil {
                    throw .unreadableFile(path: path, reason: "no such file")
                }
                continue
            }
            files.append((path, try Self.parse(path: path)))
        }
        guard !files.isEmpty else { throw .noKubeconfig(searched: candidates) }
        return try resolve(files: files, contextOverride: context)
    }

    /// Parses and checks one file's `apiVersion` and `kind`.
    static func parse(path: String) throws(KubeConfigError) -> KubeconfigFile {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadableFile(path: path, reason: Self.reason(error))
        }
        let file: KubeconfigFile
        do {
            if data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
                file = KubeconfigFile()
            } else {
                file = try Self.decodeYAML(KubeconfigFile.self, from: data)
            }
        } catch {
            throw .malformedFile(path: path, reason: Self.reason(error))
        }
        if let version = file.apiVersion, !version.isEmpty, version != "v1" {
            throw .wrongAPIVersion(path: path, found: version)
        }
        if let kind = file.kind, !kind.isEmpty, kind != "Config" {
            throw .wrongKind(path: path, found: kind)
        }
        return file
    }

    private struct Sourced<Value> {
        var file: String
        var value: Value
    }

    private func resolve(
        files: [(path: String, file: KubeconfigFile)],
        contextOverride: String?
    ) throws(KubeConfigError) -> KubeConfiguration {
        var clusters: [String: Sourced<ClusterEntry>] = [:]
        var users: [String: Sourced<UserEntry>] = [:]
        var contexts: [String: Sourced<ContextEntry>] = [:]
        var current: String?
        for (path, file) in files {
            for entry in file.clusters ?? [] where clusters[entry.name] == nil {
                clusters[entry.name] = Sourced(file: path, value: entry.value ?? ClusterEntry())
            }
            for entry in file.users ?? [] where users[entry.name] == nil {
                users[entry.name] = Sourced(file: path, value: entry.value ?? UserEntry())
            }
            for entry in file.contexts ?? [] where contexts[entry.name] == nil {
                contexts[entry.name] = Sourced(file: path, value: entry.value ?? ContextEntry())
            }
            if current == nil, let name = file.currentContext, !name.isEmpty { current = name }
        }
        let paths = files.map(\.path)
        guard let contextName = contextOverride ?? current else { throw .noCurrentContext(files: paths) }
        guard let context = contexts[contextName] else {
            throw .contextNotFound(name: contextName, files: paths, known: contexts.keys.sorted())
        }
        let contextField = "contexts[\(contextName)].context"
        guard let clusterName = context.value.cluster, !clusterName.isEmpty else {
            throw .missingField(file: context.file, field: contextField + ".cluster")
        }
        guard let cluster = clusters[clusterName] else {
            throw .clusterNotFound(name: clusterName, context: contextName, file: context.file)
        }
        var user: Sourced<UserEntry>?
        if let userName = context.value.user, !userName.isEmpty {
            guard let found = users[userName] else {
                throw .userNotFound(name: userName, context: contextName, file: context.file)
            }
            user = found
        }

        let clusterResolved = try resolveCluster(cluster.value, name: clusterName, file: cluster.file)
        var tls = clusterResolved.tls
        var credentials = CredentialSource.none
        if let user {
            let userName = context.value.user ?? ""
            let resolved = try resolveUser(
                user.value, name: userName, file: user.file, cluster: clusterResolved.execInfo)
            tls.clientCertificate = resolved.certificate
            credentials = resolved.credentials
        }
        let namespace = context.value.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        return KubeConfiguration(
            server: clusterResolved.server,
            tls: tls,
            credentials: credentials,
            namespace: namespace,
            origin: "kubeconfig \(context.file), context \(contextName)",
            proxy: clusterResolved.proxy
        )
    }

    private func resolveCluster(
        _ entry: ClusterEntry, name: String, file: String
    ) throws(KubeConfigError) -> (server: URL, tls: TLSSettings, execInfo: ExecClusterInfo, proxy: ProxySettings?) {
        let field = "clusters[\(name)].cluster"
        guard let serverText = entry.server, !serverText.isEmpty else {
            throw .missingField(file: file, field: field + ".server")
        }
        guard let server = URL(string: serverText), let scheme = server.scheme?.lowercased(),
            scheme == "https" || scheme == "http", server.host != nil
        else {
            throw .invalidValue(
                file: file, field: field + ".server", value: serverText,
                expected: "an http:// or https:// URL with a host")
        }
        var tls = TLSSettings()
        if let data = entry.certificateAuthorityData, !data.isEmpty {
            tls.certificateAuthorityPEM = try Self.decodeBase64(
                data, file: file, field: field + ".certificate-authority-data")
        } else if let path = entry.certificateAuthority, !path.isEmpty {
            tls.certificateAuthorityPEM = try Self.readReferenced(
                Self.absolute(path, relativeTo: file), file: file, field: field + ".certificate-authority")
        }
        if let pem = tls.certificateAuthorityPEM {
            do {
                let certificates = try NIOSSLCertificate.fromPEMBytes(pem)
                if certificates.isEmpty { throw KubeConfigError.missingField(file: file, field: field) }
            } catch {
                throw .invalidValue(
                    file: file, field: field + ".certificate-authority(-data)", value: "<\(pem.count) bytes>",
                    expected: "one or more PEM certificates")
            }
        }
        tls.insecureSkipTLSVerify = entry.insecureSkipTLSVerify ?? false
        if tls.insecureSkipTLSVerify && tls.certificateAuthorityPEM != nil {
            throw .invalidValue(
                file: file, field: field + ".insecure-skip-tls-verify", value: "true",
                expected: "not set together with certificate-authority(-data) (kubectl refuses this too)")
        }
        if let serverName = entry.tlsServerName, !serverName.isEmpty { tls.serverName = serverName }
        var proxy: ProxySettings?
        if let proxyText = entry.proxyURL, !proxyText.isEmpty {
            guard let parsed = ProxySettings(url: proxyText) else {
                throw .invalidValue(
                    file: file, field: field + ".proxy-url", value: proxyText,
                    expected: "an http:// or socks5:// URL with a host and optional port")
            }
            proxy = parsed
        } else {
            proxy = ProxySettings.fromEnvironment(environment, for: server)
        }
        let execConfig = entry.extensions?.first { $0.name == "client.authentication.k8s.io/exec" }?.extension
        let info = ExecClusterInfo(
            server: serverText,
            tlsServerName: tls.serverName,
            insecureSkipTLSVerify: tls.insecureSkipTLSVerify,
            certificateAuthorityData: tls.certificateAuthorityPEM,
            proxyURL: entry.proxyURL,
            config: execConfig
        )
        return (server, tls, info, proxy)
    }

    private func resolveUser(
        _ entry: UserEntry, name: String, file: String, cluster: ExecClusterInfo
    ) throws(KubeConfigError) -> (credentials: CredentialSource, certificate: ClientCertificate?) {
        let field = "users[\(name)].user"
        if entry.authProvider != nil {
            throw .unsupportedAuthentication(
                file: file, field: field + ".auth-provider",
                detail: "auth-provider \(entry.authProvider?.name ?? "") was removed from kubectl; use an exec plugin")
        }
        // Client certificate (file or data; data wins).
        var certificatePEM: [UInt8]?
        var keyPEM: [UInt8]?
        if let data = entry.clientCertificateData, !data.isEmpty {
            certificatePEM = try Self.decodeBase64(data, file: file, field: field + ".client-certificate-data")
        } else if let path = entry.clientCertificate, !path.isEmpty {
            certificatePEM = try Self.readReferenced(
                Self.absolute(path, relativeTo: file), file: file, field: field + ".client-certificate")
        }
        if let data = entry.clientKeyData, !data.isEmpty {
            keyPEM = try Self.decodeBase64(data, file: file, field: field + ".client-key-data")
        } else if let path = entry.clientKey, !path.isEmpty {
            keyPEM = try Self.readReferenced(Self.absolute(path, relativeTo: file), file: file, field: field + ".client-key")
        }
        var certificate: ClientCertificate?
        switch (certificatePEM, keyPEM) {
        case (nil, nil): break
        case (.some, nil): throw .missingField(file: file, field: field + ".client-key(-data)")
        case (nil, .some): throw .missingField(file: file, field: field + ".client-certificate(-data)")
        case (.some(let cert), .some(let key)):
            do {
                _ = try NIOSSLCertificate.fromPEMBytes(cert)
            } catch {
                throw .invalidValue(
                    file: file, field: field + ".client-certificate(-data)", value: "<\(cert.count) bytes>",
                    expected: "a PEM certificate")
            }
            do {
                _ = try NIOSSLPrivateKey(bytes: key, format: .pem)
            } catch {
                throw .invalidValue(
                    file: file, field: field + ".client-key(-data)", value: "<redacted>", expected: "a PEM private key")
            }
            certificate = ClientCertificate(certificatePEM: cert, privateKeyPEM: key)
        }

        if let token = entry.token, !token.isEmpty {
            return (.token(token), certificate)
        }
        if let path = entry.tokenFile, !path.isEmpty {
            let absolute = Self.absolute(path, relativeTo: file)
            _ = try Self.readReferenced(absolute, file: file, field: field + ".tokenFile")
            return (.tokenFile(path: absolute), certificate)
        }
        if let exec = entry.exec {
            return (.exec(try resolveExec(exec, field: field + ".exec", file: file, cluster: cluster)), certificate)
        }
        if let username = entry.username, !username.isEmpty {
            return (.basic(username: username, password: entry.password ?? ""), certificate)
        }
        return (.none, certificate)
    }

    private func resolveExec(
        _ exec: ExecEntry, field: String, file: String, cluster: ExecClusterInfo
    ) throws(KubeConfigError) -> ExecPluginConfig {
        guard let command = exec.command, !command.isEmpty else {
            throw .missingField(file: file, field: field + ".command")
        }
        let v1 = "client.authentication.k8s.io/v1"
        let v1beta1 = "client.authentication.k8s.io/v1beta1"
        guard let apiVersion = exec.apiVersion, apiVersion == v1 || apiVersion == v1beta1 else {
            throw .invalidValue(
                file: file, field: field + ".apiVersion", value: exec.apiVersion ?? "",
                expected: "\(v1) or \(v1beta1)")
        }
        let mode: ExecPluginConfig.InteractiveMode
        if let text = exec.interactiveMode, !text.isEmpty {
            guard let parsed = ExecPluginConfig.InteractiveMode(rawValue: text) else {
                throw .invalidValue(
                    file: file, field: field + ".interactiveMode", value: text,
                    expected: "Never, IfAvailable or Always")
            }
            mode = parsed
        } else if apiVersion == v1 {
            throw .missingField(file: file, field: field + ".interactiveMode")
        } else {
            mode = .ifAvailable
        }
        // Like client-go: a relative command with a path separator is relative to the kubeconfig.
        let resolvedCommand = command.contains("/") ? Self.absolute(command, relativeTo: file) : command
        return ExecPluginConfig(
            apiVersion: apiVersion,
            command: resolvedCommand,
            args: exec.args ?? [],
            env: (exec.env ?? []).map { (name: $0.name, value: $0.value) },
            installHint: exec.installHint,
            provideClusterInfo: exec.provideClusterInfo ?? false,
            interactiveMode: mode,
            cluster: cluster,
            sourceFile: file
        )
    }

    // MARK: Helpers

    static func absolute(_ path: String, relativeTo file: String) -> String {
        if path.hasPrefix("/") { return path }
        let folder = (file as NSString).deletingLastPathComponent
        let joined = ((folder.isEmpty ? "." : folder) as NSString).appendingPathComponent(path)
        return (joined as NSString).standardizingPath
    }

    static func decodeBase64(_ text: String, file: String, field: String) throws(KubeConfigError) -> [UInt8] {
        let compact = text.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: compact), !data.isEmpty else {
            throw .invalidBase64(file: file, field: field)
        }
        return [UInt8](data)
    }

    static func readReferenced(_ path: String, file: String, field: String) throws(KubeConfigError) -> [UInt8] {
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .unreadableReferencedFile(file: file, field: field, path: path, reason: reason(error))
        }
    }

    /// Decodes YAML as `YAMLDecoder` does, without loading a regular-expression engine when the
    /// text cannot need one. Yams resolves YAML merge keys (`<<`) with `NSRegularExpression`,
    /// which brings ICU's regex code and data into memory (about a megabyte resident, for the
    /// life of a long-running program); with no `<<` in the text there is nothing to resolve, so
    /// the document is parsed with no resolver rules and decodes to the same value.
    static func decodeYAML<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        guard !data.contains(where: { $0 == UInt8(ascii: "<") }),
            let text = String(data: data, encoding: .utf8)
        else {
            return try YAMLDecoder().decode(type, from: data)
        }
        let parser = try Parser(yaml: text, resolver: .basic)
        // The parser owns the document's anchors while the nodes are decoded.
        return try withExtendedLifetime(parser) {
            try YAMLDecoder().decode(type, from: try parser.singleRoot() ?? "")
        }
    }

    static func reason(_ error: any Error) -> String {
        if let decoding = error as? DecodingError {
            switch decoding {
            case .typeMismatch(_, let context), .valueNotFound(_, let context),
                .keyNotFound(_, let context), .dataCorrupted(let context):
                let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
            @unknown default:
                return "\(decoding)"
            }
        }
        let ns = error as NSError
        if ns.domain == NSCocoaErrorDomain, let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return "\(error)"
    }
}
