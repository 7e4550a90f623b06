import Foundation
import MendTime
import Synchronization
import Testing

@testable import KubeClient

@Suite("Rate limiter and retry policy")
struct RateLimitAndRetryTests {
    @Test func burstPassesThenRequestsAreSpacedAtQPS() async throws {
        let clock = ManualClock()
        let limiter = TokenBucketRateLimiter(qps: 5, burst: 10, clock: clock)
        for _ in 0..<10 { try await limiter.acquire() }
        #expect(limiter.tryAcquire() == false)
        let done = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<5 {
                group.addTask {
                    try await limiter.acquire()
                    done.increment()
                }
            }
            #expect(await clock.waitForSleepers(count: 5))
            #expect(done.current == 0)
            // After 0.2 s one more token is due, after 1 s all five.
            clock.advance(by: .milliseconds(200))
            try await waitUntil { done.current == 1 }
            clock.advance(by: .milliseconds(800))
            try await group.waitForAll()
        }
        #expect(done.current == 5)
    }

    @Test func bucketRefillsOnlyUpToBurst() async throws {
        let clock = ManualClock()
        let limiter = TokenBucketRateLimiter(qps: 5, burst: 3, clock: clock)
        clock.advance(by: .seconds(100))
        var granted = 0
        while limiter.tryAcquire() { granted += 1 }
        #expect(granted == 3)
    }

    @Test func cancelledWaiterGivesItsTokenBack() async throws {
        let clock = ManualClock()
        let limiter = TokenBucketRateLimiter(qps: 1, burst: 1, clock: clock)
        try await limiter.acquire()
        let waiter = Task { try await limiter.acquire() }
        #expect(await clock.waitForSleepers(count: 1))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        clock.advance(by: .seconds(1))
        #expect(limiter.tryAcquire())
    }

    @Test func backoffDoublesWithJitterAndRespectsCapAndRetryAfter() {
        let policy = RetryPolicy(
            maxAttempts: 6, initialBackoff: .milliseconds(200), maxBackoff: .seconds(2), maxRetryAfter: .seconds(30))
        #expect(policy.delay(beforeRetry: 1, retryAfter: nil, jitter: 0) == .milliseconds(100))
        #expect(policy.delay(beforeRetry: 1, retryAfter: nil, jitter: 1) == .milliseconds(200))
        #expect(policy.delay(beforeRetry: 3, retryAfter: nil, jitter: 1) == .milliseconds(800))
        #expect(policy.delay(beforeRetry: 10, retryAfter: nil, jitter: 1) == .seconds(2))
        #expect(policy.delay(beforeRetry: 1, retryAfter: .seconds(7)) == .seconds(7))
        #expect(policy.delay(beforeRetry: 1, retryAfter: .seconds(600)) == .seconds(30))
    }

    @Test func onlyIdempotentRequestsRetryOnServerErrors() {
        #expect(RetryPolicy.shouldRetry(status: 503, retryClass: .idempotent))
        #expect(RetryPolicy.shouldRetry(status: 429, retryClass: .idempotent))
        #expect(!RetryPolicy.shouldRetry(status: 501, retryClass: .idempotent))
        #expect(!RetryPolicy.shouldRetry(status: 409, retryClass: .idempotent))
        #expect(!RetryPolicy.shouldRetry(status: 500, retryClass: .unexecutedOnly))
        #expect(RetryPolicy.shouldRetry(status: 429, retryClass: .unexecutedOnly))
        #expect(!RetryPolicy.shouldRetry(status: 429, retryClass: .never))
    }

    @Test func apiErrorsDecodeStatusAndRetryAfter() {
        let body = Data(
            """
            {"kind":"Status","apiVersion":"v1","status":"Failure","message":"pods \\"web\\" not found",
             "reason":"NotFound","details":{"name":"web","kind":"pods","retryAfterSeconds":3},"code":404}
            """.utf8)
        let error = KubeAPIError.decode(code: 404, body: body, retryAfterHeader: nil, request: "GET /api/v1/pods/web")
        #expect(error.isNotFound && !error.isConflict)
        #expect(error.name == "web")
        #expect(error.retryAfter == .seconds(3))
        let throttled = KubeAPIError.decode(code: 429, body: Data("slow down".utf8), retryAfterHeader: "5", request: "")
        #expect(throttled.isTooManyRequests && throttled.reason == "TooManyRequests")
        #expect(throttled.retryAfter == .seconds(5))
        #expect(throttled.message == "slow down")
        let conflict = KubeAPIError(code: 409, reason: "Conflict", message: "x")
        let exists = KubeAPIError(code: 409, reason: "AlreadyExists", message: "x")
        #expect(conflict.isConflict && !conflict.isAlreadyExists)
        #expect(exists.isAlreadyExists && !exists.isConflict)
    }

    @Test func queryEscapingKeepsSelectorCharactersIntact() {
        let request = KubeRequest(
            method: .GET, path: "/api/v1/pods",
            query: [("labelSelector", "app in (a,b),tier!=db"), ("fieldSelector", "spec.nodeName=n+1")],
            retryClass: .idempotent)
        #expect(
            request.pathAndQuery
                == "/api/v1/pods?labelSelector=app%20in%20%28a%2Cb%29%2Ctier%21%3Ddb&fieldSelector=spec.nodeName%3Dn%2B1")
    }

    @Test func userAgentNamesProgramVersionAndPlatform() {
        let agent = UserAgent.make(program: "mend-drainer", version: "0.1.0")
        #expect(agent.hasPrefix("mend-drainer/0.1.0 ("))
        #expect(agent.hasSuffix("/\(UserAgent.architecture))"))
    }
}

/// Polls `condition` (real time, bounded) until it holds.
func waitUntil(
    timeout: Duration = .seconds(5), sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    let start = ContinuousClock.now
    while try await !condition() {
        if ContinuousClock.now - start > timeout {
            Issue.record("condition not met within \(timeout)", sourceLocation: sourceLocation)
            return
        }
        try await Task.sleep(for: .milliseconds(2))
    }
}
