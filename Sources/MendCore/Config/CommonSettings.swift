import Logging

/// How much to log.
public enum LogLevel: String, Sendable, Hashable, Codable, CaseIterable {
    case trace, debug, info, notice, warning, error, critical

    /// The swift-log level.
    public var level: Logger.Level {
        switch self {
        case .trace: .trace
        case .debug: .debug
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        case .error: .error
        case .critical: .critical
        }
    }
}

/// How log lines look: one JSON object per line, readable text, or chosen by whether standard
/// error is a terminal (`auto`).
public enum LogFormat: String, Sendable, Hashable, Codable, CaseIterable {
    case auto, json, text
}

/// The `logging:` section every program shares.
public struct LoggingSettings: Sendable, Hashable, Codable {
    public var level: LogLevel
    public var format: LogFormat

    public init(level: LogLevel = .info, format: LogFormat = .auto) {
        self.level = level
        self.format = format
    }
}

/// Where the health and metrics server listens: `host:port`, `:port` for every interface.
public struct ListenAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// What the parser accepts, for error messages.
    public static let expectation = "host:port or :port with a port from 0 to 65535, e.g. :8080"

    /// Parses `:8080`, `0.0.0.0:8080`, `127.0.0.1:0`, `[::1]:9090`.
    public init(parsing text: String) throws(ConfigValueError) {
        let expected = Self.expectation
        guard let colon = text.lastIndex(of: ":") else { throw ConfigValueError(expected: expected) }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ConfigValueError(expected: expected)
        }
        self.init(host: host.isEmpty ? "0.0.0.0" : host, port: port)
    }

    public init(from decoder: any Decoder) throws {
        try self.init(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// The `server:` section: the health and metrics endpoint.
public struct ServerSettings: Sendable, Hashable, Codable {
    /// Default `:8080`.
    public var address: ListenAddress

    public init(address: ListenAddress = ListenAddress(host: "0.0.0.0", port: 8080)) { self.address = address }
}

/// The `leaderElection:` section for programs that run as one active replica.
public struct LeaderElectionSettings: Sendable, Hashable, Codable {
    /// Off only for a single replica or local testing.
    public var enabled: Bool
    /// The Lease's name.
    public var leaseName: String
    /// The Lease's namespace (in-cluster: usually the pod's own).
    public var namespace: String
    public var leaseDuration: GoDuration
    public var renewDeadline: GoDuration
    public var retryPeriod: GoDuration

    public init(
        enabled: Bool = true, leaseName: String, namespace: String = "kube-system",
        leaseDuration: GoDuration = "15s", renewDeadline: GoDuration = "10s", retryPeriod: GoDuration = "2s"
    ) {
        self.enabled = enabled
        self.leaseName = leaseName
        self.namespace = namespace
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
    }

    /// Checks names and the client-go ordering `leaseDuration > renewDeadline > 1.2 × retryPeriod`.
    public func validate(_ v: inout ConfigValidator, at prefix: String) {
        guard enabled else { return }
        v.checkNotEmpty(leaseName, at: "\(prefix).leaseName")
        v.checkNotEmpty(namespace, at: "\(prefix).namespace")
        v.check(retryPeriod, at: "\(prefix).retryPeriod", in: "100ms"..."1h")
        v.check(
            leaseDuration > renewDeadline, at: "\(prefix).leaseDuration", value: leaseDuration,
            expected: "a duration longer than renewDeadline (\(renewDeadline))")
        v.check(
            renewDeadline.duration > retryPeriod.duration * 1.2, at: "\(prefix).renewDeadline", value: renewDeadline,
            expected: "a duration longer than 1.2 × retryPeriod (\(GoDuration(retryPeriod.duration * 1.2)))")
    }
}

extension ListenAddress: ConfigScalar {}
