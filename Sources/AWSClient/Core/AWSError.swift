import Foundation

/// An error answered by an AWS service: its code, message and request id, as AWS sent them.
public struct AWSServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The service that answered (`autoscaling`, `ec2`, `sts`).
    public var service: String
    /// The API action that was called (`SetDesiredCapacity`).
    public var operation: String
    /// The AWS error code (`Throttling`, `ValidationError`, `AccessDenied`, ...).
    public var code: String
    /// The human message AWS gave, if any.
    public var message: String?
    /// The request id to quote to AWS support, if any.
    public var requestID: String?
    /// The HTTP status code of the answer.
    public var statusCode: Int

    public init(service: String, operation: String, code: String, message: String?, requestID: String?, statusCode: Int) {
        self.service = service
        self.operation = operation
        self.code = code
        self.message = message
        self.requestID = requestID
        self.statusCode = statusCode
    }

    public var description: String {
        var text = "\(service) \(operation) failed with \(code) (HTTP \(statusCode))"
        if let message, !message.isEmpty { text += ": \(message)" }
        if let requestID { text += " [request id \(requestID)]" }
        return text
    }
}

/// Everything that can go wrong in the AWS client, with enough context to act on.
///
/// No case ever carries a secret: credential failures name the source and the file or URL, not
/// the key or token.
public enum AWSClientError: Error, Sendable, CustomStringConvertible {
    /// AWS answered with an error document.
    case service(AWSServiceError)
    /// The request never got an answer (connection refused, reset, timed out).
    case transport(service: String, operation: String, endpoint: String, underlying: String)
    /// AWS answered with something the client could not decode.
    case malformedResponse(service: String, operation: String, detail: String)
    /// The caller passed a value the client refuses to send (checked before any request).
    case invalidInput(operation: String, field: String, value: String, expected: String)
    /// The group named in a call does not exist.
    case autoScalingGroupNotFound(name: String)
    /// A desired capacity outside the group's bounds; never sent to AWS.
    case desiredCapacityOutOfRange(group: String, requested: Int, minSize: Int, maxSize: Int)
    /// No credential source in the chain could provide credentials.
    case noCredentials(tried: [String])
    /// A credential source was configured but failed.
    case credentialSourceFailed(source: String, reason: String)
    /// A shared config or credentials file is invalid.
    case invalidConfigFile(path: String, line: Int, reason: String)
    /// A profile named by `AWS_PROFILE`, `source_profile` or the caller does not exist.
    case profileNotFound(name: String, files: [String])
    /// No region was configured anywhere.
    case noRegion(tried: [String])
    /// An endpoint override is not a usable URL.
    case invalidEndpoint(variable: String, value: String)

    public var description: String {
        switch self {
        case .service(let error):
            return error.description
        case .transport(let service, let operation, let endpoint, let underlying):
            return "\(service) \(operation): no answer from \(endpoint): \(underlying)"
        case .malformedResponse(let service, let operation, let detail):
            return "\(service) \(operation): could not decode the answer: \(detail)"
        case .invalidInput(let operation, let field, let value, let expected):
            return "\(operation): invalid \(field) '\(value)'; expected \(expected). Nothing was sent."
        case .autoScalingGroupNotFound(let name):
            return "Auto Scaling group '\(name)' does not exist (or is not visible to these credentials)"
        case .desiredCapacityOutOfRange(let group, let requested, let minSize, let maxSize):
            return "desired capacity \(requested) for Auto Scaling group '\(group)' is outside its bounds "
                + "[\(minSize), \(maxSize)]; nothing was sent. Change MinSize/MaxSize of the group or ask for less."
        case .noCredentials(let tried):
            return "no AWS credentials found; tried: \(tried.joined(separator: ", ")). "
                + "Set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run with IRSA / Pod Identity."
        case .credentialSourceFailed(let source, let reason):
            return "AWS credentials from \(source) failed: \(reason)"
        case .invalidConfigFile(let path, let line, let reason):
            return "\(path):\(line): \(reason)"
        case .profileNotFound(let name, let files):
            return "AWS profile '\(name)' not found in \(files.isEmpty ? "any shared config file" : files.joined(separator: " or "))"
        case .noRegion(let tried):
            return "no AWS region configured; tried: \(tried.joined(separator: ", ")). Set AWS_REGION or pass --region."
        case .invalidEndpoint(let variable, let value):
            return "\(variable) is not a usable http(s) URL: '\(value)'"
        }
    }

    /// The AWS error code when AWS answered with an error, else `nil`.
    public var serviceErrorCode: String? {
        if case .service(let error) = self { return error.code }
        return nil
    }

    /// Whether the failure says nothing about the request itself: AWS was throttling or had a
    /// server-side fault, or could not be reached. Such a request is worth repeating later
    /// unchanged (after the client's own retries were used up); any other failure is a refusal.
    public var isTransient: Bool {
        switch self {
        case .service(let error):
            switch ErrorCodes.classify(code: error.code, status: error.statusCode) {
            case .throttling, .transient: return true
            case .clockSkew, .notRetryable: return false
            }
        case .transport:
            return true
        default:
            return false
        }
    }
}
