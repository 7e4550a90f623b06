import Foundation

/// Which failures a request may be retried after, decided by what the request does.
///
/// | Request                                   | Class            |
/// |-------------------------------------------|------------------|
/// | GET, LIST, WATCH setup                    | `.idempotent`    |
/// | DELETE (a repeat converges; may then 404) | `.idempotent`    |
/// | PATCH merge / strategic merge / apply     | `.idempotent`    |
/// | PATCH JSON patch                          | `.unexecutedOnly`|
/// | POST create                               | `.unexecutedOnly`|
/// | POST eviction                             | `.never`         |
///
/// `.unexecutedOnly` retries only when the server certainly did not act: a 429 (API priority and
/// fairness rejects before executing) or a connection that was never established. A create is
/// never repeated after a 5xx or a dropped connection, because it may have succeeded. An eviction
/// is never retried here: its 429 means "blocked by a PodDisruptionBudget", an outcome the caller
/// must see.
public enum RetryClass: Sendable, Hashable {
    /// Retry on 429, 500/502/503/504, timeouts and connection errors.
    case idempotent
    /// Retry on 429 and on connections that were never established.
    case unexecutedOnly
    /// Never retry.
    case never
}

/// Bounded retries with exponential backoff and jitter; `Retry-After` is honoured.
public struct RetryPolicy: Sendable {
    /// Total attempts including the first (1 disables retries).
    public var maxAttempts: Int
    /// The backoff before the first retry; doubled for each further one.
    public var initialBackoff: Duration
    /// The largest backoff between two attempts.
    public var maxBackoff: Duration
    /// The longest `Retry-After` that is honoured; longer asks are cut to this.
    public var maxRetryAfter: Duration

    /// 5 attempts, 200 ms doubling to at most 10 s, `Retry-After` honoured up to 60 s.
    public static let `default` = RetryPolicy(
        maxAttempts: 5, initialBackoff: .milliseconds(200), maxBackoff: .seconds(10), maxRetryAfter: .seconds(60))

    /// No retries at all.
    public static let none = RetryPolicy(
        maxAttempts: 1, initialBackoff: .zero, maxBackoff: .zero, maxRetryAfter: .zero)

    public init(maxAttempts: Int, initialBackoff: Duration, maxBackoff: Duration, maxRetryAfter: Duration) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxRetryAfter = maxRetryAfter
    }

    /// The pause before retry number `retry` (1 for the first retry).
    ///
    /// With a `Retry-After` the pause is exactly that (capped at ``maxRetryAfter``); otherwise it is
    /// `initialBackoff * 2^(retry-1)`, capped at ``maxBackoff``, with "equal jitter": a random
    /// point in its upper half, so retrying clients spread out but never retry immediately.
    public func delay(beforeRetry retry: Int, retryAfter: Duration?, jitter: Double = Double.random(in: 0...1))
        -> Duration
    {
        if let retryAfter { return min(retryAfter, maxRetryAfter) }
        let exponent = Double(max(0, retry - 1))
        let base = min(initialBackoff.seconds * pow(2, exponent), maxBackoff.seconds)
        return .seconds(base / 2 + base / 2 * min(max(jitter, 0), 1))
    }

    /// Whether an HTTP status may be retried for a request of class `retryClass`.
    static func shouldRetry(status: Int, retryClass: RetryClass) -> Bool {
        switch retryClass {
        case .never: return false
        case .unexecutedOnly: return status == 429
        case .idempotent: return status == 429 || status == 500 || status == 502 || status == 503 || status == 504
        }
    }
}
