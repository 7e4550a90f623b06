import Foundation

/// A weekly time range in a time zone during which new cordons and drains may start.
///
/// `start` and `end` are minutes after midnight; an `end` before `start` spans midnight (the
/// window opened on one of `days` runs into the next day).
public struct MaintenanceWindow: Sendable, Hashable, CustomStringConvertible {
    /// Weekdays on which the window opens, 1 = Sunday ... 7 = Saturday (Gregorian calendar).
    public var days: Set<Int>
    public var startMinute: Int
    public var endMinute: Int
    public var timeZone: TimeZone

    public init(days: Set<Int>, startMinute: Int, endMinute: Int, timeZone: TimeZone) {
        self.days = days
        self.startMinute = startMinute
        self.endMinute = endMinute
        self.timeZone = timeZone
    }

    static let dayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    /// Whether `date` falls inside the window.
    public func contains(_ date: Date) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: date)
        guard let weekday = parts.weekday, let hour = parts.hour, let minute = parts.minute else { return false }
        let now = hour * 60 + minute
        if startMinute == endMinute { return days.contains(weekday) }  // the whole day
        if startMinute < endMinute {
            return days.contains(weekday) && now >= startMinute && now < endMinute
        }
        // Spans midnight: the evening part of an open day, or the morning after one.
        let previousDay = weekday == 1 ? 7 : weekday - 1
        return (days.contains(weekday) && now >= startMinute) || (days.contains(previousDay) && now < endMinute)
    }

    public var description: String {
        let dayList = days.sorted().map { Self.dayNames[$0 - 1] }.joined(separator: ",")
        func hhmm(_ m: Int) -> String { String(format: "%02d:%02d", m / 60, m % 60) }
        return "\(dayList) \(hhmm(startMinute))-\(hhmm(endMinute)) \(timeZone.identifier)"
    }

    /// Parses a day name (`Mon`, `monday`, case-insensitive) to 1 = Sunday ... 7 = Saturday.
    public static func weekday(named name: String) -> Int? {
        let key = name.lowercased().prefix(3)
        return dayNames.firstIndex { $0.lowercased() == key }.map { $0 + 1 }
    }

    /// Parses `HH:MM` (00:00 ... 24:00) to minutes after midnight.
    public static func minutes(from text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
            (0...24).contains(h), (0...59).contains(m), h * 60 + m <= 24 * 60
        else { return nil }
        return h * 60 + m
    }
}
