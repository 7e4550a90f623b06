import Foundation

/// An RE2 pattern checked, analysed and compiled for matching against the end of the log buffer.
public struct CompiledPattern: @unchecked Sendable {
    // NSRegularExpression is immutable and documented thread-safe; hence @unchecked.
    /// The pattern as written in the rule file.
    public let source: String
    let analysis: RE2Analysis
    let regex: NSRegularExpression

    /// Compiles `pattern`, or throws the column and the reason it is not RE2 Mend accepts.
    public init(_ pattern: String) throws(RE2SyntaxError) {
        source = pattern
        let tree = try RE2Parser.parse(pattern)
        analysis = RE2Analysis(tree)
        do {
            // Upstream appends `\z`: the match must end at the end of the buffer.
            regex = try NSRegularExpression(pattern: "(?:\(analysis.icuPattern))\\z", options: [])
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
        let range = NSRange(location: 0, length: text.utf16.count)
        guard let m = regex.firstMatch(in: text, options: [], range: range) else { return nil }
        return m.range.location
    }
}
