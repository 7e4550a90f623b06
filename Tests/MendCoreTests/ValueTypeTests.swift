import MendCore
import Testing

@Suite("Configuration value types")
struct ValueTypeTests {
    @Test(arguments: [
        ("10m", Duration.seconds(600), "10m0s"),
        ("1h30m", .seconds(5400), "1h30m0s"),
        ("500ms", .milliseconds(500), "500ms"),
        ("1.5s", .milliseconds(1500), "1.5s"),
        ("0", .zero, "0s"),
        ("2h45m30.5s", .milliseconds(9_930_500), "2h45m30.5s"),
        ("300us", .microseconds(300), "300µs"),
        ("42ns", .nanoseconds(42), "42ns"),
        ("-5s", .seconds(-5), "-5s"),
        (".5m", .seconds(30), "30s"),
    ])
    func goDurationsParseAndPrintTheGoWay(text: String, duration: Duration, normal: String) throws {
        let parsed = try GoDuration(parsing: text)
        #expect(parsed.duration == duration)
        #expect(parsed.description == normal)
        #expect(try GoDuration(parsing: normal) == parsed)
    }

    @Test(arguments: ["", "10", "5 m", "1d", "m", "1.2.3s", "h1", "--1s", "1hm"])
    func malformedGoDurationsAreRejected(text: String) {
        #expect(throws: ConfigValueError(expected: GoDuration.expectation)) { try GoDuration(parsing: text) }
    }

    @Test func countsAndPercentagesResolveAgainstATotal() throws {
        #expect(try CountOrPercent(parsing: "3").resolved(total: 100) == 3)
        #expect(try CountOrPercent(parsing: "20%").resolved(total: 12) == 3)  // 2.4 rounds up
        #expect(try CountOrPercent(parsing: "20%").resolved(total: 12, roundUp: false) == 2)
        #expect(try CountOrPercent(parsing: "12.5%").description == "12.5%")
        #expect(throws: ConfigValueError.self) { try CountOrPercent(parsing: "-1") }
        #expect(throws: ConfigValueError.self) { try CountOrPercent(parsing: "abc%") }
    }

    @Test func listenAddressesAcceptPortOnlyAndIPv6() throws {
        #expect(try ListenAddress(parsing: ":8080") == ListenAddress(host: "0.0.0.0", port: 8080))
        #expect(try ListenAddress(parsing: "127.0.0.1:0") == ListenAddress(host: "127.0.0.1", port: 0))
        #expect(try ListenAddress(parsing: "[::1]:9090").host == "::1")
        #expect(try ListenAddress(parsing: "[::1]:9090").description == "[::1]:9090")
        #expect(throws: ConfigValueError.self) { try ListenAddress(parsing: ":70000") }
    }
}
