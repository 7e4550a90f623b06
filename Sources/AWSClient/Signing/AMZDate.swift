import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The two UTC date forms SigV4 uses: `20150830T123600Z` and `20150830`.
struct AMZDate: Sendable, Equatable {
    /// ISO 8601 basic format, seconds precision (`X-Amz-Date`).
    let timestamp: String
    /// The day (`YYYYMMDD`) used in the credential scope.
    let day: String

    init(_ date: Date) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var digits: [UInt8] = []
        digits.reserveCapacity(16)
        func append(_ value: Int, width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                digits.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        append(Int(parts.tm_year) + 1900, width: 4)
        append(Int(parts.tm_mon) + 1, width: 2)
        append(Int(parts.tm_mday), width: 2)
        let day = String(decoding: digits, as: UTF8.self)
        digits.append(UInt8(ascii: "T"))
        append(Int(parts.tm_hour), width: 2)
        append(Int(parts.tm_min), width: 2)
        append(Int(parts.tm_sec), width: 2)
        digits.append(UInt8(ascii: "Z"))
        self.day = day
        self.timestamp = String(decoding: digits, as: UTF8.self)
    }

    /// Parses an HTTP `Date` header (`Sun, 30 Aug 2015 12:36:00 GMT`, RFC 7231 IMF-fixdate).
    static func parseHTTPDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text.trimmingCharacters(in: .whitespaces))
    }

    /// Parses the ISO 8601 timestamps AWS puts in XML and JSON (`2026-11-23T19:25:29.000Z`).
    static func parseISO8601(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = fractional.date(from: trimmed) { return date }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: trimmed) { return date }
        // moto writes microseconds and sometimes no zone designator.
        let posix = DateFormatter()
        posix.locale = Locale(identifier: "en_US_POSIX")
        posix.timeZone = TimeZone(identifier: "UTC")
        for format in ["yyyy-MM-dd'T'HH:mm:ss.SSSSSSX", "yyyy-MM-dd'T'HH:mm:ss.SSSSSS", "yyyy-MM-dd'T'HH:mm:ssX", "yyyy-MM-dd'T'HH:mm:ss"] {
            posix.dateFormat = format
            if let date = posix.date(from: trimmed) { return date }
        }
        return nil
    }
}
