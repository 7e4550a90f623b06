import Foundation
import KubeModels

/// An error answer from the API server, decoded from its `Status` body.
public struct KubeAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One cause from `status.details.causes`.
    public typealias Cause = StatusCause

    /// The HTTP status code (`status.code` when the body has one).
    public var code: Int
    /// The machine-readable reason, e.g. `NotFound`, `Conflict`, `AlreadyExists`, `Expired`.
    public var reason: String
    /// The human message from the server.
    public var message: String
    /// `details.name`, `details.group`, `details.kind` when present.
    public var name: String?
    public var group: String?
    public var kind: String?
    /// `details.causes`.
    public var causes: [Cause]
    /// How long the server asked us to wait: the `Retry-After` header, else
    /// `details.retryAfterSeconds`.
    public var retryAfter: Duration?
    /// The request that failed, e.g. `GET /api/v1/namespaces/default/pods/web`.
    public var request: String

    public init(
        code: Int, reason: String, message: String, name: String? = nil, group: String? = nil,
        kind: String? = nil, causes: [Cause] = [], retryAfter: Duration? = nil, request: String = ""
    ) {
        self.code = code
        self.reason = reason
        self.message = message
        self.name = name
        self.group = group
        self.kind = kind
        self.causes = causes
        self.retryAfter = retryAfter
        self.request = request
    }

    /// 404 / `NotFound`.
    public var isNotFound: Bool { code == 404 || reason == "NotFound" }
    /// 409 / `Conflict`: a stale resourceVersion or a failed precondition.
    public var isConflict: Bool { reason == "Conflict" || (code == 409 && reason != "AlreadyExists") }
    /// 409 / `AlreadyExists`: a create for a name that is taken.
    public var isAlreadyExists: Bool { reason == "AlreadyExists" }
    /// 429 / `TooManyRequests` (API priority and fairness, or an eviction blocked by a PDB).
    public var isTooManyRequests: Bool { code == 429 || reason == "TooManyRequests" }
    /// 410 / `Expired` or `Gone`: the resourceVersion asked for has been compacted away.
    public var isGone: Bool { code == 410 || reason == "Expired" || reason == "Gone" }
    /// 401.
    public var isUnauthorized: Bool { code == 401 || reason == "Unauthorized" }
    /// 403.
    public var isForbidden: Bool { code == 403 || reason == "Forbidden" }
    /// 422 / `Invalid`.
    public var isInvalid: Bool { code == 422 || reason == "Invalid" }
    /// 5xx.
    public var isServerError: Bool { (500...599).contains(code) }

    public var description: String {
        var text = "\(request.isEmpty ? "" : request + ": ")\(code) \(reason): \(message)"
        if let retryAfter { text += " (retry after \(retryAfter.seconds)s)" }
        return text
    }

    /// Decodes a `Status` body; falls back to the raw text when the body is not a Status.
    static func decode(code: Int, body: Data, retryAfterHeader: String?, request: String) -> KubeAPIError {
        struct StatusBody: Decodable {
            struct Details: Decodable {
                var name: String?
                var group: String?
                var kind: String?
                var causes: [Cause]?
                var retryAfterSeconds: Int?
            }
            var kind: String?
            var code: Int?
            var reason: String?
            var message: String?
            var details: Details?
        }
        var retryAfter = retryAfterHeader.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            .map { Duration.seconds(max(0, $0)) }
        if let status = try? JSONDecoder().decode(StatusBody.self, from: body), status.kind == "Status" {
            if retryAfter == nil, let seconds = status.details?.retryAfterSeconds { retryAfter = .seconds(seconds) }
            return KubeAPIError(
                code: status.code ?? code,
                reason: status.reason ?? Self.defaultReason(code),
                message: status.message ?? "",
                name: status.details?.name,
                group: status.details?.group,
                kind: status.details?.kind,
                causes: status.details?.causes ?? [],
                retryAfter: retryAfter,
                request: request
            )
        }
        let text = String(decoding: body.prefix(512), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return KubeAPIError(
            code: code, reason: defaultReason(code), message: text, retryAfter: retryAfter, request: request)
    }

    static func defaultReason(_ code: Int) -> String {
        switch code {
        case 400: return "BadRequest"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "NotFound"
        case 405: return "MethodNotAllowed"
        case 406: return "NotAcceptable"
        case 409: return "Conflict"
        case 410: return "Expired"
        case 415: return "UnsupportedMediaType"
        case 422: return "Invalid"
        case 429: return "TooManyRequests"
        case 500: return "InternalError"
        case 503: return "ServiceUnavailable"
        case 504: return "Timeout"
        default: return "Unknown"
        }
    }
}

/// Everything that can go wrong in a KubeClient call.
public enum KubeClientError: Error, Sendable, CustomStringConvertible {
    /// The server answered with an error status.
    case api(KubeAPIError)
    /// The request could not be sent or its answer not received (after any retries).
    case transport(request: String, reason: String)
    /// The request did not finish within its timeout.
    case timeout(request: String, after: Duration)
    /// The answer could not be decoded into the expected type.
    case decoding(request: String, type: String, reason: String)
    /// Credentials could not be obtained (token file, exec plugin).
    case credentials(reason: String)
    /// The request could not be built (bad name, bad selector, body that does not encode).
    case invalidRequest(reason: String)

    /// The API error, when the server answered with one.
    public var apiError: KubeAPIError? {
        if case .api(let error) = self { return error }
        return nil
    }

    /// Shorthands over ``apiError``.
    public var isNotFound: Bool { apiError?.isNotFound ?? false }
    public var isConflict: Bool { apiError?.isConflict ?? false }
    public var isAlreadyExists: Bool { apiError?.isAlreadyExists ?? false }
    public var isTooManyRequests: Bool { apiError?.isTooManyRequests ?? false }
    public var isGone: Bool { apiError?.isGone ?? false }
    public var isForbidden: Bool { apiError?.isForbidden ?? false }
    public var isUnauthorized: Bool { apiError?.isUnauthorized ?? false }

    public var description: String {
        switch self {
        case .api(let error): return error.description
        case .transport(let request, let reason): return "\(request): connection failed: \(reason)"
        case .timeout(let request, let after): return "\(request): no answer within \(after.seconds)s"
        case .decoding(let request, let type, let reason): return "\(request): cannot decode \(type): \(reason)"
        case .credentials(let reason): return "cannot obtain credentials: \(reason)"
        case .invalidRequest(let reason): return "invalid request: \(reason)"
        }
    }
}

extension Error {
    /// True when this is a KubeClient 404.
    public var isKubeNotFound: Bool { (self as? KubeClientError)?.isNotFound ?? false }
    /// True when this is a KubeClient 409 Conflict.
    public var isKubeConflict: Bool { (self as? KubeClientError)?.isConflict ?? false }
}
