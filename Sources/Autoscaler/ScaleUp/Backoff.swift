#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import MendTime

/// Exponential backoff of node groups that failed to launch: the first failure keeps the group
/// out for `initial`, each further one doubles it up to `maximum` (5 min → 30 min by default,
/// as the cluster-autoscaler). A group that stays clean for `reset` starts over.
public struct GroupBackoff: Sendable, Hashable, Codable {
    /// One group's backoff.
    public struct Entry: Sendable, Hashable, Codable {
        /// Failures in a row.
        public var failures: Int
        /// The group is skipped until this time.
        public var until: Date
        /// Why, in the provider's words.
        public var reason: String
        /// When the last failure was recorded.
        public var lastFailure: Date
    }

    public var initial: Duration
    public var maximum: Duration
    public var reset: Duration
    /// Backed-off groups by name.
    public private(set) var entries: [String: Entry] = [:]

    /// A backoff policy (defaults as the cluster-autoscaler: 5 min, 30 min, 3 h).
    public init(initial: Duration = .seconds(300), maximum: Duration = .seconds(1800), reset: Duration = .seconds(10800))
    {
        self.initial = initial
        self.maximum = maximum
        self.reset = reset
    }

    /// Records a launch failure of `group` at `now`; returns how long it is now backed off.
    @discardableResult
    public mutating func recordFailure(group: String, reason: String, now: Date) -> Duration {
        var failures = 1
        if let previous = entries[group], now.timeIntervalSince(previous.lastFailure) < reset.seconds {
            failures = previous.failures + 1
        }
        var duration = initial
        for _ in 1..<failures where duration < maximum { duration = min(duration * 2, maximum) }
        entries[group] = Entry(
            failures: failures, until: now.addingTimeInterval(duration.seconds), reason: reason, lastFailure: now)
        return duration
    }

    /// Forgets a group's failures (its nodes registered).
    public mutating func recordSuccess(group: String) { entries[group] = nil }

    /// The backoff in force for `group` at `now`, if any.
    public func backoff(group: String, now: Date) -> Entry? {
        guard let entry = entries[group], entry.until > now else { return nil }
        return entry
    }
}
