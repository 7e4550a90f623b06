import Foundation
import MendTime
import Synchronization

/// A client-side token bucket, like client-go's default limiter (QPS 5, burst 10).
///
/// Each request takes one token; tokens refill at `qps` per second up to `burst`. A caller that
/// finds the bucket empty reserves the next token and sleeps (on the injected clock) until it is
/// due, so waiting callers are served in arrival order. A cancelled waiter hands its token back.
public final class TokenBucketRateLimiter: Sendable {
    private struct State {
        var tokens: Double
        var last: Date
    }

    /// Tokens added per second; `0` or less disables limiting.
    public let qps: Double
    /// The bucket size: how many requests may go at once after a quiet period.
    public let burst: Int
    private let clock: any MendClock
    private let state: Mutex<State>

    public init(qps: Double, burst: Int, clock: any MendClock = SystemClock()) {
        self.qps = qps
        self.burst = max(1, burst)
        self.clock = clock
        self.state = Mutex(State(tokens: Double(max(1, burst)), last: clock.now))
    }

    /// Waits until a token is available and takes it.
    ///
    /// - Throws: `CancellationError` if the calling task is cancelled while waiting.
    public func acquire() async throws {
        guard qps > 0 else { return }
        let wait: Double = state.withLock { s in
            let now = clock.now
            let elapsed = max(0, now.timeIntervalSince(s.last))
            s.tokens = min(Double(burst), s.tokens + elapsed * qps)
            s.last = now
            s.tokens -= 1
            return s.tokens >= 0 ? 0 : -s.tokens / qps
        }
        guard wait > 0 else { return }
        do {
            try await clock.sleep(for: .seconds(wait))
        } catch {
            state.withLock { $0.tokens += 1 }
            throw error
        }
    }

    /// Takes a token only if one is available now (never waits).
    public func tryAcquire() -> Bool {
        guard qps > 0 else { return true }
        return state.withLock { s in
            let now = clock.now
            s.tokens = min(Double(burst), s.tokens + max(0, now.timeIntervalSince(s.last)) * qps)
            s.last = now
            guard s.tokens >= 1 else { return false }
            s.tokens -= 1
            return true
        }
    }
}
