/// Hand-written RFC 3339 parsing and formatting (no `DateFormatter`: it is slow and
/// locale-sensitive). Works on UTC epoch seconds plus nanoseconds.
enum RFC3339 {
    /// A parsed instant: whole seconds since 1970-01-01T00:00:00Z and the nanoseconds after them.
    struct Instant: Hashable {
        var seconds: Int64
        var nanoseconds: Int32
    }

    /// Parses `2024-01-02T03:04:05Z`, `2024-01-02T03:04:05.123456Z`, `2024-01-02T05:04:05+02:00`.
    /// Fractions beyond nanoseconds are truncated. Returns nil for anything else.
    static func parse(_ text: String) -> Instant? {
        var text = text
        return text.withUTF8 { parse(bytes: $0) }
    }

    private static func parse(bytes b: UnsafeBufferPointer<UInt8>) -> Instant? {
        var i = 0
        func digits(_ count: Int) -> Int? {
            guard i + count <= b.count else { return nil }
            var value = 0
            for _ in 0..<count {
                let d = Int(b[i]) - 48
                guard d >= 0 && d <= 9 else { return nil }
                value = value * 10 + d
                i += 1
            }
            return value
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(UInt8(ascii: "-")), let month = digits(2), expect(UInt8(ascii: "-")),
            let day = digits(2)
        else { return nil }
        guard i < b.count, b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") || b[i] == UInt8(ascii: " ")
        else { return nil }
        i += 1
        guard let hour = digits(2), expect(UInt8(ascii: ":")), let minute = digits(2), expect(UInt8(ascii: ":")),
            let second = digits(2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month), hour < 24,
            minute < 60, second <= 60
        else { return nil }
        var nanos = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var count = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if count < 9 { nanos = nanos * 10 + Int(b[i] - 48) }
                count += 1
                i += 1
            }
            guard count > 0 else { return nil }
            for _ in min(count, 9)..<9 { nanos *= 10 }
        }
        guard i < b.count else { return nil }
        var offset = 0
        switch b[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            guard let oh = digits(2), expect(UInt8(ascii: ":")), let om = digits(2), oh < 24, om < 60 else {
                return nil
            }
            offset = sign * (oh * 3600 + om * 60)
        default:
            return nil
        }
        guard i == b.count else { return nil }
        let days = ProlepticGregorian.daysSinceEpoch(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
        return Instant(seconds: seconds, nanoseconds: Int32(nanos))
    }

    /// Formats `seconds` (UTC) with `fractionDigits` digits of `nanoseconds` (0 for none).
    static func format(seconds: Int64, nanoseconds: Int32 = 0, fractionDigits: Int = 0) -> String {
        var days = seconds / 86_400
        var rem = seconds % 86_400
        if rem < 0 {
            rem += 86_400
            days -= 1
        }
        let (y, m, d) = ProlepticGregorian.date(daysSinceEpoch: Int(days))
        var out = [UInt8]()
        out.reserveCapacity(32)
        func put(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var v = value
            while divisor > 0 {
                out.append(UInt8(48 + (v / divisor) % 10))
                v %= divisor
                divisor /= 10
            }
        }
        put(y, 4)
        out.append(UInt8(ascii: "-"))
        put(m, 2)
        out.append(UInt8(ascii: "-"))
        put(d, 2)
        out.append(UInt8(ascii: "T"))
        let r = Int(rem)
        put(r / 3600, 2)
        out.append(UInt8(ascii: ":"))
        put(r / 60 % 60, 2)
        out.append(UInt8(ascii: ":"))
        put(r % 60, 2)
        if fractionDigits > 0 {
            out.append(UInt8(ascii: "."))
            var frac = Int(nanoseconds)
            for _ in fractionDigits..<9 { frac /= 10 }
            put(frac, fractionDigits)
        }
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// A timestamp that is not RFC 3339.
public struct TimestampError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text that failed to parse.
    public var text: String

    public var description: String {
        "invalid timestamp \"\(text)\": expected RFC 3339 like \"2024-01-02T03:04:05Z\""
    }
}
