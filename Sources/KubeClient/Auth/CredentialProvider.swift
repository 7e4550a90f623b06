import Foundation

/// What a request presents to the API server besides the TLS settings.
public struct Credential: Sendable, Equatable, CustomStringConvertible {
    /// The bearer token, if any. Never logged.
    public var bearerToken: String?
    /// `Authorization: Basic ...` credentials, if any. Never logged.
    public var basic: (username: String, password: String)?
    /// A client certificate handed out by an exec plugin (overrides the configured one).
    public var clientCertificate: ClientCertificate?

    public init(bearerToken: String? = nil, basic: (username: String, password: String)? = nil,
                clientCertificate: ClientCertificate? = nil) {
        self.bearerToken = bearerToken
        self.basic = basic
        self.clientCertificate = clientCertificate
    }

    /// The `Authorization` header value, if this credential has one.
    var authorizationHeader: String? {
        if let bearerToken { return "Bearer \(bearerToken)" }
        if let basic { return "Basic " + Data("\(basic.username):\(basic.password)".utf8).base64EncodedString() }
        return nil
    }

    public static func == (lhs: Credential, rhs: Credential) -> Bool {
        lhs.bearerToken == rhs.bearerToken && lhs.basic?.username == rhs.basic?.username
            && lhs.basic?.password == rhs.basic?.password && lhs.clientCertificate == rhs.clientCertificate
    }

    public var description: String {
        var parts: [String] = []
        if bearerToken != nil { parts.append("bearer token (redacted)") }
        if let basic { parts.append("basic \(basic.username) (redacted)") }
        if clientCertificate != nil { parts.append("client certificate") }
        return parts.isEmpty ? "Credential(none)" : "Credential(\(parts.joined(separator: ", ")))"
    }
}

/// A source of request credentials.
///
/// The transport asks for a credential before every request and calls ``invalidate()`` when the
/// server answers 401, then asks again once (so a rotated token or a re-run exec plugin is used).
public protocol CredentialProvider: Sendable {
    /// The credential to present now.
    func credential() async throws -> Credential
    /// Forgets any cached credential (called after a 401).
    func invalidate() async
}

/// A fixed credential (a kubeconfig `token`, or basic auth).
public struct StaticCredentialProvider: CredentialProvider {
    let value: Credential

    public init(_ credential: Credential) { value = credential }

    public func credential() async throws -> Credential { value }
    public func invalidate() async {}
}
