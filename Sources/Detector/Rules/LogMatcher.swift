import Foundation

/// What a matching line asks for.
public enum RuleAction: Sendable, Equatable, Hashable {
    /// A temporary rule: emit an Event with this reason.
    case event(reason: String)
    /// A permanent rule: set `condition` True with this reason.
    case setCondition(condition: String, reason: String)
    /// A recovery pattern matched: set `condition` back to its healthy default.
    case recover(condition: String)
}

/// One rule as the matcher sees it.
public struct MatcherRule: Sendable {
    public var action: RuleAction
    public var pattern: CompiledPattern

    public init(action: RuleAction, pattern: CompiledPattern) {
        self.action = action
        self.pattern = pattern
    }
}

/// A rule that fired on a line.
public struct RuleMatch: Sendable, Equatable {
    /// Index of the rule in the matcher's rule list.
    public var ruleIndex: Int
    public var action: RuleAction
    /// The matched log lines, oldest first, joined with newlines (as upstream reports them).
    public var message: String

    public init(ruleIndex: Int, action: RuleAction, message: String) {
        self.ruleIndex = ruleIndex
        self.action = action
        self.message = message
    }
}

/// Matches log lines against a monitor's rules with upstream semantics: each pattern must match at
/// the end of the buffer of the last `bufferSize` lines.
///
/// Patterns that cannot cross a line break (nearly all) are matched against the newest line only,
/// which is equivalent; each line first goes through one Aho–Corasick pass over the rules' required
/// literals and reaches a regular expression only when a rule's literal is present.
public struct LogMatcher: Sendable {
    public let rules: [MatcherRule]
    public let bufferSize: Int
    private let prefilter: LiteralPrefilter
    /// Rules without a usable literal: confirmed on every line.
    private let unfiltered: [Int]
    private let anySpansLines: Bool
    private var buffer: [String] = []
    private var bufferHead = 0
    private var lineNumber = 0
    /// For each literal (= rule index), the last line number on which it was seen.
    private var lastSeen: [Int]
    private var candidates: [Bool]

    public init(rules: [MatcherRule], bufferSize: Int) {
        self.rules = rules
        self.bufferSize = max(1, bufferSize)
        prefilter = LiteralPrefilter(literals: rules.map { $0.pattern.analysis.requiredLiteral })
        unfiltered = rules.indices.filter { rules[$0].pattern.analysis.requiredLiteral.isEmpty }
        anySpansLines = rules.contains { $0.pattern.spansLines }
        lastSeen = Array(repeating: Int.min / 2, count: rules.count)
        candidates = Array(repeating: false, count: rules.count)
    }

    /// Matches one log line (without its newline); returns the rules that fired, in rule order.
    public mutating func match(_ line: String) -> [RuleMatch] {
        var utf8 = line
        return utf8.withUTF8 { bytes in
            matchBytes(UnsafeRawBufferPointer(bytes)) { line }
        }
    }

    /// Matches one log line given as UTF-8 bytes; the `String` is only made for candidate lines.
    public mutating func match(utf8 bytes: UnsafeRawBufferPointer) -> [RuleMatch] {
        matchBytes(bytes) { String(decoding: bytes, as: UTF8.self) }
    }

    private mutating func matchBytes(_ bytes: UnsafeRawBufferPointer, _ makeLine: () -> String) -> [RuleMatch] {
        lineNumber += 1
        var hit = false
        let number = lineNumber
        let filter = prefilter
        filter.scan(bytes) { index in
            lastSeen[index] = number
            hit = true
        }
        if !anySpansLines && !hit && unfiltered.isEmpty { return [] }
        let line = makeLine()
        if anySpansLines { push(line) }
        if !hit && unfiltered.isEmpty && !anySpansLines { return [] }
        var results: [RuleMatch] = []
        for index in rules.indices {
            let rule = rules[index]
            let literalSeen: Bool
            if rule.pattern.analysis.requiredLiteral.isEmpty {
                literalSeen = true
            } else if rule.pattern.spansLines {
                literalSeen = number - lastSeen[index] < bufferSize
            } else {
                literalSeen = lastSeen[index] == number
            }
            guard literalSeen else { continue }
            if rule.pattern.spansLines {
                if let message = matchBuffer(rule.pattern) {
                    results.append(RuleMatch(ruleIndex: index, action: rule.action, message: message))
                }
            } else if rule.pattern.matchStart(in: line) != nil {
                results.append(RuleMatch(ruleIndex: index, action: rule.action, message: line))
            }
        }
        return results
    }

    private mutating func push(_ line: String) {
        if buffer.count < bufferSize {
            buffer.append(line)
        } else {
            buffer[bufferHead] = line
            bufferHead = (bufferHead + 1) % bufferSize
        }
    }

    /// Lines in the buffer, oldest first.
    private var orderedBuffer: [String] {
        buffer.count < bufferSize ? buffer : Array(buffer[bufferHead...] + buffer[..<bufferHead])
    }

    /// Matches against the joined buffer; returns the lines the match touches, joined.
    private func matchBuffer(_ pattern: CompiledPattern) -> String? {
        let lines = orderedBuffer
        let text = lines.joined(separator: "\n")
        guard let start = pattern.matchStart(in: text) else { return nil }
        // Find the line holding the match start, counting UTF-16 units.
        var offset = 0
        var first = lines.count - 1
        for (k, l) in lines.enumerated() {
            let end = offset + l.utf16.count
            if start <= end { first = k; break }
            offset = end + 1
        }
        return lines[first...].joined(separator: "\n")
    }
}
