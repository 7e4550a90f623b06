import Foundation

/// A duration written the Go way (`10m`, `1h30m`, `500ms`, `1.5s`, `0`), as Kubernetes tools
/// and draino/cluster-autoscaler flags write them. Encodes back in Go's normal form (`1h30m0s`).
public struct GoDuration: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The duration.
    public var duration: Duration

    public init(_ duration: Duration) { self.duration = duration }

    /// What the parser accepts, for error messages.
    public static let expectation = "a Go duration such as 10m, 1h30m, 500ms or 0 (units ns, us, ms, s, m, h)"

    /// Parses Go syntax: an optional sign, then one or more decimal numbers each with a unit.
    public init(parsing text: String) throws(ConfigValueError) {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        var negative = false
        if rest.first == "-" || rest.first == "+" {
            negative = rest.first == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" {
            self.init(.zero)
            return
        }
        guard !rest.isEmpty else { throw ConfigValueError(expected: Self.expectation) }
        var total: Double = 0  // nanoseconds
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, number != ".", number.filter({ $0 == "." }).count <= 1, let value = Double(number)
            else { throw ConfigValueError(expected: Self.expectation) }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            rest = rest.dropFirst(unitText.count)
            guard let unit = Self.units[String(unitText)] else { throw ConfigValueError(expected: Self.expectation) }
            total += value * unit
        }
        guard total <= Double(Int64.max) else { throw ConfigValueError(expected: Self.expectation + ", at most 2562047h") }
        let nanos = Int64(total.rounded())
        self.init(.nanoseconds(negative ? -nanos : nanos))
    }

    private static let units: [String: Double] = [
        "ns": 1, "us": 1e3, "µs": 1e3, "μs": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9,
    ]

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Go's `time.Duration.String()` form: `1h30m0s`, `500ms`, `1.5s`, `0s`.
    public var description: String {
        let (seconds, attos) = duration.components
        var nanos = seconds * 1_000_000_000 + attos / 1_000_000_000
        if nanos == 0 { return "0s" }
        let sign = nanos < 0 ? "-" : ""
        nanos = abs(nanos)
        if nanos < 1_000 { return "\(sign)\(nanos)ns" }
        if nanos < 1_000_000 { return sign + Self.fraction(nanos, 1_000) + "µs" }
        if nanos < 1_000_000_000 { return sign + Self.fraction(nanos, 1_000_000) + "ms" }
        let hours = nanos / 3_600_000_000_000
        let minutes = nanos / 60_000_000_000 % 60
        let secondPart = Self.fraction(nanos % 60_000_000_000, 1_000_000_000) + "s"
        if hours > 0 { return "\(sign)\(hours)h\(minutes)m\(secondPart)" }
        if minutes > 0 { return "\(sign)\(minutes)m\(secondPart)" }
        return sign + secondPart
    }

    private static func fraction(_ value: Int64, _ unit: Int64) -> String {
        let whole = value / unit
        let remainder = value % unit
        guard remainder != 0 else { return "\(whole)" }
        var digits = String(remainder)
        digits = String(repeating: "0", count: String(unit).count - 1 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }

    public static func < (lhs: GoDuration, rhs: GoDuration) -> Bool { lhs.duration < rhs.duration }
}

extension GoDuration: ConfigScalar {}

extension GoDuration: ExpressibleByStringLiteral {
    /// For defaults in code; a bad literal is a programming error.
    public init(stringLiteral value: String) {
        do {
            try self.init(parsing: value)
        } catch {
            preconditionFailure("invalid GoDuration literal \"\(value)\": \(error)")
        }
    }
}

extension GoDuration {
    /// Parses a Go duration that must not be negative (every timeout, interval and rule duration
    /// in a policy); `nil` for malformed or negative text.
    public static func nonNegative(_ text: String) -> Duration? {
        guard let parsed = try? GoDuration(parsing: text), parsed.duration >= .zero else { return nil }
        return parsed.duration
    }

    /// Go's `time.Duration.String()` form of `duration` (`1h30m0s`, `500ms`, `1.5s`, `0s`).
    public static func format(_ duration: Duration) -> String { GoDuration(duration).description }
}
