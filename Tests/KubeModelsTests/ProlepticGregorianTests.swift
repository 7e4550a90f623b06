import Foundation
import KubeModels
import Testing

/// The day arithmetic behind RFC 3339 and log-line timestamps, held to Foundation's `Calendar`.
@Suite struct ProlepticGregorianTests {
    private static var utcCalendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        return calendar
    }

    @Test func daysSinceEpochMatchesTheGregorianCalendarFrom1600To2400() throws {
        let calendar = Self.utcCalendar
        var checked = 0
        // Every 37th day of 800 years: leap years, century rules and both sides of the epoch.
        var day = -135_000
        while day < 157_000 {
            let date = Date(timeIntervalSince1970: Double(day) * 86_400)
            let c = calendar.dateComponents([.year, .month, .day], from: date)
            let civil = ProlepticGregorian.date(daysSinceEpoch: day)
            #expect([civil.year, civil.month, civil.day] == [c.year, c.month, c.day])
            #expect(ProlepticGregorian.daysSinceEpoch(year: c.year!, month: c.month!, day: c.day!) == day)
            checked += 1
            day += 37
        }
        #expect(checked > 7_000)
    }

    @Test func aDayPastTheMonthsEndCarriesIntoTheNextMonth() {
        #expect(ProlepticGregorian.daysSinceEpoch(year: 2026, month: 4, day: 31) == ProlepticGregorian.daysSinceEpoch(year: 2026, month: 5, day: 1))
        #expect(ProlepticGregorian.daysSinceEpoch(year: 2024, month: 2, day: 30) == ProlepticGregorian.daysSinceEpoch(year: 2024, month: 3, day: 1))
        #expect(ProlepticGregorian.daysSinceEpoch(year: 2100, month: 2, day: 29) == ProlepticGregorian.daysSinceEpoch(year: 2100, month: 3, day: 1))
    }
}
