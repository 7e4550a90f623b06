import Foundation

/// The JSON document served by the container and instance-metadata credential endpoints.
struct EndpointCredentialsDocument: Decodable {
    var AccessKeyId: String?
    var SecretAccessKey: String?
    var Token: String?
    var Expiration: String?
    var Code: String?
    var Message: String?
    var message: String?
    var code: String?

    func credentials(source: CredentialSource, sourceName: String) throws -> AWSCredentials {
        if let code = Code, code != "Success" {
            throw AWSClientError.credentialSourceFailed(source: sourceName, reason: "endpoint answered Code=\(code) \(Message ?? "")")
        }
        guard let keyID = AccessKeyId, let secret = SecretAccessKey else {
            throw AWSClientError.credentialSourceFailed(source: sourceName, reason: "answer has no AccessKeyId/SecretAccessKey")
        }
        var expiration: Date?
        if let text = Expiration {
            guard let parsed = AMZDate.parseISO8601(text) else {
                throw AWSClientError.credentialSourceFailed(source: sourceName, reason: "Expiration '\(text)' is not an ISO 8601 time")
            }
            expiration = parsed
        }
        return AWSCredentials(accessKeyID: keyID, secretAccessKey: secret, sessionToken: Token, expiration: expiration, source: source)
    }
}

/// Credentials from the container credentials endpoint: ECS task roles
/// (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`) and EKS Pod Identity
/// (`AWS_CONTAINER_CREDENTIALS_FULL_URI` with `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`).
struct ContainerCredentialProvider: Sendable {
    /// The ECS agent's address, prefixed to a relative URI.
    static let ecsHost = "http://169.254.170.2"
    /// Hosts a plain-http full URI may point at: loopback, the ECS agent, the EKS Pod Identity agent.
    static let allowedHTTPHosts: Set<String> = ["localhost", "127.0.0.1", "::1", "[::1]", "169.254.170.2", "169.254.170.23", "fd00:ec2::23", "[fd00:ec2::23]"]

    var url: String
    var environment: AWSEnvironment
    var transport: any HTTPTransport
    var timeout: Duration

    /// The endpoint named by the environment, `nil` when none is, or an error when it is not allowed.
    static func endpoint(in environment: AWSEnvironment) throws -> String? {
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
            return ecsHost + (relative.hasPrefix("/") ? relative : "/" + relative)
        }
        guard let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] else { return nil }
        guard let url = URL(string: full), let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased() else {
            throw AWSClientError.credentialSourceFailed(source: "container credentials", reason: "AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URL: \(full)")
        }
        let loopback = host.hasPrefix("127.") || allowedHTTPHosts.contains(host)
        guard scheme == "https" || (scheme == "http" && loopback) else {
            throw AWSClientError.credentialSourceFailed(
                source: "container credentials",
                reason: "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or point at loopback, the ECS agent or the EKS Pod Identity agent; got \(full)"
            )
        }
        return full
    }

    func fetch() async throws -> AWSCredentials {
        let source = CredentialSource.container(endpoint: url)
        var headers: [(String, String)] = [("Accept", "application/json")]
        if let tokenFile = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] {
            guard let data = try? environment.readFile(tokenFile) else {
                throw AWSClientError.credentialSourceFailed(source: source.description, reason: "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(tokenFile)")
            }
            headers.append(("Authorization", try Self.checkedToken(String(decoding: data, as: UTF8.self), source: source)))
        } else if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] {
            headers.append(("Authorization", try Self.checkedToken(token, source: source)))
        }
        if let host = URL(string: url)?.hostHeader { headers.append(("Host", host)) }
        var lastError: (any Error)?
        for _ in 0..<2 {
            do {
                let response = try await transport.send(HTTPExchangeRequest(method: "GET", url: url, headers: headers, body: []), timeout: timeout)
                guard response.status == 200 else {
                    let document = try? JSONDecoder().decode(EndpointCredentialsDocument.self, from: Data(response.body))
                    let detail = document?.message ?? document?.Message ?? document?.code ?? ""
                    let error = AWSClientError.credentialSourceFailed(source: source.description, reason: "HTTP \(response.status) \(detail)")
                    if response.status >= 500 { lastError = error; continue }
                    throw error
                }
                let document: EndpointCredentialsDocument
                do {
                    document = try JSONDecoder().decode(EndpointCredentialsDocument.self, from: Data(response.body))
                } catch {
                    throw AWSClientError.credentialSourceFailed(source: source.description, reason: "answer is not a credentials JSON document")
                }
                return try document.credentials(source: source, sourceName: source.description)
            } catch let failure as HTTPTransportFailure {
                lastError = AWSClientError.credentialSourceFailed(source: source.description, reason: failure.reason)
            }
        }
        throw lastError ?? AWSClientError.credentialSourceFailed(source: source.description, reason: "no answer")
    }

    private static func checkedToken(_ raw: String, source: CredentialSource) throws -> String {
        let token = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, !token.contains("\r"), !token.contains("\n") else {
            throw AWSClientError.credentialSourceFailed(source: source.description, reason: "the authorization token is empty or spans several lines")
        }
        return token
    }
}
