import Foundation
import KubeModels
import MendTime
import Synchronization

/// Injected misbehaviour of the API server, for testing clients' retries and recovery.
///
/// Rules match requests by verb, resource, namespace, name and the client's `User-Agent` prefix
/// (`nil` matches anything; the user agent singles out one replica of a program) and apply
/// to the next `count` matching requests (`nil`: until removed), or to a share of them (`rate`,
/// drawn from a seeded generator so a failing run can be replayed). The first matching rule that
/// answers with an error wins; latency rules add up.
public final class FaultInjector: Sendable {
    /// Which requests a rule applies to.
    public struct Match: Sendable {
        public var verb: String?
        /// Plural resource name (`pods`), optionally with subresource (`pods/eviction`).
        public var resource: String?
        public var namespace: String?
        public var name: String?
        /// A prefix of the client's `User-Agent` (`mend-drainer-0/`: that replica only).
        public var userAgent: String?

        public init(
            verb: String? = nil, resource: String? = nil, namespace: String? = nil, name: String? = nil,
            userAgent: String? = nil
        ) {
            self.verb = verb
            self.resource = resource
            self.namespace = namespace
            self.name = name
            self.userAgent = userAgent
        }

        func matches(_ request: ResourceRequest, userAgent agent: String) -> Bool {
            if let userAgent, !agent.hasPrefix(userAgent) { return false }
            if let verb, verb != request.verb { return false }
            if let resource {
                // `pods` matches pods and their subresources; `pods/eviction` only that subresource.
                let full = request.resource.plural + (request.subresource.map { "/" + $0 } ?? "")
                if resource.contains("/") ? resource != full : resource != request.resource.plural { return false }
            }
            if let namespace, namespace != (request.namespace ?? "") { return false }
            if let name, name != (request.name ?? "") { return false }
            return true
        }
    }

    /// What a rule does.
    public enum Action: Sendable {
        /// Answer with this status code (and a `Retry-After` header when set).
        case fail(code: Int, retryAfterSeconds: Int?)
        /// Delay the response.
        case delay(Duration)
    }

    struct Rule {
        var id: UInt64
        var match: Match
        var action: Action
        var remaining: Int?
        /// The share of matching requests the rule applies to (1: all).
        var rate: Double
    }

    private struct Rules {
        var next: UInt64 = 0
        var list: [Rule] = []
        var random: SplitMix64
    }

    private let rules: Mutex<Rules>

    /// An injector with no rules; `seed` fixes the draws of rules with a `rate` below 1.
    public init(seed: UInt64 = 0x6D65_6E64) {
        rules = Mutex(Rules(random: SplitMix64(seed: seed)))
    }

    /// Adds a rule; returns its id for ``remove(_:)``. With `rate` below 1 the rule applies to that
    /// share of matching requests (e.g. 0.3: about three in ten), and `count` counts applications.
    @discardableResult
    public func add(_ action: Action, matching match: Match = Match(), count: Int? = nil, rate: Double = 1) -> UInt64 {
        precondition((0...1).contains(rate), "a fault rate is a share between 0 and 1, got \(rate)")
        return rules.withLock { r in
            r.next += 1
            r.list.append(Rule(id: r.next, match: match, action: action, remaining: count, rate: rate))
            return r.next
        }
    }

    /// About `rate` of matching requests (0.3: three in ten) answer `code`, until removed.
    @discardableResult
    public func failRandomly(rate: Double, code: Int, retryAfterSeconds: Int? = nil, matching match: Match = Match()) -> UInt64 {
        add(.fail(code: code, retryAfterSeconds: retryAfterSeconds), matching: match, rate: rate)
    }

    /// The next `count` matching requests answer `code` (e.g. 429 with `retryAfterSeconds: 1`, 500, 503).
    @discardableResult
    public func failNext(_ count: Int, code: Int, retryAfterSeconds: Int? = nil, matching match: Match = Match()) -> UInt64 {
        add(.fail(code: code, retryAfterSeconds: retryAfterSeconds), matching: match, count: count)
    }

    /// Matching requests (the next `count`, or all) are answered `delay` later.
    @discardableResult
    public func addLatency(_ delay: Duration, matching match: Match = Match(), count: Int? = nil) -> UInt64 {
        add(.delay(delay), matching: match, count: count)
    }

    public func remove(_ id: UInt64) { rules.withLock { $0.list.removeAll { $0.id == id } } }

    public func removeAll() { rules.withLock { $0.list.removeAll() } }

    /// Consumes the rules matching `request`: the error to answer (if any) and the total delay.
    func evaluate(_ request: ResourceRequest, userAgent: String = "") -> (error: APIError?, delay: Duration) {
        rules.withLock { r in
            var error: APIError?
            var delay = Duration.zero
            var index = 0
            while index < r.list.count {
                var rule = r.list[index]
                guard rule.match.matches(request, userAgent: userAgent), error == nil || { if case .delay = rule.action { return true }; return false }(),
                      rule.rate >= 1 || r.random.nextUnit() < rule.rate
                else {
                    index += 1
                    continue
                }
                switch rule.action {
                case .fail(let code, let retry): error = Self.error(code: code, retryAfterSeconds: retry)
                case .delay(let d): delay += d
                }
                if let remaining = rule.remaining {
                    rule.remaining = remaining - 1
                    if remaining - 1 <= 0 { r.list.remove(at: index); continue }
                    r.list[index] = rule
                }
                index += 1
            }
            return (error, delay)
        }
    }

    static func error(code: Int, retryAfterSeconds: Int?) -> APIError {
        switch code {
        case 429:
            return APIError(code: 429, reason: "TooManyRequests", message: "Too many requests, please try again later.",
                            retryAfterSeconds: retryAfterSeconds)
        case 500:
            return APIError(code: 500, reason: "InternalError", message: "Internal error occurred: injected fault",
                            causes: [APIError.Cause(message: "injected fault")], retryAfterSeconds: retryAfterSeconds)
        case 503:
            return APIError(code: 503, reason: "ServiceUnavailable", message: "the server is currently unable to handle the request",
                            retryAfterSeconds: retryAfterSeconds)
        case 504:
            return APIError(code: 504, reason: "Timeout", message: "the server was unable to return a response in the time allotted, but may still be processing the request",
                            retryAfterSeconds: retryAfterSeconds)
        default:
            return APIError(code: code, reason: "", message: "injected fault (HTTP \(code))", retryAfterSeconds: retryAfterSeconds)
        }
    }
}
