import Foundation
import KubeModels
import Synchronization

/// Injected misbehaviour of the API server, for testing clients' retries and recovery.
///
/// Rules match requests by verb, resource, namespace and name (`nil` matches anything) and apply
/// to the next `count` matching requests (`nil`: until removed). The first matching rule that
/// answers with an error wins; latency rules add up.
public final class FaultInjector: Sendable {
    /// Which requests a rule applies to.
    public struct Match: Sendable {
        public var verb: String?
        /// Plural resource name (`pods`), optionally with subresource (`pods/eviction`).
        public var resource: String?
        public var namespace: String?
        public var name: String?

        public init(verb: String? = nil, resource: String? = nil, namespace: String? = nil, name: String? = nil) {
            self.verb = verb
            self.resource = resource
            self.namespace = namespace
            self.name = name
        }

        func matches(_ request: ResourceRequest) -> Bool {
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
    }

    private let rules: Mutex<(next: UInt64, list: [Rule])> = Mutex((0, []))

    public init() {}

    /// Adds a rule; returns its id for ``remove(_:)``.
    @discardableResult
    public func add(_ action: Action, matching match: Match = Match(), count: Int? = nil) -> UInt64 {
        rules.withLock { r in
            r.next += 1
            r.list.append(Rule(id: r.next, match: match, action: action, remaining: count))
            return r.next
        }
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
    func evaluate(_ request: ResourceRequest) -> (error: APIError?, delay: Duration) {
        rules.withLock { r in
            var error: APIError?
            var delay = Duration.zero
            var index = 0
            while index < r.list.count {
                var rule = r.list[index]
                guard rule.match.matches(request), error == nil || { if case .delay = rule.action { return true }; return false }() else {
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
