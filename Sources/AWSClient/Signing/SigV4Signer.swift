import Foundation

/// AWS Signature Version 4 for one service in one region, byte for byte as AWS computes it.
///
/// The steps are exposed (``canonicalRequest(_:)``, ``stringToSign(canonicalRequest:date:)``,
/// ``signingKey(secretAccessKey:day:)``) so tests can check each against AWS's published examples.
public struct SigV4Signer: Sendable {
    /// The signing name of the service (`autoscaling`, `ec2`, `sts`).
    public var service: String
    /// The region in the credential scope (`eu-west-1`).
    public var region: String

    public init(service: String, region: String) {
        self.service = service
        self.region = region
    }

    /// An HTTP request as SigV4 sees it.
    public struct Request: Sendable {
        /// `GET`, `POST`, ...
        public var method: String
        /// The path, not percent-encoded (`/`, `/my key`); it is normalized and encoded for signing.
        public var path: String
        /// Decoded query parameters, in any order.
        public var query: [(String, String)]
        /// Headers to sign, names in any case; must include `Host`.
        public var headers: [(String, String)]
        /// The body bytes.
        public var body: [UInt8]

        public init(method: String, path: String = "/", query: [(String, String)] = [], headers: [(String, String)], body: [UInt8] = []) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.body = body
        }
    }

    /// The headers to add to `request` so AWS accepts it: `X-Amz-Date`, `X-Amz-Security-Token` for
    /// temporary credentials, and `Authorization`.
    public func signatureHeaders(for request: Request, credentials: AWSCredentials, date: Date) -> [(String, String)] {
        let amzDate = AMZDate(date)
        var added: [(String, String)] = [("X-Amz-Date", amzDate.timestamp)]
        if let token = credentials.sessionToken { added.append(("X-Amz-Security-Token", token)) }
        var signed = request
        signed.headers.removeAll { name, _ in
            let lower = name.lowercased()
            return lower == "x-amz-date" || lower == "authorization" || (lower == "x-amz-security-token" && credentials.sessionToken != nil)
        }
        signed.headers += added
        let authorization = authorizationHeader(for: signed, credentials: credentials, date: amzDate)
        return added + [("Authorization", authorization)]
    }

    /// The `Authorization` header value for a request whose headers already include `X-Amz-Date`.
    func authorizationHeader(for request: Request, credentials: AWSCredentials, date: AMZDate) -> String {
        let canonical = canonicalRequest(request)
        let toSign = stringToSign(canonicalRequest: canonical.text, date: date)
        let key = signingKey(secretAccessKey: credentials.secretAccessKey, day: date.day)
        let signature = Digest256.hmac(key: key, toSign).hexString
        return "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope(day: date.day)), "
            + "SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"
    }

    /// The canonical request and its signed-header list.
    public func canonicalRequest(_ request: Request) -> (text: String, signedHeaders: String) {
        let headers = Self.canonicalHeaders(request.headers)
        let signedHeaders = headers.map(\.name).joined(separator: ";")
        let text = [
            request.method.uppercased(),
            Self.canonicalURI(request.path),
            Self.canonicalQuery(request.query),
            headers.map { "\($0.name):\($0.value)\n" }.joined(),
            signedHeaders,
            Digest256.hex(request.body),
        ].joined(separator: "\n")
        return (text, signedHeaders)
    }

    /// The string to sign for a canonical request at `date`.
    func stringToSign(canonicalRequest: String, date: AMZDate) -> String {
        "AWS4-HMAC-SHA256\n\(date.timestamp)\n\(scope(day: date.day))\n\(Digest256.hex(Array(canonicalRequest.utf8)))"
    }

    /// The string to sign for a canonical request signed at `date`.
    public func stringToSign(canonicalRequest: String, date: Date) -> String {
        stringToSign(canonicalRequest: canonicalRequest, date: AMZDate(date))
    }

    /// The derived signing key for `day` (`YYYYMMDD`): HMAC chain over day, region, service.
    public func signingKey(secretAccessKey: String, day: String) -> [UInt8] {
        let dateKey = Digest256.hmac(key: Array("AWS4\(secretAccessKey)".utf8), day)
        let regionKey = Digest256.hmac(key: dateKey, region)
        let serviceKey = Digest256.hmac(key: regionKey, service)
        return Digest256.hmac(key: serviceKey, "aws4_request")
    }

    /// `day/region/service/aws4_request`.
    public func scope(day: String) -> String {
        "\(day)/\(region)/\(service)/aws4_request"
    }

    /// The canonical URI: `.` and `..` segments and repeated slashes removed, each segment encoded.
    static func canonicalURI(_ path: String) -> String {
        let rawPath = path.isEmpty ? "/" : path
        var segments: [Substring] = []
        for segment in rawPath.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": if !segments.isEmpty { segments.removeLast() }
            default: segments.append(segment)
            }
        }
        let encoded = segments.map { URIEncoding.encode(String($0)) }.joined(separator: "/")
        let trailingSlash = rawPath.hasSuffix("/") && !segments.isEmpty
        return "/" + encoded + (trailingSlash ? "/" : "")
    }

    /// Encoded `name=value` pairs sorted by name, then value.
    static func canonicalQuery(_ query: [(String, String)]) -> String {
        let encoded: [(name: String, value: String)] = query.map { pair in
            (URIEncoding.encode(pair.0), URIEncoding.encode(pair.1))
        }
        let sorted = encoded.sorted { left, right in
            left.name == right.name ? left.value < right.value : left.name < right.name
        }
        return sorted.map { pair in pair.name + "=" + pair.value }.joined(separator: "&")
    }

    /// Lower-cased names, trimmed values with inner runs of spaces collapsed, repeated names
    /// joined with commas, sorted by name.
    static func canonicalHeaders(_ headers: [(String, String)]) -> [(name: String, value: String)] {
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            merged[name.lowercased(), default: []].append(normalizeHeaderValue(value))
        }
        return merged.keys.sorted().map { ($0, merged[$0]!.joined(separator: ",")) }
    }

    private static func normalizeHeaderValue(_ value: String) -> String {
        let bytes = value.utf8
        let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
        // Fast path: nothing to trim or collapse (the common case, and long session tokens).
        var previousWasSpace = false
        var clean = bytes.first != space && bytes.first != tab && bytes.last != space && bytes.last != tab
        if clean {
            for byte in bytes {
                if byte == tab || (byte == space && previousWasSpace) { clean = false; break }
                previousWasSpace = byte == space
            }
        }
        if clean { return value }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        previousWasSpace = false
        for byte in bytes {
            let isSpace = byte == space || byte == tab
            if isSpace {
                if !previousWasSpace && !out.isEmpty { out.append(space) }
            } else {
                out.append(byte)
            }
            previousWasSpace = isSpace
        }
        if out.last == space { out.removeLast() }
        return String(decoding: out, as: UTF8.self)
    }
}
