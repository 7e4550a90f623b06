import Foundation
import NIOSSL

/// Where a pod finds its service-account credentials. Injectable so tests can point at a temp dir.
public struct InClusterPaths: Sendable {
    public var token: String
    public var certificateAuthority: String
    public var namespace: String

    /// The standard mount `/var/run/secrets/kubernetes.io/serviceaccount`.
    public static let standard = InClusterPaths(folder: "/var/run/secrets/kubernetes.io/serviceaccount")

    /// The three files inside `folder`.
    public init(folder: String) {
        token = folder + "/token"
        certificateAuthority = folder + "/ca.crt"
        namespace = folder + "/namespace"
    }

    public init(token: String, certificateAuthority: String, namespace: String) {
        self.token = token
        self.certificateAuthority = certificateAuthority
        self.namespace = namespace
    }
}

extension KubeConfiguration {
    /// The configuration of a pod: `KUBERNETES_SERVICE_HOST`/`_PORT`, the CA and namespace files,
    /// and the service-account token, which is re-read whenever the file changes (it rotates).
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        paths: InClusterPaths = .standard
    ) throws(KubeConfigError) -> KubeConfiguration {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty else {
            throw .notInCluster(missingVariable: "KUBERNETES_SERVICE_HOST")
        }
        guard let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty else {
            throw .notInCluster(missingVariable: "KUBERNETES_SERVICE_PORT")
        }
        let origin = "in-cluster service account"
        guard Int(port).map({ (1...65535).contains($0) }) == true else {
            throw .invalidValue(
                file: origin, field: "KUBERNETES_SERVICE_PORT", value: port, expected: "a port number 1-65535")
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        guard let server = URL(string: "https://\(hostPart):\(port)") else {
            throw .invalidValue(file: origin, field: "KUBERNETES_SERVICE_HOST", value: host, expected: "a host name or IP")
        }
        _ = try KubeconfigLoader.readReferenced(paths.token, file: origin, field: "service-account token")
        let ca = try KubeconfigLoader.readReferenced(
            paths.certificateAuthority, file: origin, field: "service-account CA")
        do {
            _ = try NIOSSLCertificate.fromPEMBytes(ca)
        } catch {
            throw .invalidValue(
                file: origin, field: paths.certificateAuthority, value: "<\(ca.count) bytes>",
                expected: "PEM certificates")
        }
        var namespace = "default"
        if let data = FileManager.default.contents(atPath: paths.namespace),
            let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
            !text.isEmpty
        {
            namespace = text
        }
        return KubeConfiguration(
            server: server,
            tls: TLSSettings(certificateAuthorityPEM: ca),
            credentials: .tokenFile(path: paths.token),
            namespace: namespace,
            origin: origin,
            proxy: ProxySettings.fromEnvironment(environment, for: server)
        )
    }

    /// The configuration a Mend program uses when not told otherwise: an explicit kubeconfig
    /// path wins; else in-cluster when `KUBERNETES_SERVICE_HOST` is set; else kubectl's rules
    /// (`KUBECONFIG`, then `~/.kube/config`).
    public static func automatic(
        kubeconfig: String? = nil,
        context: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(KubeConfigError) -> KubeConfiguration {
        let loader = KubeconfigLoader(environment: environment)
        if let kubeconfig { return try loader.load(paths: [kubeconfig], context: context) }
        if context == nil, environment["KUBERNETES_SERVICE_HOST"].map({ !$0.isEmpty }) == true,
            environment["KUBECONFIG"] == nil
        {
            return try inCluster(environment: environment)
        }
        return try loader.load(context: context)
    }
}
