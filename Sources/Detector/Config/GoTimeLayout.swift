import Foundation
import KubeModels
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Parses timestamps with a Go reference-time layout (`"Jan _2 15:04:05"`, `"2006-01-02T15:04:05Z07:00"`),
/// the way upstream filelog rule files give `timestampFormat`.
public struct GoTimeLayout: Sendable, Equatable {
    enum Token: Sendable, Equatable {
        case literal(Character)
        case monthName(long: Bool), weekdayName(long: Bool)
        case year4, year2, month(padded: Bool), day(padded: Bool, spaced: Bool)
        case hour24, hour12(padded: Bool), minute(padded: Bool), second(padded: Bool)
        case fraction, ampm, zoneName, zoneOffset(colon: Bool, zulu: Bool)
    }

    let tokens: [Token]
    /// The layout as written.
    public let layout: String

    private static let table: [(String, Token)] = [
        ("January", .monthName(long: true)), ("Monday", .weekdayName(long: true)),
        ("Z07:00", .zoneOffset(colon: true, zulu: true)), ("-07:00", .zoneOffset(colon: true, zulu: false)),
        ("Z0700", .zoneOffset(colon: false, zulu: true)), ("-0700", .zoneOffset(colon: false, zulu: false)),
        ("2006", .year4), ("Jan", .monthName(long: false)), ("Mon", .weekdayName(long: false)), ("MST", .zoneName),
        ("01", .month(padded: true)), ("02", .day(padded: true, spaced: false)), ("_2", .day(padded: false, spaced: true)),
        ("15", .hour24), ("03", .hour12(padded: true)), ("04", .minute(padded: true)), ("05", .second(padded: true)),
        ("06", .year2), ("PM", .ampm), ("pm", .ampm),
        ("1", .month(padded: false)), ("2", .day(padded: false, spaced: false)), ("3", .hour12(padded: false)),
        ("4", .minute(padded: false)), ("5", .second(padded: false)),
    ]

    /// Reads `layout`; throws when it contains no date or time element at all.
    public init(_ layout: String) throws(GoTimeLayoutError) {
        self.layout = layout
        var tokens: [Token] = []
        var rest = Substring(layout)
        outer: while !rest.isEmpty {
            if rest.hasPrefix(".000") || rest.hasPrefix(".999") || rest.hasPrefix(",000") || rest.hasPrefix(",999") {
                tokens.append(.fraction)
                rest = rest.dropFirst()
                while let c = rest.first, c == "0" || c == "9" { rest = rest.dropFirst() }
                continue
            }
            for (text, token) in Self.table where rest.hasPrefix(text) {
                tokens.append(token)
                rest = rest.dropFirst(text.count)
                continue outer
            }
            tokens.append(.literal(rest.first!))
            rest = rest.dropFirst()
        }
        guard tokens.contains(where: { if case .literal = $0 { return false } else { return true } }) else {
            throw GoTimeLayoutError(layout: layout)
        }
        self.tokens = tokens
    }

    private static let months = ["January", "February", "March", "April", "May", "June", "July",
                                 "August", "September", "October", "November", "December"]
    private static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// Parses `text`; a missing year is taken from `now` (as upstream does), a missing zone is `zone`.
    public func parse(_ text: Substring, now: Date = Date(), zone: Zone = .local) -> Date? {
        var s = text[...]
        var year: Int?, month = 1, day = 1, hour = 0, minute = 0, second = 0, nanos = 0
        var pm: Bool?
        var offset: Int?
        func digits(min: Int, max: Int) -> Int? {
            var n = 0, v = 0
            while n < max, let c = s.first, let d = c.wholeNumberValue, c.isASCII { v = v * 10 + d; s = s.dropFirst(); n += 1 }
            return n >= min ? v : nil
        }
        func name(_ names: [String], long: Bool) -> Int? {
            for (k, n) in names.enumerated() {
                let candidate = long ? n : String(n.prefix(3))
                if s.hasPrefix(candidate) { s = s.dropFirst(candidate.count); return k }
            }
            return nil
        }
        for token in tokens {
            switch token {
            case .literal(let c):
                guard s.first == c else { return nil }
                s = s.dropFirst()
            case .monthName(let long):
                guard let m = name(Self.months, long: long) else { return nil }
                month = m + 1
            case .weekdayName(let long):
                guard name(Self.weekdays, long: long) != nil else { return nil }
            case .year4:
                guard let y = digits(min: 4, max: 4) else { return nil }
                year = y
            case .year2:
                guard let y = digits(min: 2, max: 2) else { return nil }
                year = y >= 69 ? 1900 + y : 2000 + y
            case .month(let padded):
                guard let m = digits(min: padded ? 2 : 1, max: 2), (1...12).contains(m) else { return nil }
                month = m
            case .day(let padded, let spaced):
                if spaced, s.first == " " { s = s.dropFirst() }
                guard let d = digits(min: padded ? 2 : 1, max: 2), (1...31).contains(d) else { return nil }
                day = d
            case .hour24:
                guard let h = digits(min: 2, max: 2), h < 24 else { return nil }
                hour = h
            case .hour12(let padded):
                guard let h = digits(min: padded ? 2 : 1, max: 2), (1...12).contains(h) else { return nil }
                hour = h
            case .minute(let padded):
                guard let m = digits(min: padded ? 2 : 1, max: 2), m < 60 else { return nil }
                minute = m
            case .second(let padded):
                guard let v = digits(min: padded ? 2 : 1, max: 2), v < 61 else { return nil }
                second = v
            case .fraction:
                guard s.first == "." || s.first == "," else { return nil }
                s = s.dropFirst()
                var n = 0, v = 0
                while let c = s.first, let d = c.wholeNumberValue, c.isASCII {
                    if n < 9 { v = v * 10 + d; n += 1 }
                    s = s.dropFirst()
                }
                while n < 9 { v *= 10; n += 1 }
                nanos = v
            case .ampm:
                if s.hasPrefix("PM") || s.hasPrefix("pm") { pm = true } else if s.hasPrefix("AM") || s.hasPrefix("am") { pm = false } else { return nil }
                s = s.dropFirst(2)
            case .zoneName:
                let letters = s.prefix { $0.isLetter }
                guard letters.count >= 3 else { return nil }
                if letters == "UTC" || letters == "GMT" || letters == "Z" { offset = 0 }
                s = s.dropFirst(letters.count)
            case .zoneOffset(let colon, let zulu):
                if zulu, s.first == "Z" { s = s.dropFirst(); offset = 0; continue }
                guard let sign = s.first, sign == "+" || sign == "-" else { return nil }
                s = s.dropFirst()
                guard let h = digits(min: 2, max: 2) else { return nil }
                if colon { guard s.first == ":" else { return nil }; s = s.dropFirst() }
                guard let m = digits(min: 2, max: 2) else { return nil }
                offset = (sign == "-" ? -1 : 1) * (h * 3600 + m * 60)
            }
        }
        if let pm { hour = hour % 12 + (pm ? 12 : 0) }
        let fields = CivilTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        let seconds: Int
        switch offset.map(Zone.fixed(secondsFromGMT:)) ?? zone {
        case .fixed(let offset):
            seconds = fields.secondsSinceEpoch(defaultYear: CivilTime.year(at: now, offset: offset)) - offset
        case .local:
            guard let local = fields.localSecondsSinceEpoch(now: now) else { return nil }
            seconds = local
        }
        return Date(timeIntervalSince1970: Double(seconds) + Double(nanos) / 1e9)
    }

    /// The zone of a timestamp that carries no offset of its own.
    public enum Zone: Sendable, Equatable {
        /// The host's zone (`TZ`, else `/etc/localtime`), with its daylight-saving rules.
        case local
        /// A fixed offset east of UTC.
        case fixed(secondsFromGMT: Int)
    }
}

/// Date and time fields read from a log line, turned into seconds since the epoch without
/// Foundation's `Calendar`/`TimeZone`: the host's zone comes from the C library (`mktime`), which
/// spares the detector ICU's time-zone code and data (about a megabyte resident), and a fixed
/// offset needs only ``ProlepticGregorian``. Out-of-range days roll over (31 April is 1 May), as
/// `Calendar` and `mktime` both do.
struct CivilTime {
    var year: Int?
    var month: Int, day: Int, hour: Int, minute: Int, second: Int

    /// Seconds since the epoch of these fields read as UTC.
    func secondsSinceEpoch(defaultYear: Int) -> Int {
        let days = ProlepticGregorian.daysSinceEpoch(year: year ?? defaultYear, month: month, day: day)
        return days * 86_400 + hour * 3_600 + minute * 60 + second
    }

    /// Seconds since the epoch of these fields read in the host's zone; `nil` if the C library
    /// cannot represent them.
    func localSecondsSinceEpoch(now: Date) -> Int? {
        var t = tm()
        if let year {
            t.tm_year = Int32(year - 1900)
        } else {
            var clock = time_t(now.timeIntervalSince1970.rounded(.down))
            var current = tm()
            guard localtime_r(&clock, &current) != nil else { return nil }
            t.tm_year = current.tm_year
        }
        t.tm_mon = Int32(month - 1)
        t.tm_mday = Int32(day)
        t.tm_hour = Int32(hour)
        t.tm_min = Int32(minute)
        t.tm_sec = Int32(second)
        t.tm_isdst = -1  // let the zone's rules decide
        // -1 is also 1969-12-31T23:59:59Z, a time no log line of a running node carries.
        let result = mktime(&t)
        return result == -1 ? nil : Int(result)
    }

    /// The year at `date` in a zone `offset` seconds east of UTC.
    static func year(at date: Date, offset: Int) -> Int {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down)) + offset
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        return ProlepticGregorian.date(daysSinceEpoch: days).year
    }
}

/// A `timestampFormat` with no date or time element.
public struct GoTimeLayoutError: Error, CustomStringConvertible, Equatable {
    public var layout: String
    public var description: String {
        "timestampFormat \"\(layout)\" has no date or time element; write it as a Go layout of the reference time Mon Jan 2 15:04:05 MST 2006, e.g. \"Jan _2 15:04:05\""
    }
}
