import Foundation

/// The AWS services Mend talks to, with what the Query protocol needs to know about each.
public enum AWSServiceID: String, Sendable, CaseIterable, Hashable {
    case autoScaling = "autoscaling"
    case ec2
    case sts

    /// The name in the SigV4 credential scope and the endpoint host.
    public var signingName: String { rawValue }

    /// The Query protocol `Version` field.
    var apiVersion: String {
        switch self {
        case .autoScaling: return "2011-01-01"
        case .ec2: return "2016-11-15"
        case .sts: return "2011-06-15"
        }
    }

    /// The suffix of the per-service endpoint variable (`AWS_ENDPOINT_URL_AUTO_SCALING`).
    var endpointVariableSuffix: String {
        switch self {
        case .autoScaling: return "AUTO_SCALING"
        case .ec2: return "EC2"
        case .sts: return "STS"
        }
    }

    /// The key in a shared-config `services` section (`auto_scaling`, `ec2`, `sts`).
    var configKey: String { endpointVariableSuffix.lowercased() }
}

/// Where each service is reached: regional AWS endpoints unless overridden.
public struct AWSEndpoints: Sendable, Equatable {
    /// The region the endpoints are for.
    public var region: String
    /// Per-service URLs that replace the regional default.
    public var overrides: [AWSServiceID: URL]

    public init(region: String, overrides: [AWSServiceID: URL] = [:]) {
        self.region = region
        self.overrides = overrides
    }

    /// The URL requests for `service` go to.
    public func url(for service: AWSServiceID) -> URL {
        if let override = overrides[service] { return override }
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return URL(string: "https://\(service.signingName).\(region).\(suffix)")!
    }

    /// Endpoints for `region` with overrides taken, in order of precedence, from `explicit`,
    /// `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, then the profile's `endpoint_url`.
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` turns the environment and profile off.
    public static func resolve(
        region: String,
        environment: AWSEnvironment,
        explicit: [AWSServiceID: String] = [:],
        profileEndpointURL: String? = nil
    ) throws -> AWSEndpoints {
        let ignoreConfigured = environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() == "true"
        var overrides: [AWSServiceID: URL] = [:]
        for service in AWSServiceID.allCases {
            var candidates: [(String, String)] = []
            if let value = explicit[service] { candidates.append(("endpoint for \(service.signingName)", value)) }
            if !ignoreConfigured {
                let specific = "AWS_ENDPOINT_URL_\(service.endpointVariableSuffix)"
                if let value = environment[specific] { candidates.append((specific, value)) }
                if let value = environment["AWS_ENDPOINT_URL"] { candidates.append(("AWS_ENDPOINT_URL", value)) }
                if let value = profileEndpointURL { candidates.append(("endpoint_url (profile)", value)) }
            }
            if let (name, value) = candidates.first {
                guard let url = URL(string: value), let scheme = url.scheme?.lowercased(),
                      scheme == "http" || scheme == "https", url.host != nil else {
                    throw AWSClientError.invalidEndpoint(variable: name, value: value)
                }
                overrides[service] = url
            }
        }
        return AWSEndpoints(region: region, overrides: overrides)
    }
}
