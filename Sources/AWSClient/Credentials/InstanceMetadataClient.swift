import Foundation

/// The EC2 instance metadata service with IMDSv2 session tokens.
///
/// Timeouts are short (1 s by default) and there is a single attempt, so a laptop without IMDS
/// gives up at once. When the token call is refused (IMDSv2 not offered: 403/404/405) it falls
/// back to IMDSv1 requests.
struct InstanceMetadataClient: Sendable {
    /// The default endpoint (`AWS_EC2_METADATA_SERVICE_ENDPOINT` overrides it).
    static let defaultEndpoint = "http://169.254.169.254"

    var endpoint: String
    var transport: any HTTPTransport
    var timeout: Duration

    /// The endpoint from the environment, or `nil` when `AWS_EC2_METADATA_DISABLED=true`.
    static func endpoint(in environment: AWSEnvironment, override: String?) -> String? {
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" { return nil }
        var endpoint = override ?? environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? defaultEndpoint
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        return endpoint
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// An IMDSv2 session token, or `nil` when only IMDSv1 is offered.
    func sessionToken() async throws -> String? {
        let response = try await exchange("PUT", "/latest/api/token", headers: [("X-aws-ec2-metadata-token-ttl-seconds", "21600")])
        switch response.status {
        case 200: return response.bodyText.trimmingCharacters(in: .whitespacesAndNewlines)
        case 403, 404, 405: return nil
        default: throw Failure(description: "IMDS token request answered HTTP \(response.status)")
        }
    }

    /// `GET path` with the session token; the body text.
    func get(_ path: String, token: String?) async throws -> String {
        let headers = token.map { [("X-aws-ec2-metadata-token", $0)] } ?? []
        let response = try await exchange("GET", path, headers: headers)
        guard response.status == 200 else { throw Failure(description: "IMDS \(path) answered HTTP \(response.status)") }
        return response.bodyText
    }

    /// The instance's region.
    func region() async throws -> String {
        let token = try await sessionToken()
        let region = try await get("/latest/meta-data/placement/region", token: token).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !region.isEmpty else { throw Failure(description: "IMDS returned an empty region") }
        return region
    }

    /// The instance profile role's credentials.
    func credentials() async throws -> AWSCredentials {
        let token = try await sessionToken()
        let roles = try await get("/latest/meta-data/iam/security-credentials/", token: token)
        guard let role = roles.split(whereSeparator: \.isNewline).first.map({ String($0).trimmingCharacters(in: .whitespaces) }), !role.isEmpty else {
            throw Failure(description: "the instance has no IAM instance profile")
        }
        let body = try await get("/latest/meta-data/iam/security-credentials/\(role)", token: token)
        let source = CredentialSource.instanceMetadata(role: role)
        let document: EndpointCredentialsDocument
        do {
            document = try JSONDecoder().decode(EndpointCredentialsDocument.self, from: Data(body.utf8))
        } catch {
            throw Failure(description: "IMDS credentials answer is not JSON")
        }
        return try document.credentials(source: source, sourceName: source.description)
    }

    private func exchange(_ method: String, _ path: String, headers: [(String, String)]) async throws -> HTTPExchangeResponse {
        let url = endpoint + path
        var all = headers
        if let host = URL(string: url)?.hostHeader { all.append(("Host", host)) }
        do {
            return try await transport.send(HTTPExchangeRequest(method: method, url: url, headers: all, body: []), timeout: timeout)
        } catch let failure as HTTPTransportFailure {
            throw Failure(description: "IMDS at \(endpoint) unreachable (\(failure.reason))")
        }
    }
}
