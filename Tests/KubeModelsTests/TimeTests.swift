import Foundation
import Testing

@testable import KubeModels

@Suite("Kubernetes time formats")
struct TimeTests {
    @Test func kubeTimeEncodesSecondPrecisionUTC() throws {
        let t = try KubeTime(parsing: "2024-01-02T03:04:05Z")
        #expect(t.description == "2024-01-02T03:04:05Z")
        #expect(t.secondsSince1970 == 1_704_164_645)
        #expect(String(decoding: try JSONEncoder().encode([t]), as: UTF8.self) == #"["2024-01-02T03:04:05Z"]"#)
    }

    @Test func kubeTimeDecodingToleratesFractionsAndOffsets() throws {
        #expect(try KubeTime(parsing: "2024-01-02T03:04:05.999999Z").description == "2024-01-02T03:04:05Z")
        #expect(try KubeTime(parsing: "2024-01-02T05:04:05+02:00").description == "2024-01-02T03:04:05Z")
        #expect(try KubeTime(parsing: "2024-01-01T22:04:05-05:00").description == "2024-01-02T03:04:05Z")
    }

    @Test func microTimeKeepsSixDigits() throws {
        let t = try MicroTime(parsing: "2024-01-02T03:04:05.123456789Z")
        #expect(t.description == "2024-01-02T03:04:05.123456Z")
        #expect(try MicroTime(parsing: "2024-01-02T03:04:05Z").description == "2024-01-02T03:04:05.000000Z")
        #expect(try MicroTime(parsing: "2024-01-02T03:04:05.5Z").description == "2024-01-02T03:04:05.500000Z")
        #expect(t.kubeTime.description == "2024-01-02T03:04:05Z")
    }

    @Test func datesConvertBothWays() {
        let date = Date(timeIntervalSince1970: 1_800_000_000.25)
        #expect(KubeTime(date).secondsSince1970 == 1_800_000_000)
        #expect(MicroTime(date).microsecondsSince1970 == 1_800_000_000_250_000)
        #expect(MicroTime(date).date == date)
        #expect(KubeTime(Date(timeIntervalSince1970: -0.5)).description == "1969-12-31T23:59:59Z")
    }

    @Test func leapDaysAndCenturiesRoundTrip() throws {
        for text in ["2000-02-29T00:00:00Z", "2024-02-29T23:59:59Z", "1970-01-01T00:00:00Z", "2100-12-31T12:00:00Z"] {
            #expect(try KubeTime(parsing: text).description == text)
        }
    }

    @Test(
        "malformed timestamps are rejected",
        arguments: [
            "", "2024-01-02", "2024-01-02T03:04:05", "2024-13-02T03:04:05Z", "2023-02-29T00:00:00Z",
            "2024-01-02T03:04:05.Z", "2024-01-02T03:04:05Zjunk", "2024-01-02T25:00:00Z", "24-01-02T03:04:05Z",
            "2024-01-02T03:04:05+0200",
        ])
    func malformed(text: String) {
        #expect(throws: TimestampError(text: text)) { try KubeTime(parsing: text) }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([KubeTime].self, from: Data("[\"\(text)\"]".utf8))
        }
    }
}
