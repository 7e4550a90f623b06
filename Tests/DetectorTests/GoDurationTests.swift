import Testing
@testable import Detector

@Suite struct GoDurationTests {
    @Test func parsesGoDurationSyntax() throws {
        #expect(try GoDuration.parse("5m") == .seconds(300))
        #expect(try GoDuration.parse("1h30m") == .seconds(5400))
        #expect(try GoDuration.parse("250ms") == .milliseconds(250))
        #expect(try GoDuration.parse("1.5s") == .milliseconds(1500))
        #expect(try GoDuration.parse("0") == .zero)
    }

    @Test func rejectsDurationWithoutUnitOrWithUnknownUnit() {
        #expect(throws: GoDuration.ParseError.self) { try GoDuration.parse("10") }
        #expect(throws: GoDuration.ParseError.self) { try GoDuration.parse("3d") }
        #expect(throws: GoDuration.ParseError.self) { try GoDuration.parse("") }
    }
}
