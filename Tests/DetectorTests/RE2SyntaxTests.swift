import Testing
@testable import Detector

@Suite struct RE2SyntaxTests {
    private func rejection(_ pattern: String) -> RE2SyntaxError? {
        do { _ = try CompiledPattern(pattern); return nil } catch { return error }
    }

    @Test(arguments: [
        ("(?=foo)bar", 1, "look-ahead"),
        ("foo(?<!x)", 4, "look-behind"),
        ("(?>atomic)", 1, "atomic"),
        ("a++", 3, "repetition of a repetition"),
        ("ab\\Z", 3, "not supported"),
        ("x{1001}", 2, "1000"),
        ("[z-a]", 2, "backwards"),
        ("(unclosed", 1, "missing closing )"),
        ("trailing\\", 9, "trailing backslash"),
        ("*start", 1, "missing argument"),
    ])
    func constructsRE2DoesNotHaveAreRejectedAtTheirColumn(pattern: String, column: Int, words: String) throws {
        let error = try #require(rejection(pattern))
        #expect(error.column == column, "\(pattern): \(error)")
        #expect(error.problem.contains(words), "\(pattern): \(error.problem)")
    }

    @Test func re2ExtrasAreAccepted() throws {
        for pattern in ["(?P<pid>\\d+) killed", "(?i)oops", "\\pL+", "[[:alpha:]]+", "\\Qa.b\\E", "x{2,5}?", "(?s:a.b)", "\\x{41}\\101"] {
            #expect(rejection(pattern) == nil, "\(pattern) was rejected")
        }
    }

    @Test func classesKeepRE2sASCIIMeaning() throws {
        let digits = try CompiledPattern("\\d+")
        #expect(digits.matchStart(in: "count 42") != nil)
        #expect(digits.matchStart(in: "count ٤٢") == nil)  // Arabic-Indic digits are not \d in RE2
        let dollar = try CompiledPattern("end$")
        #expect(dollar.matchStart(in: "the end") != nil)
        #expect(dollar.matchStart(in: "the end\n") == nil)  // $ is end of text in RE2, not before a final \n
    }

    @Test func literalExtractionFindsTheLongestRequiredRun() throws {
        #expect(try CompiledPattern("XFS .* Shutting down filesystem.?").requiredLiteral == " Shutting down filesystem")
        #expect(try CompiledPattern("(a|b)c").requiredLiteral == "c")
        #expect(try CompiledPattern("(?i)oops").requiredLiteral == "")
        #expect(try CompiledPattern("x?yz").requiredLiteral == "yz")
    }

    @Test func patternsThatCanCrossLinesAreMarked() throws {
        #expect(try CompiledPattern("a\\nb").spansLines)
        #expect(try CompiledPattern("a\\sb").spansLines)
        #expect(try CompiledPattern("^start").spansLines)
        #expect(try !CompiledPattern("a[\\S ]+b").spansLines)
        #expect(try !CompiledPattern("a.*b").spansLines)
    }
}
