import Foundation
import MendTime
import Synchronization

/// Something that hands out AWS credentials, refreshing them when they are about to expire.
public protocol AWSCredentialProvider: Sendable {
    /// Credentials valid for at least a few more minutes.
    func credentials() async throws -> AWSCredentials
}

/// Fixed credentials (tests, or keys passed on purpose by a caller).
public struct StaticCredentialProvider: AWSCredentialProvider {
    let value: AWSCredentials

    public init(_ credentials: AWSCredentials) { value = credentials }

    public func credentials() async throws -> AWSCredentials { value }
}

/// Caches the credentials of a fetching source and fetches new ones shortly before they expire.
///
/// Concurrent callers share one fetch. When a refresh fails while the cached credentials are still
/// valid, the cached ones are returned (and the next call tries again), so a short STS or IMDS
/// outage does not stop the program.
public actor RefreshingCredentialProvider: AWSCredentialProvider {
    private let fetch: @Sendable () async throws -> AWSCredentials
    private let clock: any MendClock
    private let refreshMargin: TimeInterval
    private var cached: AWSCredentials?
    private var inFlight: Task<AWSCredentials, any Error>?

    /// - Parameters:
    ///   - refreshMargin: refresh when the credentials expire within this much time (default 5 min).
    ///   - fetch: fetches fresh credentials from the source.
    public init(clock: any MendClock, refreshMargin: Duration = .seconds(300), fetch: @escaping @Sendable () async throws -> AWSCredentials) {
        self.fetch = fetch
        self.clock = clock
        self.refreshMargin = refreshMargin.seconds
    }

    public func credentials() async throws -> AWSCredentials {
        let now = clock.now
        if let cached, !cached.expires(within: refreshMargin, of: now) { return cached }
        if let inFlight { return try await inFlight.value }
        let task = Task { try await fetch() }
        inFlight = task
        defer { inFlight = nil }
        do {
            let fresh = try await task.value
            cached = fresh
            return fresh
        } catch {
            if let cached, !cached.expires(within: 0, of: clock.now) { return cached }
            throw error
        }
    }
}
