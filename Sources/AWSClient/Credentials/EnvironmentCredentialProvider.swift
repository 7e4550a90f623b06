/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
public struct EnvironmentCredentialProvider: AWSCredentialProvider {
    let environment: AWSEnvironment

    public init(environment: AWSEnvironment) { self.environment = environment }

    /// Whether the environment names credentials at all (either variable set).
    public static func isConfigured(in environment: AWSEnvironment) -> Bool {
        environment["AWS_ACCESS_KEY_ID"] != nil || environment["AWS_SECRET_ACCESS_KEY"] != nil
    }

    public func credentials() async throws -> AWSCredentials {
        guard let keyID = environment["AWS_ACCESS_KEY_ID"] else {
            throw AWSClientError.credentialSourceFailed(source: "environment variables", reason: "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")
        }
        guard let secret = environment["AWS_SECRET_ACCESS_KEY"] else {
            throw AWSClientError.credentialSourceFailed(source: "environment variables", reason: "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        }
        return AWSCredentials(accessKeyID: keyID, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"], source: .environment)
    }
}
