import KubeModels

/// A failed API request, rendered as a Kubernetes `Status` object.
///
/// The messages follow the real API server's wording so clients that match on them (and people
/// reading them) see what they would see against a real cluster.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One entry of `details.causes`.
    public struct Cause: Sendable, Equatable {
        public var reason: String?
        public var message: String
        public var field: String?

        public init(reason: String? = nil, message: String, field: String? = nil) {
            self.reason = reason
            self.message = message
            self.field = field
        }
    }

    /// The HTTP status code.
    public var code: Int
    /// The machine-readable reason (`NotFound`, `Conflict`, ...).
    public var reason: String
    public var message: String
    public var name: String?
    public var group: String?
    public var kind: String?
    public var uid: String?
    public var causes: [Cause]
    /// Seconds for `details.retryAfterSeconds` and the `Retry-After` header (when > 0).
    public var retryAfterSeconds: Int?

    public init(
        code: Int, reason: String, message: String, name: String? = nil, group: String? = nil,
        kind: String? = nil, uid: String? = nil, causes: [Cause] = [], retryAfterSeconds: Int? = nil
    ) {
        self.code = code
        self.reason = reason
        self.message = message
        self.name = name
        self.group = group
        self.kind = kind
        self.uid = uid
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { "\(code) \(reason): \(message)" }

    /// The `Status` object the API server sends for this error.
    public var status: JSONValue {
        var details: [String: JSONValue] = [:]
        if let name { details["name"] = .string(name) }
        if let group, !group.isEmpty { details["group"] = .string(group) }
        if let kind { details["kind"] = .string(kind) }
        if let uid { details["uid"] = .string(uid) }
        if !causes.isEmpty {
            details["causes"] = .array(causes.map { cause in
                var c: [String: JSONValue] = ["message": .string(cause.message)]
                if let r = cause.reason { c["reason"] = .string(r) }
                if let f = cause.field { c["field"] = .string(f) }
                return .object(c)
            })
        }
        if let retryAfterSeconds, retryAfterSeconds > 0 { details["retryAfterSeconds"] = .int(Int64(retryAfterSeconds)) }
        var status: [String: JSONValue] = [
            "kind": "Status", "apiVersion": "v1", "metadata": .object([:]), "status": "Failure",
            "message": .string(message), "reason": .string(reason), "code": .int(Int64(code)),
        ]
        if !details.isEmpty { status["details"] = .object(details) }
        if reason.isEmpty { status["reason"] = nil }
        return .object(status)
    }
}

extension APIError {
    /// `pods "x"` or `poddisruptionbudgets.policy "x"`, as the API server names a resource.
    static func qualified(_ resource: ResourceDescriptor) -> String {
        resource.group.isEmpty ? resource.plural : "\(resource.plural).\(resource.group)"
    }

    public static func notFound(_ resource: ResourceDescriptor, name: String) -> APIError {
        APIError(code: 404, reason: "NotFound", message: "\(qualified(resource)) \"\(name)\" not found",
                 name: name, group: resource.group, kind: resource.plural)
    }

    public static func alreadyExists(_ resource: ResourceDescriptor, name: String) -> APIError {
        APIError(code: 409, reason: "AlreadyExists", message: "\(qualified(resource)) \"\(name)\" already exists",
                 name: name, group: resource.group, kind: resource.plural)
    }

    public static func conflict(_ resource: ResourceDescriptor, name: String, detail: String) -> APIError {
        APIError(code: 409, reason: "Conflict",
                 message: "Operation cannot be fulfilled on \(qualified(resource)) \"\(name)\": \(detail)",
                 name: name, group: resource.group, kind: resource.plural)
    }

    public static func staleResourceVersion(_ resource: ResourceDescriptor, name: String) -> APIError {
        conflict(resource, name: name,
                 detail: "the object has been modified; please apply your changes to the latest version and try again")
    }

    /// 422 with one cause per field error, worded `Kind "name" is invalid: field: Reason: detail`.
    public static func invalid(_ resource: ResourceDescriptor, name: String, errors: [FieldError]) -> APIError {
        let joined = errors.map { "\($0.field): \($0.summary)" }
        let list = joined.count == 1 ? joined[0] : "[" + joined.joined(separator: ", ") + "]"
        return APIError(code: 422, reason: "Invalid", message: "\(resource.kind) \"\(name)\" is invalid: \(list)",
                        name: name, group: resource.group, kind: resource.kind,
                        causes: errors.map { Cause(reason: $0.type.rawValue, message: $0.summary, field: $0.field) })
    }

    public static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    public static func methodNotAllowed() -> APIError {
        APIError(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource")
    }

    public static func unsupportedMediaType(_ contentType: String, accepted: [String]) -> APIError {
        APIError(code: 415, reason: "UnsupportedMediaType",
                 message: "the body of the request was in an unknown format - accepted media types include: "
                    + accepted.joined(separator: ", "))
    }

    public static func notAcceptable(_ accept: String) -> APIError {
        APIError(code: 406, reason: "NotAcceptable",
                 message: "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf")
    }

    public static func expired(_ message: String) -> APIError {
        APIError(code: 410, reason: "Expired", message: message)
    }

    public static func gone(_ message: String) -> APIError {
        APIError(code: 410, reason: "Gone", message: message)
    }

    public static func tooManyRequests(_ message: String, retryAfterSeconds: Int) -> APIError {
        APIError(code: 429, reason: "TooManyRequests", message: message, retryAfterSeconds: retryAfterSeconds)
    }

    public static func internalError(_ message: String) -> APIError {
        APIError(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)",
                 causes: [Cause(message: message)])
    }

    public static func forbidden(_ resource: ResourceDescriptor, name: String, detail: String) -> APIError {
        APIError(code: 403, reason: "Forbidden", message: "\(qualified(resource)) \"\(name)\" is forbidden: \(detail)",
                 name: name, group: resource.group, kind: resource.plural)
    }

    public static func unauthorized() -> APIError {
        APIError(code: 401, reason: "Unauthorized", message: "Unauthorized")
    }

    public static func pathNotFound() -> APIError {
        APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
    }
}

/// One field validation failure (a cause of a 422 Invalid error).
public struct FieldError: Sendable, Equatable {
    /// The API's field error types, with their `reason` strings.
    public enum ErrorType: String, Sendable {
        case required = "FieldValueRequired"
        case invalid = "FieldValueInvalid"
        case forbidden = "FieldValueForbidden"
        case notSupported = "FieldValueNotSupported"
        case duplicate = "FieldValueDuplicate"
    }

    public var type: ErrorType
    public var field: String
    public var detail: String
    public var value: String?

    public init(_ type: ErrorType, field: String, value: String? = nil, detail: String) {
        self.type = type
        self.field = field
        self.value = value
        self.detail = detail
    }

    /// `Required value: ...` / `Invalid value: "x": ...`.
    var summary: String {
        switch type {
        case .required: return "Required value" + (detail.isEmpty ? "" : ": \(detail)")
        case .invalid: return "Invalid value: \"\(value ?? "")\"" + (detail.isEmpty ? "" : ": \(detail)")
        case .forbidden: return "Forbidden" + (detail.isEmpty ? "" : ": \(detail)")
        case .notSupported: return "Unsupported value: \"\(value ?? "")\"" + (detail.isEmpty ? "" : ": \(detail)")
        case .duplicate: return "Duplicate value: \"\(value ?? "")\""
        }
    }
}
