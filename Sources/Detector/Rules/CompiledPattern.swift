import Foundation

/// An RE2 pattern checked, analysed and compiled for matching against the end of the log buffer.
public struct CompiledPattern: @unchecked Sendable {
    // `Regex` is not declared Sendable because a regex may hold custom components; one built from
    // a pattern string holds none, is immutable, and is compiled before it is shared (by
    // `RE2Analysis.compile`). Hence @unchecked.
    /// The pattern as written in the rule file.
    public let source: String
    let analysis: RE2Analysis
    let regex: Regex<AnyRegexOutput>

    /// Compiles `pattern`, or throws the column and the reason it is not RE2 Mend accepts.
    public init(_ pattern: String) throws(RE2SyntaxError) {
        source = pattern
        let tree = try RE2Parser.parse(pattern)
        analysis = RE2Analysis(tree)
        do {
            // Upstream appends `\z`: the match must end at the end of the buffer.
            regex = try RE2Analysis.compile("(?:\(analysis.regexPattern))\\z")
        } catch {
            throw RE2SyntaxError(column: 1, problem: "the regular-expression engine rejected the pattern: \(error)")
        }
    }

    /// The literal every match contains, as text (empty when none could be found).
    public var requiredLiteral: String { String(decoding: analysis.requiredLiteral, as: UTF8.self) }

    /// Whether the pattern can match across lines (and is therefore matched against the buffer).
    public var spansLines: Bool { analysis.spansLines }

    /// The UTF-16 offset where a match ending at the end of `text` starts, or nil.
    func matchStart(in text: String) -> Int? {
        guard let match = try? regex.firstMatch(in: text) else { return nil }
        return text.utf16.distance(from: text.startIndex, to: match.range.lowerBound)
    }
}
