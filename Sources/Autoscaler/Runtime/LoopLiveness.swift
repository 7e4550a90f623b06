#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import MendCore
import MendTime
import Synchronization

/// The loop's liveness for `/healthz`: healthy while the loop is not running (a replica waiting
/// for the Lease is fine), and while it runs, as long as a pass completed within `maxSilence`.
public final class LoopLiveness: Sendable {
    private struct State {
        var running = false
        var lastPass: Date?
        var since: Date?
    }

    private let state = Mutex(State())
    private let clock: any MendClock
    /// How long a running loop may go without completing a pass.
    public let maxSilence: Duration

    public init(maxSilence: Duration, clock: any MendClock = SystemClock()) {
        self.maxSilence = maxSilence
        self.clock = clock
    }

    /// The loop started (it has `maxSilence` for its first pass).
    public func started() { state.withLock { $0.running = true; $0.since = clock.now } }
    /// The loop stopped (leadership lost, shutdown).
    public func stopped() { state.withLock { $0.running = false } }
    /// A pass completed.
    public func passed() { state.withLock { $0.lastPass = clock.now } }

    /// When the last pass completed, if any.
    public var lastPass: Date? { state.withLock { $0.lastPass } }

    public func status() -> HealthStatus {
        let (running, last) = state.withLock { ($0.running, $0.lastPass ?? $0.since) }
        guard running, let last else { return .healthy }
        let silence = clock.now.timeIntervalSince(last)
        if silence <= maxSilence.seconds { return .healthy }
        return .unhealthy(
            reason: "no completed autoscaler pass for \(GoDuration(.seconds(silence.rounded()))) (limit \(GoDuration(maxSilence)))")
    }
}
