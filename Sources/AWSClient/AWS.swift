import Foundation
import Logging
import MendTime

/// How to build an ``AWS`` instance. Every field has a production default; tests inject the
/// environment, clock, retry jitter and endpoints.
public struct AWSConfiguration: Sendable {
    /// Environment variables and file access (default: the real process).
    public var environment: AWSEnvironment = .process
    /// A region that wins over everything else (e.g. `--region`).
    public var region: String?
    /// A profile that wins over `AWS_PROFILE`.
    public var profile: String?
    /// Endpoint URLs that win over `AWS_ENDPOINT_URL_*` and the profile.
    public var endpointOverrides: [AWSServiceID: String] = [:]
    /// Credentials to use instead of the default chain.
    public var credentialProvider: (any AWSCredentialProvider)?
    /// Retry behaviour; `AWS_MAX_ATTEMPTS` (or `max_attempts` in the profile) changes the attempts.
    public var retryPolicy: AWSRetryPolicy = .standard
    /// Time for signing, backoff and credential expiry.
    public var clock: any MendClock = SystemClock()
    /// Timeout of one AWS API request.
    public var requestTimeout: Duration = .seconds(30)
    /// Timeout of one instance metadata request (short, so a laptop fails fast).
    public var instanceMetadataTimeout: Duration = .seconds(1)
    /// Instance metadata endpoint (default `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else 169.254.169.254).
    public var instanceMetadataEndpoint: String?
    /// Timeout of one container credentials request.
    public var containerCredentialsTimeout: Duration = .seconds(2)
    /// Where request-level debug logs and warnings go. Secrets are never logged.
    public var logger = Logger(label: "mend.aws")

    public init() {}
}

/// Where the region came from.
public enum RegionSource: String, Sendable, Equatable {
    case explicit, environment = "AWS_REGION", defaultEnvironment = "AWS_DEFAULT_REGION", profile, instanceMetadata = "instance metadata"
}

/// The AWS services Mend uses, ready to call: Auto Scaling, EC2 and STS sharing one credential
/// chain, one HTTP client and one retry policy.
///
/// ```swift
/// let aws = try await AWS.connect(AWSConfiguration())
/// let groups = try await aws.autoScaling.describeAutoScalingGroups(.init(filters: [.tagKey("k8s.io/cluster-autoscaler/enabled")]))
/// ```
public struct AWS: Sendable {
    /// The region every client talks to.
    public let region: String
    /// Where ``region`` came from.
    public let regionSource: RegionSource
    /// The endpoints in use.
    public let endpoints: AWSEndpoints
    /// The credential provider every client signs with.
    public let credentials: any AWSCredentialProvider
    /// A description of the credential source the chain selected, before any fetch.
    public let plannedCredentialSource: String
    /// Auto Scaling.
    public let autoScaling: AutoScalingClient
    /// EC2.
    public let ec2: EC2Client
    /// STS.
    public let sts: STSClient

    /// Resolves region, endpoints and credentials from `configuration`. Reaches the network only
    /// when the region must come from instance metadata; credentials are fetched on first use.
    public static func connect(_ configuration: AWSConfiguration) async throws -> AWS {
        let environment = configuration.environment
        let files = try SharedConfigFiles.load(from: environment)
        let profileName = configuration.profile ?? environment["AWS_PROFILE"] ?? "default"
        let profile = files.profiles[profileName] ?? [:]
        let transport = AsyncHTTPTransport()

        let (region, regionSource) = try await resolveRegion(configuration, profile: profile, profileName: profileName, transport: transport)
        let endpoints = try AWSEndpoints.resolve(
            region: region, environment: environment, explicit: configuration.endpointOverrides, profileEndpointURL: profile["endpoint_url"]
        )
        var retry = configuration.retryPolicy
        if let text = environment["AWS_MAX_ATTEMPTS"] ?? profile["max_attempts"] {
            guard let attempts = Int(text), attempts >= 1 else {
                throw AWSClientError.invalidInput(operation: "configuration", field: "AWS_MAX_ATTEMPTS", value: text, expected: "a whole number >= 1")
            }
            retry.maxAttempts = attempts
        }
        let context = ServiceContext(
            region: region, endpoints: endpoints, transport: transport, clock: configuration.clock,
            retryPolicy: retry, requestTimeout: configuration.requestTimeout, logger: configuration.logger
        )
        let credentials: any AWSCredentialProvider
        let planned: String
        if let provider = configuration.credentialProvider {
            credentials = provider
            planned = "credentials supplied by the caller"
        } else {
            let chain = try DefaultCredentialChain(
                environment: environment, profile: configuration.profile, files: files, context: context,
                imdsEndpoint: configuration.instanceMetadataEndpoint, imdsTimeout: configuration.instanceMetadataTimeout,
                containerTimeout: configuration.containerCredentialsTimeout
            )
            credentials = chain
            planned = chain.plannedSource
        }
        return AWS(
            region: region, regionSource: regionSource, endpoints: endpoints, credentials: credentials,
            plannedCredentialSource: planned,
            autoScaling: AutoScalingClient(engine: context.engine(.autoScaling, credentials: credentials)),
            ec2: EC2Client(engine: context.engine(.ec2, credentials: credentials)),
            sts: context.sts(credentials: credentials)
        )
    }

    /// Fetches credentials (if not cached) and reports where they came from; never the secret.
    public func credentialSource() async throws -> CredentialSource {
        try await credentials.credentials().source
    }

    static func resolveRegion(_ configuration: AWSConfiguration, profile: [String: String], profileName: String, transport: any HTTPTransport) async throws -> (String, RegionSource) {
        let environment = configuration.environment
        if let region = configuration.region?.trimmingCharacters(in: .whitespaces), !region.isEmpty { return (try checked(region, "region"), .explicit) }
        if let region = environment["AWS_REGION"] { return (try checked(region, "AWS_REGION"), .environment) }
        if let region = environment["AWS_DEFAULT_REGION"] { return (try checked(region, "AWS_DEFAULT_REGION"), .defaultEnvironment) }
        if let region = profile["region"] { return (try checked(region, "region in profile '\(profileName)'"), .profile) }
        var tried = ["AWS_REGION", "AWS_DEFAULT_REGION", "region in profile '\(profileName)'"]
        if let endpoint = InstanceMetadataClient.endpoint(in: environment, override: configuration.instanceMetadataEndpoint) {
            let imds = InstanceMetadataClient(endpoint: endpoint, transport: transport, timeout: configuration.instanceMetadataTimeout)
            do {
                return (try checked(try await imds.region(), "instance metadata region"), .instanceMetadata)
            } catch let failure as InstanceMetadataClient.Failure {
                tried.append("instance metadata (\(failure.description))")
            }
        } else {
            tried.append("instance metadata (disabled)")
        }
        throw AWSClientError.noRegion(tried: tried)
    }

    private static func checked(_ region: String, _ origin: String) throws -> String {
        let valid = region.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" } && region.contains("-") && region.count <= 32
        guard valid else {
            throw AWSClientError.invalidInput(operation: "configuration", field: origin, value: region, expected: "an AWS region like eu-west-1")
        }
        return region
    }
}
