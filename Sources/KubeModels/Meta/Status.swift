/// `metav1.Status`: the body of every API error (and of some successful deletes).
public struct Status: Codable, Sendable, Hashable, Error, CustomStringConvertible {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ListMeta?
    /// `Success` or `Failure`.
    public var status: String?
    /// A human-readable description of the outcome.
    public var message: String?
    /// A machine-readable reason such as `NotFound` or `Conflict`.
    public var reason: StatusReason?
    /// The HTTP status code.
    public var code: Int?
    public var details: StatusDetails?

    public init(
        status: String? = "Failure", message: String? = nil, reason: StatusReason? = nil, code: Int? = nil,
        details: StatusDetails? = nil, metadata: ListMeta? = ListMeta()
    ) {
        self.apiVersion = "v1"
        self.kind = "Status"
        self.metadata = metadata
        self.status = status
        self.message = message
        self.reason = reason
        self.code = code
        self.details = details
    }

    public var description: String {
        var text = "\(code.map(String.init) ?? "?") \(reason?.rawValue ?? "Unknown")"
        if let message, !message.isEmpty { text += ": \(message)" }
        return text
    }

    /// A failure `Status` as the API server writes it.
    public static func failure(
        code: Int, reason: StatusReason, message: String, details: StatusDetails? = nil
    ) -> Status {
        Status(status: "Failure", message: message, reason: reason, code: code, details: details)
    }

    /// `404 NotFound` for `<resource> "<name>" not found`, worded as the API server does.
    public static func notFound(_ type: ResourceType, name: String) -> Status {
        .failure(
            code: 404, reason: .notFound, message: "\(type) \"\(name)\" not found",
            details: StatusDetails(name: name, group: type.group.isEmpty ? nil : type.group, kind: type.resource))
    }

    /// `409 AlreadyExists`, worded as the API server does.
    public static func alreadyExists(_ type: ResourceType, name: String) -> Status {
        .failure(
            code: 409, reason: .alreadyExists, message: "\(type) \"\(name)\" already exists",
            details: StatusDetails(name: name, group: type.group.isEmpty ? nil : type.group, kind: type.resource))
    }

    /// `409 Conflict` for a stale write, worded as the API server does.
    public static func conflict(_ type: ResourceType, name: String, message: String) -> Status {
        .failure(
            code: 409, reason: .conflict,
            message: "Operation cannot be fulfilled on \(type) \"\(name)\": \(message)",
            details: StatusDetails(name: name, group: type.group.isEmpty ? nil : type.group, kind: type.resource))
    }
}

/// `metav1.StatusReason`: an open set of reason strings; unknown values are kept.
public struct StatusReason: RawRepresentable, Codable, Sendable, Hashable, ExpressibleByStringLiteral {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }

    public static let unauthorized: StatusReason = "Unauthorized"
    public static let forbidden: StatusReason = "Forbidden"
    public static let notFound: StatusReason = "NotFound"
    public static let alreadyExists: StatusReason = "AlreadyExists"
    public static let conflict: StatusReason = "Conflict"
    /// `410 Gone`: the requested resourceVersion is too old (watch or list continue).
    public static let expired: StatusReason = "Expired"
    public static let gone: StatusReason = "Gone"
    public static let invalid: StatusReason = "Invalid"
    public static let badRequest: StatusReason = "BadRequest"
    public static let methodNotAllowed: StatusReason = "MethodNotAllowed"
    public static let notAcceptable: StatusReason = "NotAcceptable"
    public static let unsupportedMediaType: StatusReason = "UnsupportedMediaType"
    /// `429`: rate limited, or an eviction blocked by a PodDisruptionBudget.
    public static let tooManyRequests: StatusReason = "TooManyRequests"
    public static let timeout: StatusReason = "Timeout"
    public static let serverTimeout: StatusReason = "ServerTimeout"
    public static let internalError: StatusReason = "InternalError"
    public static let serviceUnavailable: StatusReason = "ServiceUnavailable"
    public static let requestEntityTooLarge: StatusReason = "RequestEntityTooLarge"
}

/// `metav1.StatusDetails`: which object a `Status` is about, and why.
public struct StatusDetails: Codable, Sendable, Hashable {
    public var name: String?
    public var group: String?
    /// The resource kind (the API server puts the plural resource here for most errors).
    public var kind: String?
    public var uid: String?
    public var causes: [StatusCause]?
    public var retryAfterSeconds: Int?

    public init(
        name: String? = nil, group: String? = nil, kind: String? = nil, uid: String? = nil,
        causes: [StatusCause]? = nil, retryAfterSeconds: Int? = nil
    ) {
        self.name = name
        self.group = group
        self.kind = kind
        self.uid = uid
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// `metav1.StatusCause`: one reason a request failed, often tied to a field.
public struct StatusCause: Codable, Sendable, Hashable {
    public var reason: String?
    public var message: String?
    public var field: String?

    public init(reason: String? = nil, message: String? = nil, field: String? = nil) {
        self.reason = reason
        self.message = message
        self.field = field
    }
}
