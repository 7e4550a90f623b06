import Foundation

/// ``STSAPI`` over the Query protocol.
public struct STSClient: STSAPI {
    let engine: QueryEngine
    /// An engine for the unsigned `AssumeRoleWithWebIdentity` call, same endpoint.
    let anonymous: QueryEngine

    init(engine: QueryEngine) {
        self.engine = engine
        self.anonymous = QueryEngine(
            service: .sts, region: engine.region, endpoint: engine.endpoint, credentials: nil,
            transport: engine.transport, clock: engine.clock, retryPolicy: engine.retryPolicy,
            requestTimeout: engine.requestTimeout, logger: engine.logger
        )
    }

    public func getCallerIdentity() async throws -> CallerIdentity {
        let result = try await engine.send("GetCallerIdentity")
        guard let account = result.string("Account"), let arn = result.string("Arn") else {
            throw AWSClientError.malformedResponse(service: "sts", operation: "GetCallerIdentity", detail: "Account or Arn missing")
        }
        return CallerIdentity(account: account, arn: arn, userID: result.string("UserId") ?? "")
    }

    public func assumeRole(roleARN: String, sessionName: String, durationSeconds: Int? = nil, externalID: String? = nil) async throws -> AssumedRole {
        try Self.validate(operation: "AssumeRole", roleARN: roleARN, sessionName: sessionName, durationSeconds: durationSeconds)
        var parameters = QueryParameters()
        parameters.set("RoleArn", roleARN)
        parameters.set("RoleSessionName", sessionName)
        parameters.set("DurationSeconds", durationSeconds)
        parameters.set("ExternalId", externalID)
        let result = try await engine.send("AssumeRole", parameters)
        return try Self.decodeAssumedRole(result, operation: "AssumeRole", source: .static)
    }

    public func assumeRoleWithWebIdentity(roleARN: String, sessionName: String, webIdentityToken: String, durationSeconds: Int? = nil) async throws -> AssumedRole {
        try Self.validate(operation: "AssumeRoleWithWebIdentity", roleARN: roleARN, sessionName: sessionName, durationSeconds: durationSeconds)
        guard !webIdentityToken.isEmpty else {
            throw AWSClientError.invalidInput(operation: "AssumeRoleWithWebIdentity", field: "WebIdentityToken", value: "", expected: "a non-empty OIDC token")
        }
        var parameters = QueryParameters()
        parameters.set("RoleArn", roleARN)
        parameters.set("RoleSessionName", sessionName)
        parameters.set("WebIdentityToken", webIdentityToken)
        parameters.set("DurationSeconds", durationSeconds)
        let result = try await anonymous.send("AssumeRoleWithWebIdentity", parameters)
        return try Self.decodeAssumedRole(result, operation: "AssumeRoleWithWebIdentity", source: .static)
    }

    static func validate(operation: String, roleARN: String, sessionName: String, durationSeconds: Int?) throws {
        guard roleARN.hasPrefix("arn:"), roleARN.contains(":role/") else {
            throw AWSClientError.invalidInput(operation: operation, field: "RoleArn", value: roleARN, expected: "an IAM role ARN (arn:aws:iam::123456789012:role/name)")
        }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "=,.@-_"))
        guard (2...64).contains(sessionName.count), sessionName.unicodeScalars.allSatisfy(allowed.contains) else {
            throw AWSClientError.invalidInput(operation: operation, field: "RoleSessionName", value: sessionName, expected: "2 to 64 characters of [A-Za-z0-9=,.@_-]")
        }
        if let durationSeconds, !(900...43_200).contains(durationSeconds) {
            throw AWSClientError.invalidInput(operation: operation, field: "DurationSeconds", value: String(durationSeconds), expected: "900 to 43200")
        }
    }

    static func decodeAssumedRole(_ result: XMLNode, operation: String, source: CredentialSource) throws -> AssumedRole {
        guard let keyID = result.string("Credentials/AccessKeyId"), let secret = result.string("Credentials/SecretAccessKey") else {
            throw AWSClientError.malformedResponse(service: "sts", operation: operation, detail: "Credentials missing from the answer")
        }
        let expiration = result.date("Credentials/Expiration")
        if result.string("Credentials/Expiration") != nil, expiration == nil {
            throw AWSClientError.malformedResponse(service: "sts", operation: operation, detail: "Expiration is not an ISO 8601 time")
        }
        return AssumedRole(
            credentials: AWSCredentials(
                accessKeyID: keyID, secretAccessKey: secret, sessionToken: result.string("Credentials/SessionToken"),
                expiration: expiration, source: source
            ),
            assumedRoleARN: result.string("AssumedRoleUser/Arn"),
            assumedRoleID: result.string("AssumedRoleUser/AssumedRoleId")
        )
    }
}
