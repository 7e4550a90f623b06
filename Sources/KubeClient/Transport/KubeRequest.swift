import Foundation
import NIOHTTP1

/// One HTTP request to the API server, before authentication and rate limiting.
struct KubeRequest: Sendable {
    var method: HTTPMethod
    /// The absolute API path, e.g. `/api/v1/namespaces/default/pods/web` (already escaped).
    var path: String
    var query: [(name: String, value: String)] = []
    var body: Data?
    var contentType: String?
    var accept: String = "application/json"
    var retryClass: RetryClass
    /// Watches are not rate limited (they are long-lived, one per informer).
    var rateLimited: Bool = true
    /// Overrides the client's default per-request timeout.
    var timeout: Duration?

    /// `GET /api/v1/...` (no query: selectors may be long and are not secret, but keep logs short).
    var summary: String { "\(method.rawValue) \(path)" }

    /// The path plus the percent-encoded query.
    var pathAndQuery: String {
        guard !query.isEmpty else { return path }
        return path + "?" + query.map { "\(Self.escape($0.name))=\(Self.escape($0.value))" }.joined(separator: "&")
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters (so `+`, `,`, `=`, `!`
    /// in selectors reach the server as themselves; Go decodes a raw `+` in a query as a space).
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(UnicodeScalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// Escapes one path segment (object names are DNS names in practice, but be exact).
    static func escapeSegment(_ text: String) -> String { escape(text) }
}

/// A complete (non-streamed) answer.
struct KubeResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: Data
}
