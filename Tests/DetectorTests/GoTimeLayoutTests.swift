import Foundation
import Testing
@testable import Detector

/// Timestamps are computed without Foundation's `Calendar`/`TimeZone` (which load ICU); these
/// tests hold the zone handling to `Calendar` as the oracle (the day arithmetic is tested in
/// KubeModelsTests' ProlepticGregorianTests).
@Suite struct GoTimeLayoutTests {
    @Test func aFixedZoneTakesTheMissingYearFromNowInThatZone() throws {
        let layout = try GoTimeLayout("Jan _2 15:04:05")
        // 23:30 UTC on 31 December is already 1 January in a zone two hours east.
        let now = Date(timeIntervalSince1970: 1_798_759_800)  // 2026-12-31T23:30:00Z
        let date = try #require(layout.parse("Jan  1 00:10:00", now: now, zone: .fixed(secondsFromGMT: 7_200)))
        #expect(date.timeIntervalSince1970 == 1_798_755_000)  // 2026-12-31T22:10:00Z
        let west = try #require(layout.parse("Dec 31 20:00:00", now: now, zone: .fixed(secondsFromGMT: -18_000)))
        #expect(west.timeIntervalSince1970 == 1_798_765_200)  // 2027-01-01T01:00:00Z
    }

    @Test func theHostZoneAgreesWithFoundationsTimeZone() throws {
        let layout = try GoTimeLayout("2006-01-02 15:04:05.000")
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        for text in ["2026-01-15 08:30:00.125", "2026-03-29 02:30:00.000", "2026-07-01 12:00:00.500",
                     "2026-10-25 01:30:00.000", "2000-02-29 23:59:59.999"] {
            let date = try #require(layout.parse(Substring(text)))
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: date)
            let expected = Int(text.dropFirst(20))! * 1_000_000
            #expect(String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
                == String(text.prefix(19)), "\(text)")
            #expect(abs(c.nanosecond! - expected) < 1_000, "\(text)")
        }
    }
}
