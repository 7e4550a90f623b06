import Foundation

/// Whom a written kubeconfig authenticates as.
public enum KubeconfigCredentials: Sendable {
    /// No credentials (a server without authentication).
    case none
    /// A bearer token.
    case token(String)
    /// A client certificate with this CN (and groups), issued by the server's CA.
    case clientCertificate(commonName: String, groups: [String])
}

/// Problems writing a kubeconfig.
public enum KubeconfigError: Error, CustomStringConvertible {
    case clientCertificateNeedsTLS
    case cannotWrite(path: String)

    public var description: String {
        switch self {
        case .clientCertificateNeedsTLS:
            return "a client-certificate kubeconfig needs a server started with tls: true (it has no CA to sign the certificate)"
        case .cannotWrite(let path):
            return "could not write the kubeconfig to \(path): check that the directory exists and is writable"
        }
    }
}

extension ClusterSimServer {
    /// The kubeconfig YAML for this server.
    public func kubeconfig(credentials: KubeconfigCredentials? = nil, contextName: String = "clustersim") throws -> String {
        let credentials = credentials ?? configuration.tokens.first.map { .token($0.key) } ?? KubeconfigCredentials.none
        var cluster = "    server: \(url)\n"
        if let ca = certificateAuthority {
            cluster += "    certificate-authority-data: \(Data(ca.certificatePEM.utf8).base64EncodedString())\n"
        }
        var user = ""
        switch credentials {
        case .none:
            user = "    {}\n"
        case .token(let token):
            user = "    token: \(token)\n"
        case .clientCertificate(let cn, let groups):
            guard let ca = certificateAuthority else { throw KubeconfigError.clientCertificateNeedsTLS }
            let issued = try ca.issueClientCertificate(commonName: cn, organizations: groups)
            user = "    client-certificate-data: \(Data(issued.certificatePEM.utf8).base64EncodedString())\n"
                + "    client-key-data: \(Data(issued.privateKeyPEM.utf8).base64EncodedString())\n"
        }
        return """
            apiVersion: v1
            kind: Config
            clusters:
            - name: \(contextName)
              cluster:
            \(cluster)users:
            - name: \(contextName)
              user:
            \(user)contexts:
            - name: \(contextName)
              context:
                cluster: \(contextName)
                user: \(contextName)
                namespace: default
            current-context: \(contextName)

            """
    }

    /// Writes the kubeconfig (mode 0600) to `path`, or to a new file in the temporary directory.
    /// - Returns: the file's URL.
    @discardableResult
    public func writeKubeconfig(to path: URL? = nil, credentials: KubeconfigCredentials? = nil) throws -> URL {
        let target = path ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("clustersim-\(port)-\(UUID().uuidString.prefix(8)).kubeconfig")
        let text = try kubeconfig(credentials: credentials)
        guard FileManager.default.createFile(atPath: target.path, contents: Data(text.utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw KubeconfigError.cannotWrite(path: target.path)
        }
        return target
    }
}
