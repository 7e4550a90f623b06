import Foundation

/// The proxy requests to the API server go through: a cluster's `proxy-url`, or the
/// `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` environment when the kubeconfig names none (as
/// client-go does).
public struct ProxySettings: Sendable, Hashable, CustomStringConvertible {
    /// How the client talks to the proxy.
    public enum Kind: String, Sendable, Hashable {
        /// An HTTP proxy; the client opens a tunnel with `CONNECT`.
        case http
        /// A SOCKS5 proxy.
        case socks5
    }

    public var kind: Kind
    public var host: String
    public var port: Int
    /// `user:password` from the proxy URL, sent as `Proxy-Authorization: Basic` (HTTP only).
    public var username: String?
    public var password: String?

    public init(kind: Kind = .http, host: String, port: Int, username: String? = nil, password: String? = nil) {
        self.kind = kind
        self.host = host
        self.port = port
        self.username = username
        self.password = password
    }

    /// Parses a proxy URL (`http://host:port`, `socks5://host:port`, with optional
    /// `user:password@`). `nil` for anything else; the caller reports the field.
    public init?(url text: String) {
        // A bare `host:port` (common in HTTPS_PROXY) means an HTTP proxy, as Go reads it.
        let withScheme = text.contains("://") ? text : "http://" + text
        guard let components = URLComponents(string: withScheme), let host = components.host, !host.isEmpty,
            let scheme = components.scheme?.lowercased()
        else { return nil }
        let kind: Kind
        let defaultPort: Int
        switch scheme {
        case "http": (kind, defaultPort) = (.http, 80)
        case "socks5", "socks5h": (kind, defaultPort) = (.socks5, 1080)
        default: return nil
        }
        guard components.path.isEmpty || components.path == "/" else { return nil }
        let port = components.port ?? defaultPort
        guard (1...65535).contains(port) else { return nil }
        self.init(
            kind: kind, host: host, port: port, username: components.user.flatMap { $0.removingPercentEncoding },
            password: components.password.flatMap { $0.removingPercentEncoding })
    }

    /// The proxy the environment selects for `server`, or `nil` for a direct connection.
    ///
    /// `HTTPS_PROXY` (or `https_proxy`) for https servers, `HTTP_PROXY` for http ones; `NO_PROXY`
    /// lists hosts, domain suffixes (`.example.com` or `example.com`), IP addresses, CIDR ranges
    /// and `*`. Loopback servers are never proxied (Go's rule). Unparsable values are ignored.
    public static func fromEnvironment(_ environment: [String: String], for server: URL) -> ProxySettings? {
        guard let host = server.host?.lowercased(), !host.isEmpty else { return nil }
        let bareHost = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if bareHost == "localhost" || bareHost.hasSuffix(".localhost") || bareHost == "::1"
            || bareHost.hasPrefix("127.")
        {
            return nil
        }
        func value(_ name: String) -> String? {
            let text = environment[name] ?? environment[name.lowercased()]
            return text.flatMap { $0.isEmpty ? nil : $0 }
        }
        let isHTTPS = server.scheme?.lowercased() == "https"
        guard let proxyText = value(isHTTPS ? "HTTPS_PROXY" : "HTTP_PROXY") else { return nil }
        if let noProxy = value("NO_PROXY"), NoProxyList(noProxy).matches(bareHost) { return nil }
        return ProxySettings(url: proxyText)
    }

    /// `http://host:port` with the credentials left out (safe for logs).
    public var description: String { "\(kind.rawValue)://\(host.contains(":") ? "[\(host)]" : host):\(port)" }
}

/// A parsed `NO_PROXY` value.
struct NoProxyList {
    private var entries: [String]

    init(_ text: String) {
        entries = text.split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }.filter { !$0.isEmpty }
    }

    func matches(_ host: String) -> Bool {
        for entry in entries {
            if entry == "*" { return true }
            // Drop a port (`example.com:443`): the server's port is not compared.
            var name = entry
            if !name.hasPrefix("["), let colon = name.lastIndex(of: ":"), name.filter({ $0 == ":" }).count == 1 {
                name = String(name[..<colon])
            }
            name = name.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            if name.contains("/") {
                if Self.cidr(name, contains: host) { return true }
                continue
            }
            if name.hasPrefix(".") { name.removeFirst() }
            if host == name || host.hasSuffix("." + name) { return true }
        }
        return false
    }

    /// IPv4 CIDR match (`10.0.0.0/8`); other forms never match.
    private static func cidr(_ range: String, contains host: String) -> Bool {
        let parts = range.split(separator: "/")
        guard parts.count == 2, let bits = Int(parts[1]), (0...32).contains(bits),
            let network = ipv4(String(parts[0])), let address = ipv4(host)
        else { return false }
        let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - bits)
        return network & mask == address & mask
    }

    private static func ipv4(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard let byte = UInt8(octet) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }
}
