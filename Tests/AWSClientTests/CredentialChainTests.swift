import AWSTestSupport
import Foundation
import Synchronization
import Testing
@testable import AWSClient

/// The credential chain, region and endpoint resolution: file and environment cases need no
/// network; IMDS, container credentials and web identity refresh run against a local server.
@Suite("Credential chain, region and endpoints")
struct CredentialChainTests {
    static func isoString(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    static func credentialsJSON(key: String, expiration: Date) -> String {
        """
        {"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"\(key)","SecretAccessKey":"secret-of-\(key)",\
        "Token":"token-of-\(key)","Expiration":"\(isoString(expiration))"}
        """
    }

    // MARK: Environment and files

    @Test func environmentKeysComeFirstAndAreReportedWithoutTheSecret() async throws {
        let aws = try await AWS.connect(isolatedConfiguration([
            "AWS_ACCESS_KEY_ID": "AKIAENVIRONMENT00001", "AWS_SECRET_ACCESS_KEY": "env-secret", "AWS_SESSION_TOKEN": "env-token",
            "AWS_REGION": "eu-west-1", "AWS_PROFILE": "ignored-when-keys-are-set",
            "AWS_ROLE_ARN": "arn:aws:iam::1:role/r", "AWS_WEB_IDENTITY_TOKEN_FILE": "/nonexistent",
        ]))
        let credentials = try await aws.credentials.credentials()
        #expect(credentials.source == .environment)
        #expect(credentials.sessionToken == "env-token")
        #expect(aws.plannedCredentialSource == "environment variables")
        #expect(!"\(credentials)".contains("env-secret") && !"\(credentials)".contains("env-token"))
    }

    @Test func halfSetEnvironmentKeysAreAClearError() async throws {
        let aws = try await AWS.connect(isolatedConfiguration(["AWS_ACCESS_KEY_ID": "AKIAONLYHALF00000001", "AWS_REGION": "eu-west-1"]))
        await #expect {
            _ = try await aws.credentials.credentials()
        } throws: { error in
            "\(error)".contains("AWS_SECRET_ACCESS_KEY is not")
        }
    }

    @Test func profileKeysComeFromTheCredentialsFileAndRegionFromTheConfigFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = try directory.write("config", """
            # comment
            [default]
            region = us-west-2
            [profile team]
            region = eu-west-3   ; inline comment
            s3 =
              max_concurrent_requests = 4
            """)
        let credentials = try directory.write("credentials", """
            [team]
            aws_access_key_id = AKIATEAMPROFILE00001
            aws_secret_access_key = team-secret
            """)
        let aws = try await AWS.connect(isolatedConfiguration([
            "AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": credentials, "AWS_PROFILE": "team",
        ]))
        #expect(aws.region == "eu-west-3")
        #expect(aws.regionSource == .profile)
        let resolved = try await aws.credentials.credentials()
        #expect(resolved.accessKeyID == "AKIATEAMPROFILE00001")
        #expect(resolved.source == .profile(name: "team"))
        #expect(aws.endpoints.url(for: .autoScaling).absoluteString == "https://autoscaling.eu-west-3.amazonaws.com")
    }

    @Test func filesUnderTheHomeDirectoryAreFoundByDefault() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(".aws/credentials", "[default]\naws_access_key_id = AKIAHOMEDEFAULT00001\naws_secret_access_key = s\n")
        try directory.write(".aws/config", "[default]\nregion = ap-southeast-2\n")
        let aws = try await AWS.connect(isolatedConfiguration([:], home: directory.path))
        #expect(aws.region == "ap-southeast-2")
        #expect(try await aws.credentialSource() == .profile(name: "default"))
    }

    @Test func aMissingNamedProfileIsAnError() async throws {
        await #expect {
            _ = try await AWS.connect(isolatedConfiguration(["AWS_PROFILE": "nope", "AWS_REGION": "eu-west-1"]))
        } throws: { error in
            if case AWSClientError.profileNotFound("nope", _) = error { return true }
            return false
        }
    }

    @Test func aMalformedConfigFileNamesTheFileAndLine() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = try directory.write("config", "[default]\nregion = eu-west-1\nthis line has no equals sign\n")
        await #expect {
            _ = try await AWS.connect(isolatedConfiguration(["AWS_CONFIG_FILE": config]))
        } throws: { error in
            guard case AWSClientError.invalidConfigFile(let path, 3, _) = error else { return false }
            return path == config && "\(error)".contains(":3:")
        }
    }

    @Test func sourceProfileLoopsAreDetected() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = try directory.write("config", """
            [profile a]
            role_arn = arn:aws:iam::123456789012:role/a
            source_profile = b
            [profile b]
            role_arn = arn:aws:iam::123456789012:role/b
            source_profile = a
            """)
        let aws = try await AWS.connect(isolatedConfiguration(["AWS_CONFIG_FILE": config, "AWS_PROFILE": "a", "AWS_REGION": "eu-west-1"]))
        await #expect {
            _ = try await aws.credentials.credentials()
        } throws: { error in "\(error)".contains("loops: a -> b -> a") }
    }

    @Test func noRegionAnywhereIsAnErrorListingWhatWasTried() async throws {
        await #expect {
            _ = try await AWS.connect(isolatedConfiguration(["AWS_ACCESS_KEY_ID": "AKIAX0000000000000001", "AWS_SECRET_ACCESS_KEY": "s"]))
        } throws: { error in
            guard case AWSClientError.noRegion(let tried) = error else { return false }
            return tried.contains("AWS_REGION") && tried.contains { $0.contains("instance metadata") }
        }
    }

    @Test func regionPrecedenceIsExplicitThenAWSRegionThenDefaultRegion() async throws {
        var configuration = isolatedConfiguration(["AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-2"])
        #expect(try await AWS.connect(configuration).region == "eu-west-1")
        configuration.region = "ca-central-1"
        #expect(try await AWS.connect(configuration).regionSource == .explicit)
        let fallback = try await AWS.connect(isolatedConfiguration(["AWS_DEFAULT_REGION": "us-east-2"]))
        #expect(fallback.region == "us-east-2" && fallback.regionSource == .defaultEnvironment)
        await #expect(throws: AWSClientError.self) { _ = try await AWS.connect(isolatedConfiguration(["AWS_REGION": "EU WEST"])) }
    }

    @Test func endpointsAreRegionalUnlessOverriddenPerService() throws {
        let environment = AWSEnvironment(variables: ["AWS_ENDPOINT_URL_EC2": "http://127.0.0.1:4566", "AWS_ENDPOINT_URL": "https://proxy.example:8443"])
        let endpoints = try AWSEndpoints.resolve(region: "eu-north-1", environment: environment)
        #expect(endpoints.url(for: .ec2).absoluteString == "http://127.0.0.1:4566")
        #expect(endpoints.url(for: .autoScaling).absoluteString == "https://proxy.example:8443")
        let plain = try AWSEndpoints.resolve(region: "eu-north-1", environment: AWSEnvironment(variables: [:]))
        #expect(plain.url(for: .sts).absoluteString == "https://sts.eu-north-1.amazonaws.com")
        #expect(plain.url(for: .autoScaling).absoluteString == "https://autoscaling.eu-north-1.amazonaws.com")
        let china = try AWSEndpoints.resolve(region: "cn-north-1", environment: AWSEnvironment(variables: [:]))
        #expect(china.url(for: .ec2).absoluteString == "https://ec2.cn-north-1.amazonaws.com.cn")
        let explicit = try AWSEndpoints.resolve(region: "eu-north-1", environment: environment, explicit: [.ec2: "http://localhost:5000"])
        #expect(explicit.url(for: .ec2).absoluteString == "http://localhost:5000")
        let ignored = try AWSEndpoints.resolve(region: "eu-north-1", environment: AWSEnvironment(variables: [
            "AWS_ENDPOINT_URL": "http://127.0.0.1:1", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true",
        ]))
        #expect(ignored.overrides.isEmpty)
        #expect {
            _ = try AWSEndpoints.resolve(region: "eu-north-1", environment: AWSEnvironment(variables: ["AWS_ENDPOINT_URL_STS": "ftp://nope"]))
        } throws: { error in
            if case AWSClientError.invalidEndpoint("AWS_ENDPOINT_URL_STS", "ftp://nope") = error { return true }
            return false
        }
    }

    // MARK: Web identity

    @Test func webIdentityCredentialsAreRefreshedBeforeExpiryAndTheTokenFileReread() async throws {
        let clock = RecordingClock(now: Date(timeIntervalSince1970: 1_800_000_000))
        let issued = Mutex(0)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tokenFile = try directory.write("token", "token-1")
        try await FaultServer.with({ request in
            let number = issued.withLock { $0 += 1; return $0 }
            let expiration = Self.isoString(clock.now.addingTimeInterval(15 * 60))
            return ScriptedResponse(body: """
                <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>\
                <Credentials><AccessKeyId>ASIAWEBIDENTITY0000\(number)</AccessKeyId><SecretAccessKey>secret-\(number)</SecretAccessKey>\
                <SessionToken>session-\(number)</SessionToken><Expiration>\(expiration)</Expiration></Credentials>\
                <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/irsa/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>\
                </AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>
                """)
        }) { server in
            let aws = try await AWS.connect(isolatedConfiguration([
                "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/irsa", "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile,
                "AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL_STS": server.baseURL,
            ], clock: clock))
            let first = try await aws.credentials.credentials()
            #expect(first.accessKeyID == "ASIAWEBIDENTITY00001")
            // Still fresh: served from the cache.
            clock.set(clock.now.addingTimeInterval(5 * 60))
            #expect(try await aws.credentials.credentials() == first)
            #expect(server.requests.count == 1)
            // The kubelet rotated the token; 11 minutes in, the credentials expire within 5 minutes.
            try "token-2".write(toFile: tokenFile, atomically: true, encoding: .utf8)
            clock.set(clock.now.addingTimeInterval(6 * 60))
            let second = try await aws.credentials.credentials()
            #expect(second.accessKeyID == "ASIAWEBIDENTITY00002")
            #expect(server.requests.map { $0.form["WebIdentityToken"] } == ["token-1", "token-2"])
            #expect(server.requests.allSatisfy { $0.header("Authorization") == nil && $0.form["Action"] == "AssumeRoleWithWebIdentity" })
            #expect(server.requests.first?.form["RoleArn"] == "arn:aws:iam::123456789012:role/irsa")
        }
    }

    @Test func aFailedRefreshKeepsUsingCredentialsThatHaveNotExpiredYet() async throws {
        let clock = RecordingClock(now: Date(timeIntervalSince1970: 1_800_000_000))
        let calls = Mutex(0)
        let expiration = clock.now.addingTimeInterval(10 * 60)
        try await FaultServer.with({ _ in
            calls.withLock { $0 += 1; return $0 } == 1
                ? ScriptedResponse(body: Self.credentialsJSON(key: "ASIAFIRSTFETCH000001", expiration: expiration))
                : ScriptedResponse(status: 500, body: "agent restarting")
        }) { server in
            let aws = try await AWS.connect(isolatedConfiguration([
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL + "/creds", "AWS_REGION": "eu-west-1",
            ], clock: clock))
            #expect(try await aws.credentials.credentials().accessKeyID == "ASIAFIRSTFETCH000001")
            // Inside the 5-minute refresh window the refresh fails, but the credentials still work.
            clock.set(clock.now.addingTimeInterval(7 * 60))
            #expect(try await aws.credentials.credentials().accessKeyID == "ASIAFIRSTFETCH000001")
            #expect(server.requests.count > 1)
            // Once expired, the failure surfaces.
            clock.set(clock.now.addingTimeInterval(4 * 60))
            await #expect(throws: AWSClientError.self) { _ = try await aws.credentials.credentials() }
        }
    }

    @Test func anUnreadableWebIdentityTokenFileIsReportedWithItsPath() async throws {
        let aws = try await AWS.connect(isolatedConfiguration([
            "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/irsa", "AWS_WEB_IDENTITY_TOKEN_FILE": "/nonexistent/token", "AWS_REGION": "eu-west-1",
        ]))
        await #expect {
            _ = try await aws.credentials.credentials()
        } throws: { error in "\(error)".contains("/nonexistent/token") }
    }

    // MARK: Container credentials

    @Test func podIdentityCredentialsSendTheTokenFromItsFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tokenFile = try directory.write("eks-pod-identity-token", "pod-identity-jwt\n")
        let expiration = Date().addingTimeInterval(3600)
        try await FaultServer.with({ request in
            guard request.uri == "/v1/credentials", request.header("Authorization") == "pod-identity-jwt" else {
                return ScriptedResponse(status: 401, body: #"{"code":"AccessDeniedException","message":"bad token"}"#)
            }
            return ScriptedResponse(headers: [("Content-Type", "application/json")], body: Self.credentialsJSON(key: "ASIAPODIDENTITY00001", expiration: expiration))
        }) { server in
            let url = server.baseURL + "/v1/credentials"
            let aws = try await AWS.connect(isolatedConfiguration([
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": url, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile, "AWS_REGION": "eu-west-1",
            ]))
            let credentials = try await aws.credentials.credentials()
            #expect(credentials.accessKeyID == "ASIAPODIDENTITY00001")
            #expect(credentials.sessionToken == "token-of-ASIAPODIDENTITY00001")
            #expect(credentials.source == .container(endpoint: url))
            #expect(abs((credentials.expiration ?? .distantPast).timeIntervalSince(expiration)) < 1)

            let wrongToken = try directory.write("wrong", "other")
            let refused = try await AWS.connect(isolatedConfiguration([
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": url, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": wrongToken, "AWS_REGION": "eu-west-1",
            ]))
            await #expect {
                _ = try await refused.credentials.credentials()
            } throws: { error in "\(error)".contains("HTTP 401") && !"\(error)".contains("other") }
        }
    }

    @Test func containerCredentialsRefusePlainHTTPToOtherHosts() async throws {
        await #expect {
            _ = try await AWS.connect(isolatedConfiguration([
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://10.1.2.3/creds", "AWS_REGION": "eu-west-1",
            ]))
        } throws: { error in "\(error)".contains("must be https") }
    }

    // MARK: Instance metadata

    @Test func instanceMetadataGivesRegionAndRoleCredentialsWithIMDSv2Tokens() async throws {
        let expiration = Date().addingTimeInterval(6 * 3600)
        try await FaultServer.with({ request in
            switch (request.method, request.uri) {
            case ("PUT", "/latest/api/token"):
                guard request.header("X-aws-ec2-metadata-token-ttl-seconds") == "21600" else { return ScriptedResponse(status: 400) }
                return ScriptedResponse(body: "imds-session-token")
            case ("GET", let path) where request.header("X-aws-ec2-metadata-token") != "imds-session-token":
                return ScriptedResponse(status: 401, body: "no token for \(path)")
            case ("GET", "/latest/meta-data/placement/region"):
                return ScriptedResponse(body: "eu-central-1")
            case ("GET", "/latest/meta-data/iam/security-credentials/"):
                return ScriptedResponse(body: "node-role\n")
            case ("GET", "/latest/meta-data/iam/security-credentials/node-role"):
                return ScriptedResponse(body: Self.credentialsJSON(key: "ASIAINSTANCEROLE0001", expiration: expiration))
            default:
                return ScriptedResponse(status: 404)
            }
        }) { server in
            var configuration = isolatedConfiguration(["AWS_EC2_METADATA_DISABLED": "false"])
            configuration.instanceMetadataEndpoint = server.baseURL
            let aws = try await AWS.connect(configuration)
            #expect(aws.region == "eu-central-1")
            #expect(aws.regionSource == .instanceMetadata)
            let credentials = try await aws.credentials.credentials()
            #expect(credentials.accessKeyID == "ASIAINSTANCEROLE0001")
            #expect(credentials.source == .instanceMetadata(role: "node-role"))
            #expect(server.requests.filter { $0.method == "GET" }.allSatisfy { $0.header("X-aws-ec2-metadata-token") == "imds-session-token" })
        }
    }

    @Test func absentInstanceMetadataFailsFastWithTheSourcesTried() async throws {
        var configuration = isolatedConfiguration(["AWS_EC2_METADATA_DISABLED": "false", "AWS_REGION": "eu-west-1"])
        configuration.instanceMetadataEndpoint = "http://127.0.0.1:\(try closedLoopbackPort())"
        let aws = try await AWS.connect(configuration)
        let start = ContinuousClock.now
        await #expect {
            _ = try await aws.credentials.credentials()
        } throws: { error in
            guard case AWSClientError.noCredentials(let tried) = error else { return false }
            return tried.count == 5 && tried.last?.contains("unreachable") == true
        }
        // A refused connection must not be re-dialled until a 30 s deadline; the bound is loose so
        // a loaded machine cannot fail it, and still far below that deadline.
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test func slowInstanceMetadataTimesOutQuickly() async throws {
        try await FaultServer.with({ _ in ScriptedResponse(body: "late", delay: .seconds(30)) }) { server in
            var configuration = isolatedConfiguration(["AWS_EC2_METADATA_DISABLED": "false"])
            configuration.instanceMetadataEndpoint = server.baseURL
            configuration.instanceMetadataTimeout = .milliseconds(200)
            let start = ContinuousClock.now
            await #expect {
                _ = try await AWS.connect(configuration)
            } throws: { error in
                if case AWSClientError.noRegion(let tried) = error { return tried.last?.contains("instance metadata") == true }
                return false
            }
            // The server answers only after 30 s: finishing well before proves the 200 ms timeout
            // was applied (the bound is loose so a loaded machine cannot fail it).
            #expect(ContinuousClock.now - start < .seconds(10))
        }
    }

    @Test func imdsV1IsUsedWhenTokensAreNotOffered() async throws {
        try await FaultServer.with({ request in
            switch (request.method, request.uri) {
            case ("PUT", _): return ScriptedResponse(status: 403)
            case ("GET", "/latest/meta-data/placement/region"):
                return ScriptedResponse(body: request.header("X-aws-ec2-metadata-token") == nil ? "sa-east-1" : "wrong")
            default: return ScriptedResponse(status: 404)
            }
        }) { server in
            var configuration = isolatedConfiguration(["AWS_EC2_METADATA_DISABLED": "false"])
            configuration.instanceMetadataEndpoint = server.baseURL
            let aws = try await AWS.connect(configuration)
            #expect(aws.region == "sa-east-1")
        }
    }
}
