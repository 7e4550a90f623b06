#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `metav1.Time`: an instant with second precision, encoded as `2024-01-02T03:04:05Z`.
///
/// Decoding accepts fractional seconds and UTC offsets (and drops the fraction, as the API
/// server does).
public struct KubeTime: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Whole seconds since 1970-01-01T00:00:00Z.
    public var secondsSince1970: Int64

    public init(secondsSince1970: Int64) { self.secondsSince1970 = secondsSince1970 }

    /// The instant `date`, truncated to the second (towards the past).
    public init(_ date: Date) {
        secondsSince1970 = Int64(date.timeIntervalSince1970.rounded(.down))
    }

    /// Parses RFC 3339 text.
    public init(parsing text: String) throws(TimestampError) {
        guard let instant = RFC3339.parse(text) else { throw TimestampError(text: text) }
        secondsSince1970 = instant.seconds
    }

    /// The instant as a `Date`.
    public var date: Date { Date(timeIntervalSince1970: TimeInterval(secondsSince1970)) }

    /// The RFC 3339 form, e.g. `2024-01-02T03:04:05Z`.
    public var description: String { RFC3339.format(seconds: secondsSince1970) }

    public static func < (a: KubeTime, b: KubeTime) -> Bool { a.secondsSince1970 < b.secondsSince1970 }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        guard let instant = RFC3339.parse(text) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: TimestampError(text: text).description)
        }
        secondsSince1970 = instant.seconds
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// `metav1.MicroTime`: an instant with microsecond precision, encoded as
/// `2024-01-02T03:04:05.123456Z` (always six fractional digits). Used by Lease and
/// events.k8s.io Event.
public struct MicroTime: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microsecondsSince1970: Int64

    public init(microsecondsSince1970: Int64) { self.microsecondsSince1970 = microsecondsSince1970 }

    /// The instant `date`, truncated to the microsecond (towards the past).
    public init(_ date: Date) {
        microsecondsSince1970 = Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
    }

    /// Parses RFC 3339 text.
    public init(parsing text: String) throws(TimestampError) {
        guard let instant = RFC3339.parse(text) else { throw TimestampError(text: text) }
        microsecondsSince1970 = instant.seconds * 1_000_000 + Int64(instant.nanoseconds / 1000)
    }

    /// The instant as a `Date`.
    public var date: Date { Date(timeIntervalSince1970: TimeInterval(microsecondsSince1970) / 1_000_000) }

    /// The same instant at second precision.
    public var kubeTime: KubeTime {
        var seconds = microsecondsSince1970 / 1_000_000
        if microsecondsSince1970 % 1_000_000 < 0 { seconds -= 1 }
        return KubeTime(secondsSince1970: seconds)
    }

    /// The RFC 3339 form with six fractional digits, e.g. `2024-01-02T03:04:05.123456Z`.
    public var description: String {
        var seconds = microsecondsSince1970 / 1_000_000
        var micros = microsecondsSince1970 % 1_000_000
        if micros < 0 {
            micros += 1_000_000
            seconds -= 1
        }
        return RFC3339.format(seconds: seconds, nanoseconds: Int32(micros * 1000), fractionDigits: 6)
    }

    public static func < (a: MicroTime, b: MicroTime) -> Bool { a.microsecondsSince1970 < b.microsecondsSince1970 }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        guard let instant = RFC3339.parse(text) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: TimestampError(text: text).description)
        }
        microsecondsSince1970 = instant.seconds * 1_000_000 + Int64(instant.nanoseconds / 1000)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
