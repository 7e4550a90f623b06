import Foundation
import Testing

@testable import KubeModels

@Suite("Quantity")
struct QuantityTests {
    @Test(
        "every suffix parses to the exact amount",
        arguments: [
            ("1n", Int128(1)), ("1u", 1_000), ("1m", 1_000_000), ("1", 1_000_000_000),
            ("1k", 1_000_000_000_000), ("1M", 1_000_000_000_000_000), ("1G", 1_000_000_000_000_000_000),
            ("1T", 1_000_000_000_000_000_000_000), ("1P", 1_000_000_000_000_000_000_000_000),
            ("1E", 1_000_000_000_000_000_000_000_000_000),
            ("1Ki", 1024 * 1_000_000_000), ("1Mi", 1_048_576 * 1_000_000_000),
            ("1Gi", 1_073_741_824 * 1_000_000_000), ("1Ti", Int128(1) << 40 * 1_000_000_000),
            ("1Pi", (Int128(1) << 50) * 1_000_000_000), ("1Ei", (Int128(1) << 60) * 1_000_000_000),
        ] as [(String, Int128)])
    func suffixes(text: String, nanos: Int128) throws {
        #expect(try Quantity(parsing: text).nanoValue == nanos)
    }

    @Test func binaryQuantityEqualsItsByteCount() throws {
        #expect(try Quantity(parsing: "1Gi") == Quantity(parsing: "1073741824"))
        #expect(try Quantity(parsing: "1.5Gi").value == 1_610_612_736)
    }

    @Test func exponentFormsParse() throws {
        #expect(try Quantity(parsing: "1e3").value == 1000)
        #expect(try Quantity(parsing: "2E-3").milliValue == 2)
        #expect(try Quantity(parsing: "1e+3").value == 1000)
        #expect(try Quantity(parsing: "1.5e3").value == 1500)
        #expect(try Quantity(parsing: "1e3").format == .decimalExponent)
    }

    @Test func signsAndBareDotsParse() throws {
        #expect(try Quantity(parsing: "+5").value == 5)
        #expect(try Quantity(parsing: "-5").value == -5)
        #expect(try Quantity(parsing: ".5").milliValue == 500)
        #expect(try Quantity(parsing: "5.").value == 5)
        #expect(try Quantity(parsing: "0.000").isZero)
    }

    @Test func additionIsExact() throws {
        let sum = try Quantity(parsing: "0.1") + Quantity(parsing: "0.2")
        #expect(sum == (try Quantity(parsing: "0.3")))
        #expect(sum.description == "300m")
        let cpu = try Quantity(parsing: "100m") + Quantity(parsing: "1.9")
        #expect(cpu == Quantity(2))
        #expect((try Quantity(parsing: "1Gi")) - (try Quantity(parsing: "512Mi")) == (try Quantity(parsing: "512Mi")))
    }

    @Test func comparisonIgnoresFormat() throws {
        #expect(try Quantity(parsing: "1k") == Quantity(parsing: "1000"))
        #expect(try Quantity(parsing: "1e3") == Quantity(parsing: "1k"))
        #expect(try Quantity(parsing: "999m") < Quantity(parsing: "1"))
        #expect(try Quantity(parsing: "1Ki") > Quantity(parsing: "1k"))
    }

    @Test func amountsBelowOneNanoRoundUpAwayFromZero() throws {
        #expect(try Quantity(parsing: "0.1n").nanoValue == 1)
        #expect(try Quantity(parsing: "1e-12").nanoValue == 1)
        #expect(try Quantity(parsing: "-0.1n").nanoValue == -1)
        #expect(try Quantity(parsing: "1.5n").nanoValue == 2)
    }

    @Test func valueAndMilliValueRoundUp() throws {
        #expect(try Quantity(parsing: "1500m").value == 2)
        #expect(try Quantity(parsing: "100m").value == 1)
        #expect(try Quantity(parsing: "0.5m").milliValue == 1)
        #expect(try Quantity(parsing: "2").milliValue == 2000)
        #expect(try Quantity(parsing: "1E").milliValue == Int64.max)
    }

    @Test(
        "canonical form matches Kubernetes",
        arguments: [
            ("1.5Gi", "1536Mi"), ("1024Mi", "1Gi"), ("0.5Ki", "512"), ("1025", "1025"), ("0.1", "100m"),
            ("1000", "1k"), ("1500", "1500"), ("1.5", "1500m"), ("100m", "100m"), ("1e3", "1e3"),
            ("1500e0", "1500"), ("2E-3", "2e-3"), ("0", "0"), ("-1.5Gi", "-1536Mi"), ("1000E", "1000E"),
            ("1e21", "1e21"), ("1000000k", "1G"), ("1.5Ki", "1536"), ("0.5Gi", "512Mi"), ("128974848", "128974848"),
            ("129e6", "129e6"), ("129000k", "129M"), ("123Mi", "123Mi"), ("+5", "5"), ("1u", "1u"), ("0.0001u", "1n"),
        ])
    func canonicalForm(input: String, expected: String) throws {
        #expect(try Quantity(parsing: input).description == expected)
    }

    @Test(
        "malformed text throws naming the text",
        arguments: ["", "abc", "1.2.3", "1x", "1K", "1 Gi", "Gi", ".", "1e", "1ee3", "1Gii", "--1", "1e3.5", " 1"])
    func malformed(text: String) {
        #expect(throws: QuantityError.self) { try Quantity(parsing: text) }
        do {
            _ = try Quantity(parsing: text)
        } catch {
            if !text.isEmpty { #expect(error.description.contains("\"\(text)\"")) }
        }
    }

    @Test func negativeAmountsRoundAwayFromZeroAndScale() throws {
        #expect(try Quantity(parsing: "-1.5m").milliValue == -2)
        #expect(try Quantity(parsing: "-1500m").value == -2)
        #expect((try Quantity(parsing: "250m")) * 4 == Quantity(1))
        #expect(Quantity(milli: 1500).description == "1500m")
        #expect(Quantity(2, format: .binarySI).description == "2")
        #expect(Quantity(3 << 30, format: .binarySI).description == "3Gi")
        #expect(Quantity.max(try Quantity(parsing: "1Gi"), try Quantity(parsing: "1G")) == (try Quantity(parsing: "1Gi")))
    }

    @Test func largestSuffixesStayExact() throws {
        let exa = try Quantity(parsing: "8Ei")
        #expect(exa.value == Int64.max)  // 2^63 does not fit Int64: clamped
        #expect(exa.description == "8Ei")
        #expect(try Quantity(parsing: "123456789123456789").value == 123_456_789_123_456_789)
    }

    @Test func outOfRangeThrows() {
        #expect(throws: QuantityError.outOfRange(text: "1e40")) { try Quantity(parsing: "1e40") }
    }

    @Test func codableAsStringAndAcceptsNumbers() throws {
        let decoded = try JSONDecoder().decode([Quantity].self, from: Data(#"["1.5Gi", 2, 0.5, "100m"]"#.utf8))
        #expect(decoded == [try Quantity(parsing: "1.5Gi"), Quantity(2), Quantity(milli: 500), Quantity(milli: 100)])
        let encoded = String(decoding: try JSONEncoder().encode(decoded), as: UTF8.self)
        #expect(encoded == #"["1536Mi","2","500m","100m"]"#)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Quantity].self, from: Data(#"["12Q"]"#.utf8)) }
    }
}
