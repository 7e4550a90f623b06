import Foundation

/// IRSA: exchanges the projected service-account token for role credentials with STS
/// `AssumeRoleWithWebIdentity`. The token file is read again on every refresh, because the
/// kubelet rotates it.
struct WebIdentityCredentialProvider: Sendable {
    var roleARN: String
    var tokenFile: String
    var sessionName: String?
    var environment: AWSEnvironment
    var sts: STSClient
    /// How the source is reported (environment IRSA, or a profile with `web_identity_token_file`).
    var source: CredentialSource

    func fetch() async throws -> AWSCredentials {
        let token: String
        do {
            token = String(decoding: try environment.readFile(tokenFile), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw AWSClientError.credentialSourceFailed(source: source.description, reason: "cannot read the token file \(tokenFile)")
        }
        guard !token.isEmpty else {
            throw AWSClientError.credentialSourceFailed(source: source.description, reason: "the token file \(tokenFile) is empty")
        }
        let session = sessionName ?? "mend-\(Int(sts.engine.clock.now.timeIntervalSince1970 * 1000))"
        do {
            var role = try await sts.assumeRoleWithWebIdentity(roleARN: roleARN, sessionName: session, webIdentityToken: token, durationSeconds: nil)
            role.credentials.source = source
            return role.credentials
        } catch let error as AWSClientError {
            throw AWSClientError.credentialSourceFailed(source: source.description, reason: error.description)
        }
    }
}
