/// What the engine needs to know about a parsed pattern: an equivalent Swift Regex pattern, the
/// literal text any match must contain, and whether a match can reach back past the newest line.
struct RE2Analysis: Sendable {
    /// The pattern rewritten for Swift Regex (compiled by ``compile(_:)``) with RE2's meaning (ASCII `\d\w\s`, `.` not matching `\n`,
    /// `$` meaning end of text, no `U` flag).
    var regexPattern: String
    /// How many capturing groups the pattern has.
    var captureCount: Int
    /// The longest literal byte string every match contains, or empty when there is none.
    var requiredLiteral: [UInt8]
    /// True when a match may span lines or depends on where the buffer starts (`^`, `\A`, a
    /// class or `.` that matches `\n`): such a rule is matched against the joined buffer.
    var spansLines: Bool

    init(_ node: RE2Node) {
        var out = ""
        var spans = false
        Self.emit(node, into: &out, spans: &spans)
        regexPattern = out
        captureCount = Self.captures(node)
        spansLines = spans
        let literals = Self.literals(node)
        requiredLiteral = literals.max { $0.count < $1.count } ?? []
    }

    // MARK: Translation to Swift Regex syntax

    /// Compiles a translated pattern with the options that give RE2's meaning: matching by
    /// Unicode scalar (not by grapheme), and `\b` between ASCII word characters and the rest.
    ///
    /// Swift's own regex engine, not ICU's: a detector that never loads ICU's data stays several
    /// megabytes smaller on every node (see Benchmarks/DetectorBenchmarks/RESULTS.md).
    /// The regex is used once here, so its program is compiled before any thread shares it.
    static func compile(_ pattern: String) throws -> Regex<AnyRegexOutput> {
        let regex = try Regex(pattern).matchingSemantics(.unicodeScalar).wordBoundaryKind(.simple).asciiOnlyWordCharacters()
        _ = try regex.firstMatch(in: "")
        return regex
    }

    private static func captures(_ node: RE2Node) -> Int {
        switch node {
        case .group(let inner, let name, let capturing): return (capturing || name != nil ? 1 : 0) + captures(inner)
        case .concat(let items), .alternate(let items): return items.reduce(0) { $0 + captures($1) }
        case .repeatNode(let inner, _, _, _): return captures(inner)
        default: return 0
        }
    }


    private static func escapeScalar(_ u: Unicode.Scalar) -> String {
        if u.isASCII, u.properties.isAlphabetic || ("0"..."9").contains(u) { return String(u) }
        return "\\x{\(String(u.value, radix: 16))}"
    }

    private static func classBody(_ cls: RE2Class) -> String {
        var body = ""
        for item in cls.items {
            switch item {
            case .range(let lo, let hi):
                body += lo == hi ? escapeScalar(lo) : "\(escapeScalar(lo))-\(escapeScalar(hi))"
            case .named(let syntax, _):
                body += syntax
            }
        }
        return body
    }

    private static func emit(_ node: RE2Node, into out: inout String, spans: inout Bool) {
        switch node {
        case .empty:
            out += "(?:)"
        case .char(let u, let caseless):
            if u == "\n" { spans = true }
            out += caseless ? "(?i:\(escapeScalar(u)))" : escapeScalar(u)
        case .any(let dotAll):
            if dotAll { spans = true; out += "(?s:.)" } else { out += "[^\\n]" }
        case .charClass(let cls, let caseless):
            if cls.matchesNewline { spans = true }
            let text = "[\(cls.negated ? "^" : "")\(classBody(cls))]"
            out += caseless ? "(?i:\(text))" : text
        case .anchor(let a):
            switch a {
            case .lineStart: spans = true; out += "(?m:^)"
            case .lineEnd: out += "(?m:$)"
            case .textStart: spans = true; out += "\\A"
            case .textEnd: out += "\\z"
            // ASCII word characters, by the options of `compile`.
            case .wordBoundary: out += "\\b"
            case .notWordBoundary: out += "\\B"
            }
        case .group(let inner, let name, let capturing):
            if let name { out += "(?<\(name.filter { $0.isLetter || $0.isNumber })>" } else { out += capturing ? "(" : "(?:" }
            emit(inner, into: &out, spans: &spans)
            out += ")"
        case .concat(let items):
            for item in items { emit(item, into: &out, spans: &spans) }
        case .alternate(let branches):
            out += "(?:"
            for (k, b) in branches.enumerated() {
                if k > 0 { out += "|" }
                emit(b, into: &out, spans: &spans)
            }
            out += ")"
        case .repeatNode(let inner, let lo, let hi, let lazy):
            out += "(?:"
            emit(inner, into: &out, spans: &spans)
            out += ")"
            switch (lo, hi) {
            case (0, nil): out += "*"
            case (1, nil): out += "+"
            case (0, 1): out += "?"
            case (_, nil): out += "{\(lo),}"
            case (_, let hi?): out += lo == hi ? "{\(lo)}" : "{\(lo),\(hi)}"
            }
            if lazy { out += "?" }
        }
    }

    // MARK: Required literals

    /// Literal byte strings that every match of `node` contains.
    private static func literals(_ node: RE2Node) -> [[UInt8]] {
        switch node {
        case .char(let u, let caseless):
            return caseless || u == "\n" ? [] : [Array(String(u).utf8)]
        case .group(let inner, _, _):
            return literals(inner)
        case .repeatNode(let inner, let lo, _, _):
            return lo >= 1 ? literals(inner) : []
        case .concat(let items):
            var found: [[UInt8]] = []
            var run: [UInt8] = []
            for item in items {
                if case .char(let u, false) = item, u != "\n" {
                    run += Array(String(u).utf8)
                    continue
                }
                if !run.isEmpty { found.append(run); run = [] }
                if case .anchor = item { continue }
                found += literals(item)
            }
            if !run.isEmpty { found.append(run) }
            return found
        default:
            return []
        }
    }
}
