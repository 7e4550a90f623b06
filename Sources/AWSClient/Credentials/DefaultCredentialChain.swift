import Foundation
import MendTime

/// The standard AWS credential chain, decided once from the environment:
///
/// 1. environment variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`);
/// 2. web identity / IRSA (`AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE` [+ `AWS_ROLE_SESSION_NAME`]);
/// 3. the shared config profile (`AWS_PROFILE`, else `default`), static keys or an assumed role;
/// 4. container credentials (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` / `_FULL_URI`, as ECS and
///    EKS Pod Identity set them);
/// 5. EC2 instance metadata (IMDSv2), unless `AWS_EC2_METADATA_DISABLED=true`.
///
/// A source that is configured but fails is an error: the chain never silently falls through to
/// a different identity. Fetched credentials are cached and refreshed five minutes before expiry.
public struct DefaultCredentialChain: AWSCredentialProvider {
    /// The source the chain picked (for IMDS, the role is known after the first fetch).
    public let plannedSource: String
    private let provider: RefreshingCredentialProvider

    init(environment: AWSEnvironment, profile explicitProfile: String?, files: SharedConfigFiles, context: ServiceContext,
         imdsEndpoint: String?, imdsTimeout: Duration, containerTimeout: Duration) throws {
        let clock = context.clock
        let imds = InstanceMetadataClient.endpoint(in: environment, override: imdsEndpoint).map {
            InstanceMetadataClient(endpoint: $0, transport: context.transport, timeout: imdsTimeout)
        }
        let profileName = explicitProfile ?? environment["AWS_PROFILE"]
        let resolver = ProfileCredentialResolver(files: files, environment: environment, context: context, imds: imds, containerTimeout: containerTimeout)

        if EnvironmentCredentialProvider.isConfigured(in: environment) {
            let provider = EnvironmentCredentialProvider(environment: environment)
            plannedSource = CredentialSource.environment.description
            self.provider = RefreshingCredentialProvider(clock: clock) { try await provider.credentials() }
            return
        }
        if let roleARN = environment["AWS_ROLE_ARN"], let tokenFile = environment["AWS_WEB_IDENTITY_TOKEN_FILE"] {
            let source = CredentialSource.webIdentity(roleARN: roleARN, tokenFile: tokenFile)
            let provider = WebIdentityCredentialProvider(
                roleARN: roleARN, tokenFile: tokenFile, sessionName: environment["AWS_ROLE_SESSION_NAME"],
                environment: environment, sts: context.sts(credentials: nil), source: source
            )
            plannedSource = source.description
            self.provider = RefreshingCredentialProvider(clock: clock) { try await provider.fetch() }
            return
        }
        if let profileName {
            guard files.profiles[profileName] != nil else {
                throw AWSClientError.profileNotFound(name: profileName, files: files.searched)
            }
        }
        let profile = profileName ?? "default"
        if resolver.hasCredentials(profile) {
            plannedSource = resolver.source(for: profile).description
            self.provider = RefreshingCredentialProvider(clock: clock) { try await resolver.fetch(profile) }
            return
        }
        if let url = try ContainerCredentialProvider.endpoint(in: environment) {
            let provider = ContainerCredentialProvider(url: url, environment: environment, transport: context.transport, timeout: containerTimeout)
            plannedSource = CredentialSource.container(endpoint: url).description
            self.provider = RefreshingCredentialProvider(clock: clock) { try await provider.fetch() }
            return
        }
        let tried = [
            "environment variables (AWS_ACCESS_KEY_ID unset)",
            "web identity (AWS_ROLE_ARN/AWS_WEB_IDENTITY_TOKEN_FILE unset)",
            "profile '\(profile)' (no credentials in \(files.searched.joined(separator: ", ")))",
            "container credentials (AWS_CONTAINER_CREDENTIALS_* unset)",
        ]
        guard let imds else {
            plannedSource = "none"
            self.provider = RefreshingCredentialProvider(clock: clock) {
                throw AWSClientError.noCredentials(tried: tried + ["EC2 instance metadata (disabled by AWS_EC2_METADATA_DISABLED)"])
            }
            return
        }
        plannedSource = "EC2 instance metadata at \(imds.endpoint)"
        self.provider = RefreshingCredentialProvider(clock: clock) {
            do {
                return try await imds.credentials()
            } catch let failure as InstanceMetadataClient.Failure {
                throw AWSClientError.noCredentials(tried: tried + ["EC2 instance metadata (\(failure.description))"])
            }
        }
    }

    public func credentials() async throws -> AWSCredentials {
        try await provider.credentials()
    }
}
