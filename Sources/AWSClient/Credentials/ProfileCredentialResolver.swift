import Foundation

/// Credentials for a named profile of the shared config files: static keys, `role_arn` with
/// `source_profile` (STS `AssumeRole`), `role_arn` with `web_identity_token_file`, or `role_arn`
/// with `credential_source` (`Environment`, `Ec2InstanceMetadata`, `EcsContainer`).
struct ProfileCredentialResolver: Sendable {
    var files: SharedConfigFiles
    var environment: AWSEnvironment
    var context: ServiceContext
    var imds: InstanceMetadataClient?
    var containerTimeout: Duration

    /// Whether `name` exists and says something about credentials.
    func hasCredentials(_ name: String) -> Bool {
        guard let profile = files.profiles[name] else { return false }
        return profile["aws_access_key_id"] != nil || profile["role_arn"] != nil
    }

    /// How a profile's credentials will be reported.
    func source(for name: String) -> CredentialSource {
        if let role = files.profiles[name]?["role_arn"] { return .assumeRole(roleARN: role, profile: name) }
        return .profile(name: name)
    }

    func fetch(_ name: String) async throws -> AWSCredentials {
        try await fetch(name, visited: [])
    }

    private func fetch(_ name: String, visited: [String]) async throws -> AWSCredentials {
        guard let profile = files.profiles[name] else {
            throw AWSClientError.profileNotFound(name: name, files: files.searched)
        }
        guard visited.count < 8, !visited.contains(name) else {
            throw AWSClientError.credentialSourceFailed(source: "profile '\(name)'", reason: "source_profile chain loops: \((visited + [name]).joined(separator: " -> "))")
        }
        guard let roleARN = profile["role_arn"] else {
            return try staticKeys(profile, name: name)
        }
        let source = CredentialSource.assumeRole(roleARN: roleARN, profile: name)
        let sessionName = profile["role_session_name"] ?? "mend-\(Int(context.clock.now.timeIntervalSince1970 * 1000))"
        if let tokenFile = profile["web_identity_token_file"] {
            let provider = WebIdentityCredentialProvider(
                roleARN: roleARN, tokenFile: environment.expandingHome(tokenFile), sessionName: profile["role_session_name"],
                environment: environment, sts: context.sts(credentials: nil), source: source
            )
            return try await provider.fetch()
        }
        let base: AWSCredentials
        if let sourceProfile = profile["source_profile"] {
            if sourceProfile == name {
                base = try staticKeys(profile, name: name)
            } else {
                base = try await fetch(sourceProfile, visited: visited + [name])
            }
        } else if let credentialSource = profile["credential_source"] {
            base = try await fetchCredentialSource(credentialSource, profile: name)
        } else {
            throw AWSClientError.credentialSourceFailed(source: "profile '\(name)'", reason: "role_arn needs source_profile, credential_source or web_identity_token_file")
        }
        let duration = profile["duration_seconds"].flatMap { Int($0) }
        do {
            var role = try await context.sts(credentials: StaticCredentialProvider(base))
                .assumeRole(roleARN: roleARN, sessionName: sessionName, durationSeconds: duration, externalID: profile["external_id"])
            role.credentials.source = source
            return role.credentials
        } catch let error as AWSClientError {
            throw AWSClientError.credentialSourceFailed(source: source.description, reason: error.description)
        }
    }

    private func staticKeys(_ profile: [String: String], name: String) throws -> AWSCredentials {
        guard let keyID = profile["aws_access_key_id"], let secret = profile["aws_secret_access_key"] else {
            throw AWSClientError.credentialSourceFailed(source: "profile '\(name)'", reason: "needs both aws_access_key_id and aws_secret_access_key, or role_arn")
        }
        return AWSCredentials(accessKeyID: keyID, secretAccessKey: secret, sessionToken: profile["aws_session_token"], source: .profile(name: name))
    }

    private func fetchCredentialSource(_ kind: String, profile: String) async throws -> AWSCredentials {
        switch kind {
        case "Environment":
            return try await EnvironmentCredentialProvider(environment: environment).credentials()
        case "Ec2InstanceMetadata":
            guard let imds else {
                throw AWSClientError.credentialSourceFailed(source: "profile '\(profile)'", reason: "credential_source Ec2InstanceMetadata but AWS_EC2_METADATA_DISABLED=true")
            }
            do { return try await imds.credentials() } catch let failure as InstanceMetadataClient.Failure {
                throw AWSClientError.credentialSourceFailed(source: "profile '\(profile)'", reason: failure.description)
            }
        case "EcsContainer":
            guard let url = try ContainerCredentialProvider.endpoint(in: environment) else {
                throw AWSClientError.credentialSourceFailed(source: "profile '\(profile)'", reason: "credential_source EcsContainer but no AWS_CONTAINER_CREDENTIALS_* variable is set")
            }
            return try await ContainerCredentialProvider(url: url, environment: environment, transport: context.transport, timeout: containerTimeout).fetch()
        default:
            throw AWSClientError.credentialSourceFailed(source: "profile '\(profile)'", reason: "unknown credential_source '\(kind)'; expected Environment, Ec2InstanceMetadata or EcsContainer")
        }
    }
}
