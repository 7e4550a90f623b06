import Foundation

/// Who the credentials belong to (STS `GetCallerIdentity`).
public struct CallerIdentity: Sendable, Equatable {
    /// The 12-digit account id.
    public var account: String
    /// The ARN of the user or assumed role.
    public var arn: String
    /// The unique id of the caller.
    public var userID: String
}

/// Temporary credentials returned by an STS `AssumeRole*` call.
public struct AssumedRole: Sendable, Equatable {
    /// The temporary credentials (their `description` is redacted).
    public var credentials: AWSCredentials
    /// The ARN of the assumed role session.
    public var assumedRoleARN: String?
    /// The assumed role id (`AROA...:session`).
    public var assumedRoleID: String?
}

/// The STS calls Mend makes.
public protocol STSAPI: Sendable {
    /// Who the current credentials belong to.
    func getCallerIdentity() async throws -> CallerIdentity

    /// Assumes `roleARN` with the current credentials.
    func assumeRole(roleARN: String, sessionName: String, durationSeconds: Int?, externalID: String?) async throws -> AssumedRole

    /// Exchanges an OIDC token for role credentials (unsigned call, as IRSA uses).
    func assumeRoleWithWebIdentity(roleARN: String, sessionName: String, webIdentityToken: String, durationSeconds: Int?) async throws -> AssumedRole
}
