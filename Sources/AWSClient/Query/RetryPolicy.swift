import Foundation

/// AWS's "standard" retry mode: up to three attempts, truncated binary exponential backoff with
/// full jitter (`random(0..<1) * 2^attempt` seconds, at most 20 s), and a retry quota so a
/// failing service is not hammered (500 tokens; a retry costs 5, a retry after a timeout 10; a
/// success gives back what its retries took, or 1 when it needed none).
public struct AWSRetryPolicy: Sendable {
    /// Attempts per call, the first included (`AWS_MAX_ATTEMPTS`, default 3).
    public var maxAttempts: Int
    /// The backoff before retry `i` (1-based) is `jitter() * base * 2^(i-1)`, capped at this.
    public var maxBackoff: Duration
    /// The base of the backoff (1 s in the standard mode).
    public var baseBackoff: Duration
    /// The retry quota capacity.
    public var quotaCapacity: Int
    /// A number in `0..<1`; replaced in tests to make backoff deterministic.
    public var jitter: @Sendable () -> Double

    /// The standard mode.
    public static var standard: AWSRetryPolicy {
        AWSRetryPolicy(maxAttempts: 3, maxBackoff: .seconds(20), baseBackoff: .seconds(1), quotaCapacity: 500) {
            Double.random(in: 0..<1)
        }
    }

    public init(maxAttempts: Int, maxBackoff: Duration, baseBackoff: Duration, quotaCapacity: Int, jitter: @escaping @Sendable () -> Double) {
        self.maxAttempts = max(1, maxAttempts)
        self.maxBackoff = maxBackoff
        self.baseBackoff = baseBackoff
        self.quotaCapacity = quotaCapacity
        self.jitter = jitter
    }

    /// The pause before retry number `retry` (1 for the first retry).
    public func backoff(beforeRetry retry: Int) -> Duration {
        let exponent = Double(1 << min(max(retry - 1, 0), 30))
        let seconds = min(jitter() * baseBackoff.seconds * exponent, maxBackoff.seconds)
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    static let retryCost = 5
    static let timeoutRetryCost = 10
    static let noRetryIncrement = 1
}

/// How the engine treats an answer or a failure.
enum RetryClassification: Equatable {
    case throttling
    case transient
    case clockSkew
    case notRetryable
}

enum ErrorCodes {
    /// Throttling codes across AWS services (the standard retry mode's list).
    static let throttling: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    ]
    /// Transient service-side codes.
    static let transient: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure", "ServiceUnavailable",
        "IDPCommunicationError",
    ]
    /// Codes that can mean the local clock is wrong.
    static let clockSkew: Set<String> = [
        "RequestTimeTooSkewed", "RequestExpired", "InvalidSignatureException", "SignatureDoesNotMatch",
        "AuthFailure", "RequestInTheFuture",
    ]
    static let transientStatuses: Set<Int> = [500, 502, 503, 504]

    static func classify(code: String, status: Int) -> RetryClassification {
        if throttling.contains(code) || status == 429 { return .throttling }
        if transient.contains(code) || transientStatuses.contains(status) { return .transient }
        if clockSkew.contains(code) { return .clockSkew }
        return .notRetryable
    }
}
