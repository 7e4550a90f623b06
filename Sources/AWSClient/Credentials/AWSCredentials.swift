import Foundation

/// An AWS access key pair, with a session token when the keys are temporary.
///
/// `description` and `debugDescription` never show the secret or the token: only a masked access
/// key id, whether a token is present, the expiry and the source.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The access key id (`AKIA...` for long-term keys, `ASIA...` for temporary ones).
    public var accessKeyID: String
    /// The secret access key. Never logged.
    public var secretAccessKey: String
    /// The session token of temporary credentials. Never logged.
    public var sessionToken: String?
    /// When temporary credentials stop working; `nil` for long-term keys.
    public var expiration: Date?
    /// Where these credentials came from.
    public var source: CredentialSource

    public init(
        accessKeyID: String,
        secretAccessKey: String,
        sessionToken: String? = nil,
        expiration: Date? = nil,
        source: CredentialSource = .static
    ) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
        self.source = source
    }

    /// The access key id with all but its first four and last four characters masked.
    public var maskedAccessKeyID: String {
        guard accessKeyID.count > 8 else { return String(repeating: "*", count: accessKeyID.count) }
        return accessKeyID.prefix(4) + String(repeating: "*", count: accessKeyID.count - 8) + accessKeyID.suffix(4)
    }

    public var description: String {
        var text = "AWSCredentials(accessKeyID: \(maskedAccessKeyID), secretAccessKey: <redacted>"
        text += sessionToken == nil ? ", sessionToken: none" : ", sessionToken: <redacted>"
        if let expiration { text += ", expiration: \(expiration)" }
        return text + ", source: \(source))"
    }

    public var debugDescription: String { description }

    /// Whether these credentials expire within `margin` of `now`.
    func expires(within margin: TimeInterval, of now: Date) -> Bool {
        guard let expiration else { return false }
        return expiration.timeIntervalSince(now) <= margin
    }
}

/// Where the credential chain found credentials. Names files, URLs and role ARNs, never secrets.
public enum CredentialSource: Sendable, Equatable, CustomStringConvertible {
    /// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`).
    case environment
    /// `AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE` through STS `AssumeRoleWithWebIdentity` (IRSA).
    case webIdentity(roleARN: String, tokenFile: String)
    /// Static keys from a profile in the shared config or credentials file.
    case profile(name: String)
    /// A profile's `role_arn`, assumed with STS `AssumeRole` using its `source_profile`.
    case assumeRole(roleARN: String, profile: String)
    /// The container credentials endpoint (ECS task role, EKS Pod Identity).
    case container(endpoint: String)
    /// The EC2 instance metadata service (instance profile role).
    case instanceMetadata(role: String)
    /// Credentials handed to the client directly.
    case `static`

    public var description: String {
        switch self {
        case .environment: return "environment variables"
        case .webIdentity(let role, let file): return "web identity (role \(role), token file \(file))"
        case .profile(let name): return "shared config profile '\(name)'"
        case .assumeRole(let role, let profile): return "assumed role \(role) (profile '\(profile)')"
        case .container(let endpoint): return "container credentials endpoint \(endpoint)"
        case .instanceMetadata(let role): return "EC2 instance metadata (role \(role))"
        case .static: return "static credentials"
        }
    }
}
