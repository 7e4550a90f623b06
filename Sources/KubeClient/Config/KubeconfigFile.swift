import Foundation
import KubeModels

/// The on-disk shape of one kubeconfig file (`apiVersion: v1`, `kind: Config`).
///
/// Only the fields Mend acts on are decoded; unknown fields are ignored, as kubectl does.
struct KubeconfigFile: Decodable, Sendable {
    var apiVersion: String?
    var kind: String?
    var clusters: [NamedEntry<ClusterEntry>]?
    var users: [NamedEntry<UserEntry>]?
    var contexts: [NamedEntry<ContextEntry>]?
    var currentContext: String?

    enum CodingKeys: String, CodingKey {
        case apiVersion, kind, clusters, users, contexts
        case currentContext = "current-context"
    }
}

/// `{name: ..., <key>: {...}}` as kubeconfig lists clusters, users and contexts.
struct NamedEntry<Value: Decodable & Sendable>: Decodable, Sendable {
    var name: String
    var value: Value?

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        name = try container.decode(String.self, forKey: Key(stringValue: "name"))
        let valueKey = Key(stringValue: Value.self is ClusterEntry.Type ? "cluster"
            : Value.self is UserEntry.Type ? "user" : "context")
        value = try container.decodeIfPresent(Value.self, forKey: valueKey)
    }
}

struct ClusterEntry: Decodable, Sendable {
    var server: String?
    var certificateAuthority: String?
    var certificateAuthorityData: String?
    var tlsServerName: String?
    var insecureSkipTLSVerify: Bool?
    var proxyURL: String?
    var extensions: [NamedExtension]?

    enum CodingKeys: String, CodingKey {
        case server
        case certificateAuthority = "certificate-authority"
        case certificateAuthorityData = "certificate-authority-data"
        case tlsServerName = "tls-server-name"
        case insecureSkipTLSVerify = "insecure-skip-tls-verify"
        case proxyURL = "proxy-url"
        case extensions
    }
}

struct NamedExtension: Decodable, Sendable {
    var name: String
    var `extension`: JSONValue?
}

struct UserEntry: Decodable, Sendable {
    var token: String?
    var tokenFile: String?
    var clientCertificate: String?
    var clientCertificateData: String?
    var clientKey: String?
    var clientKeyData: String?
    var exec: ExecEntry?
    var username: String?
    var password: String?
    var authProvider: AuthProviderEntry?

    enum CodingKeys: String, CodingKey {
        case token, tokenFile, exec, username, password
        case clientCertificate = "client-certificate"
        case clientCertificateData = "client-certificate-data"
        case clientKey = "client-key"
        case clientKeyData = "client-key-data"
        case authProvider = "auth-provider"
    }
}

struct AuthProviderEntry: Decodable, Sendable {
    var name: String?
}

struct ExecEntry: Decodable, Sendable {
    struct EnvVar: Decodable, Sendable {
        var name: String
        var value: String
    }

    var command: String?
    var args: [String]?
    var env: [EnvVar]?
    var apiVersion: String?
    var installHint: String?
    var provideClusterInfo: Bool?
    var interactiveMode: String?
}

struct ContextEntry: Decodable, Sendable {
    var cluster: String?
    var user: String?
    var namespace: String?
}
