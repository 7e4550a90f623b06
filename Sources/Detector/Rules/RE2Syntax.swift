/// A parsed RE2 pattern.
///
/// Mend accepts exactly the RE2 syntax upstream node-problem-detector (Go `regexp`) accepts, and
/// rejects constructs RE2 does not have (backreferences, look-around, atomic groups, possessive
/// repetition) with the column where they start. The tree is then used twice: translated into an
/// equivalent Swift Regex pattern for confirmation matching, and searched for literal text every match must
/// contain (the prefilter).
indirect enum RE2Node: Sendable, Equatable {
    case empty
    /// One character; `caseless` under `(?i)`.
    case char(Unicode.Scalar, caseless: Bool)
    /// `.`; `dotAll` under `(?s)` (then it also matches `\n`).
    case any(dotAll: Bool)
    case charClass(RE2Class, caseless: Bool)
    case anchor(RE2Anchor)
    case group(RE2Node, name: String?, capturing: Bool)
    case concat([RE2Node])
    case alternate([RE2Node])
    case repeatNode(RE2Node, min: Int, max: Int?, lazy: Bool)
}

/// Zero-width assertions RE2 supports.
enum RE2Anchor: Sendable, Equatable {
    case lineStart      // ^ under (?m)
    case lineEnd        // $ under (?m)
    case textStart      // ^ or \A
    case textEnd        // $ or \z
    case wordBoundary   // \b
    case notWordBoundary // \B
}

/// A character class: items, possibly negated.
struct RE2Class: Sendable, Equatable {
    enum Item: Sendable, Equatable {
        case range(Unicode.Scalar, Unicode.Scalar)
        /// A named class in the regex engine's class syntax with RE2's meaning (ASCII `\d`, `\w`, `\s`).
        case named(syntax: String, matchesNewline: Bool)
    }
    var negated: Bool
    var items: [Item]

    /// Whether the class can match `\n`.
    var matchesNewline: Bool {
        let listed = items.contains { item in
            switch item {
            case .range(let lo, let hi): return lo.value <= 10 && hi.value >= 10
            case .named(_, let nl): return nl
            }
        }
        return listed != negated
    }
}

/// A pattern that is not RE2 syntax Mend accepts: the 1-based column (in Unicode scalars) and why.
public struct RE2SyntaxError: Error, Equatable, CustomStringConvertible {
    public var column: Int
    public var problem: String
    public var description: String { "column \(column): \(problem)" }
}

/// Recursive-descent parser for RE2 syntax (Go `regexp/syntax` Perl flags).
struct RE2Parser {
    private struct Flags { var caseless = false, multiline = false, dotAll = false, ungreedy = false }

    private let s: [Unicode.Scalar]
    private var i = 0
    private var flags = Flags()
    private var depth = 0

    /// Parses `pattern`, throwing the first error with its column.
    static func parse(_ pattern: String) throws(RE2SyntaxError) -> RE2Node {
        var p = RE2Parser(s: Array(pattern.unicodeScalars))
        let node = try p.parseAlternation()
        if p.i < p.s.count {
            throw RE2SyntaxError(column: p.i + 1, problem: "unexpected ) with no group open")
        }
        return node
    }

    private init(s: [Unicode.Scalar]) { self.s = s }

    private var atEnd: Bool { i >= s.count }
    private func peek(_ k: Int = 0) -> Unicode.Scalar? { i + k < s.count ? s[i + k] : nil }
    private func err(_ column: Int, _ problem: String) -> RE2SyntaxError { RE2SyntaxError(column: column + 1, problem: problem) }

    private mutating func parseAlternation() throws(RE2SyntaxError) -> RE2Node {
        var branches = [try parseConcat()]
        while peek() == "|" {
            i += 1
            branches.append(try parseConcat())
        }
        return branches.count == 1 ? branches[0] : .alternate(branches)
    }

    private mutating func parseConcat() throws(RE2SyntaxError) -> RE2Node {
        var items: [RE2Node] = []
        while let c = peek(), c != "|", c != ")" {
            let start = i
            if c == "(", try parseFlagGroupIfPresent() != nil { continue }
            guard var atom = try parseAtom() else { continue }
            atom = try parseRepetitions(atom, atomStart: start)
            items.append(atom)
        }
        if items.isEmpty { return .empty }
        return items.count == 1 ? items[0] : .concat(items)
    }

    /// Handles `(?flags)` which changes flags for the rest of the current group; returns nil when
    /// the `(` starts something else.
    private mutating func parseFlagGroupIfPresent() throws(RE2SyntaxError) -> Bool? {
        guard peek(1) == "?" else { return nil }
        var j = i + 2
        var sawFlag = false
        while j < s.count, "imsU-".unicodeScalars.contains(s[j]) { j += 1; sawFlag = true }
        guard sawFlag, j < s.count, s[j] == ")" else { return nil }
        try applyFlags(from: i + 2, to: j)
        i = j + 1
        return true
    }

    private mutating func applyFlags(from a: Int, to b: Int) throws(RE2SyntaxError) {
        var negate = false
        for k in a..<b {
            switch s[k] {
            case "-":
                if negate { throw err(k, "flag group has two '-' signs") }
                negate = true
            case "i": flags.caseless = !negate
            case "m": flags.multiline = !negate
            case "s": flags.dotAll = !negate
            case "U": flags.ungreedy = !negate
            default: throw err(k, "unknown flag \(s[k]); RE2 knows i, m, s and U")
            }
        }
    }

    private mutating func parseRepetitions(_ atom: RE2Node, atomStart: Int) throws(RE2SyntaxError) -> RE2Node {
        var node = atom
        var repeated = false
        while let c = peek() {
            let opStart = i
            var minCount = 0
            var maxCount: Int?
            switch c {
            case "*": minCount = 0; maxCount = nil; i += 1
            case "+": minCount = 1; maxCount = nil; i += 1
            case "?": minCount = 0; maxCount = 1; i += 1
            case "{":
                guard let (lo, hi, end) = scanCounts(at: i) else { return node }
                if lo > 1000 || (hi ?? 0) > 1000 {
                    throw err(opStart, "repeat count above 1000 (RE2's limit)")
                }
                if let hi, hi < lo { throw err(opStart, "repeat range {\(lo),\(hi)} has max below min") }
                minCount = lo; maxCount = hi; i = end
            default:
                return node
            }
            if repeated {
                throw err(opStart, "a repetition of a repetition (RE2 rejects \"**\", \"*+\", possessive quantifiers and the like)")
            }
            if case .empty = node { throw err(opStart, "missing argument to repetition operator") }
            if case .anchor = node, atomStart == opStart { throw err(opStart, "missing argument to repetition operator") }
            var lazy = false
            if peek() == "?" { lazy = true; i += 1 }
            if flags.ungreedy { lazy.toggle() }
            node = .repeatNode(node, min: minCount, max: maxCount, lazy: lazy)
            repeated = true
        }
        return node
    }

    /// `{n}`, `{n,}`, `{n,m}`; anything else means `{` is a literal (as in RE2).
    private func scanCounts(at start: Int) -> (Int, Int?, Int)? {
        var j = start + 1
        func number() -> Int? {
            var v = 0, n = 0
            while j < s.count, let d = Int(String(s[j])), s[j].isASCII {
                v = min(v * 10 + d, 100_000); j += 1; n += 1
            }
            return n > 0 ? v : nil
        }
        guard let lo = number() else { return nil }
        var hi: Int? = lo
        if j < s.count, s[j] == "," {
            j += 1
            hi = number()
        }
        guard j < s.count, s[j] == "}" else { return nil }
        return (lo, hi, j + 1)
    }

    private mutating func parseAtom() throws(RE2SyntaxError) -> RE2Node? {
        let start = i
        let c = s[i]
        switch c {
        case "(":
            return try parseGroup()
        case "[":
            return .charClass(try parseClass(), caseless: flags.caseless)
        case ".":
            i += 1
            return .any(dotAll: flags.dotAll)
        case "^":
            i += 1
            return .anchor(flags.multiline ? .lineStart : .textStart)
        case "$":
            i += 1
            return .anchor(flags.multiline ? .lineEnd : .textEnd)
        case "*", "+", "?":
            throw err(start, "missing argument to repetition operator \(c)")
        case "{":
            if scanCounts(at: i) != nil { throw err(start, "missing argument to repetition operator") }
            i += 1
            return .char(c, caseless: flags.caseless)
        case "\\":
            return try parseEscape()
        default:
            i += 1
            return .char(c, caseless: flags.caseless)
        }
    }

    private mutating func parseGroup() throws(RE2SyntaxError) -> RE2Node {
        let open = i
        i += 1
        var name: String?
        var capturing = true
        let saved = flags
        if peek() == "?" {
            let q = i
            i += 1
            switch peek() {
            case "P" where peek(1) == "<", "<" where peek(1) != "=" && peek(1) != "!":
                i += peek() == "P" ? 2 : 1
                var n = ""
                while let ch = peek(), ch != ">" {
                    guard ch.properties.isAlphabetic || ch == "_" || (ch.isASCII && ch.properties.numericType != nil) else {
                        throw err(i, "invalid character \(ch) in capture group name")
                    }
                    n.unicodeScalars.append(ch); i += 1
                }
                guard peek() == ">", !n.isEmpty else { throw err(q, "unterminated or empty capture group name") }
                i += 1
                name = n
            case "=", "!":
                throw err(open, "look-ahead (?\(peek()!)...) is not supported by RE2")
            case "<":
                throw err(open, "look-behind (?<\(peek(1)!)...) is not supported by RE2")
            case ">":
                throw err(open, "atomic groups (?>...) are not supported by RE2")
            case "#":
                throw err(open, "comments (?#...) are not supported by RE2")
            case "P":
                throw err(open, "named back-references and recursion (?P=...), (?P>...) are not supported by RE2")
            default:
                var j = i
                while j < s.count, "imsU-".unicodeScalars.contains(s[j]) { j += 1 }
                guard j < s.count, s[j] == ":" else {
                    throw err(open, "unknown group syntax (?\(peek().map { String($0) } ?? "")...; RE2 knows (?:...), (?P<name>...), (?<name>...) and (?flags:...)")
                }
                try applyFlags(from: i, to: j)
                i = j + 1
                capturing = false
            }
        }
        depth += 1
        if depth > 1000 { throw err(open, "groups nested more than 1000 deep") }
        let inner = try parseAlternation()
        depth -= 1
        flags = saved
        guard peek() == ")" else { throw err(open, "missing closing ) for the group opened here") }
        i += 1
        return .group(inner, name: name, capturing: capturing)
    }

    private mutating func parseEscape() throws(RE2SyntaxError) -> RE2Node {
        let start = i
        i += 1
        guard let c = peek() else { throw err(start, "trailing backslash at end of pattern") }
        switch c {
        case "A": i += 1; return .anchor(.textStart)
        case "z": i += 1; return .anchor(.textEnd)
        case "b": i += 1; return .anchor(.wordBoundary)
        case "B": i += 1; return .anchor(.notWordBoundary)
        case "Q":
            i += 1
            var parts: [RE2Node] = []
            while !atEnd {
                if peek() == "\\", peek(1) == "E" { i += 2; break }
                parts.append(.char(s[i], caseless: flags.caseless)); i += 1
            }
            return parts.isEmpty ? .empty : .group(.concat(parts), name: nil, capturing: false)
        default:
            if let item = try classEscape(start: start) {
                switch item {
                case .range(let lo, let hi) where lo == hi: return .char(lo, caseless: flags.caseless)
                default: return .charClass(RE2Class(negated: false, items: [item]), caseless: flags.caseless)
                }
            }
            throw err(start, "invalid escape sequence \\\(c)")
        }
    }

    /// Escapes valid both inside and outside classes. `i` is just past the backslash.
    private mutating func classEscape(start: Int) throws(RE2SyntaxError) -> RE2Class.Item? {
        guard let c = peek() else { throw err(start, "trailing backslash at end of pattern") }
        func single(_ v: UInt32) -> RE2Class.Item { let u = Unicode.Scalar(v)!; return .range(u, u) }
        switch c {
        case "d": i += 1; return .named(syntax: "0-9", matchesNewline: false)
        case "D": i += 1; return .named(syntax: "[^0-9]", matchesNewline: true)
        case "w": i += 1; return .named(syntax: "0-9A-Za-z_", matchesNewline: false)
        case "W": i += 1; return .named(syntax: "[^0-9A-Za-z_]", matchesNewline: true)
        case "s": i += 1; return .named(syntax: "\\t\\n\\f\\r\\x{20}", matchesNewline: true)
        case "S": i += 1; return .named(syntax: "[^\\t\\n\\f\\r\\x{20}]", matchesNewline: false)
        case "a": i += 1; return single(7)
        case "f": i += 1; return single(12)
        case "t": i += 1; return single(9)
        case "n": i += 1; return single(10)
        case "r": i += 1; return single(13)
        case "v": i += 1; return single(11)
        case "p", "P":
            i += 1
            var name = ""
            if peek() == "{" {
                i += 1
                while let ch = peek(), ch != "}" { name.unicodeScalars.append(ch); i += 1 }
                guard peek() == "}" else { throw err(start, "unterminated \\\(c){...}") }
                i += 1
            } else if let ch = peek() {
                name = String(ch); i += 1
            }
            var negated = c == "P"
            if name.hasPrefix("^") { negated.toggle(); name.removeFirst() }
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0 == "_" }) else {
                throw err(start, "invalid character class range \\\(c){\(name)}")
            }
            let property = "\\\(negated ? "P" : "p"){\(name)}"
            return .named(syntax: negated ? "[\(property)]" : property, matchesNewline: negated)
        case "x":
            i += 1
            var hex = ""
            if peek() == "{" {
                i += 1
                while let ch = peek(), ch != "}" { hex.unicodeScalars.append(ch); i += 1 }
                guard peek() == "}" else { throw err(start, "unterminated \\x{...}") }
                i += 1
            } else {
                for _ in 0..<2 { if let ch = peek() { hex.unicodeScalars.append(ch); i += 1 } }
            }
            guard let v = UInt32(hex, radix: 16), v <= 0x10FFFF, Unicode.Scalar(v) != nil else {
                throw err(start, "invalid hexadecimal escape \\x\(hex)")
            }
            return single(v)
        case "0":
            i += 1
            var v: UInt32 = 0
            var n = 0
            while n < 2, let ch = peek(), ("0"..."7").contains(ch) { v = v * 8 + (ch.value - 48); i += 1; n += 1 }
            return single(v)
        case "1"..."7" where peek(1).map({ ("0"..."7").contains($0) }) ?? false:
            // Octal \123 (up to three digits; a single digit would be a back-reference).
            var v: UInt32 = 0
            var n = 0
            while n < 3, let ch = peek(), ("0"..."7").contains(ch) { v = v * 8 + (ch.value - 48); i += 1; n += 1 }
            return single(v)
        case "1"..."9":
            throw err(start, "back-references (\\\(c)) are not supported by RE2")
        case "Z", "G", "K", "R", "X", "h", "H", "V", "N", "e", "c", "g", "k", "l", "u", "L", "U", "E", "C":
            throw err(start, "\\\(c) is not supported by RE2")
        default:
            if c.isASCII && !(c.properties.isAlphabetic || ("0"..."9").contains(c)) {
                i += 1
                return single(c.value)
            }
            return nil
        }
    }

    private static let posixClasses: [String: String] = [
        "alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x{0}-\\x{7F}", "blank": "\\t\\x{20}",
        "cntrl": "\\x{0}-\\x{1F}\\x{7F}", "digit": "0-9", "graph": "\\x{21}-\\x{7E}", "lower": "a-z",
        "print": "\\x{20}-\\x{7E}", "punct": "!-/:-@\\[-`{-~", "space": "\\t\\n\\x{B}\\f\\r\\x{20}",
        "upper": "A-Z", "word": "0-9A-Za-z_", "xdigit": "0-9A-Fa-f",
    ]

    private mutating func parseClass() throws(RE2SyntaxError) -> RE2Class {
        let open = i
        i += 1
        var cls = RE2Class(negated: false, items: [])
        if peek() == "^" { cls.negated = true; i += 1 }
        var first = true
        while true {
            guard let c = peek() else { throw err(open, "missing closing ] for the character class opened here") }
            if c == "]" && !first { i += 1; break }
            first = false
            if c == "[", peek(1) == ":" {
                var j = i + 2
                var name = ""
                while j < s.count, s[j] != ":" { name.unicodeScalars.append(s[j]); j += 1 }
                if j + 1 < s.count, s[j + 1] == "]" {
                    var negated = false
                    if name.hasPrefix("^") { negated = true; name.removeFirst() }
                    guard let body = Self.posixClasses[name] else {
                        throw err(i, "unknown POSIX class [:\(name):]")
                    }
                    let nl = name == "space" || name == "cntrl" || name == "ascii"
                    cls.items.append(.named(syntax: negated ? "[^\(body)]" : body, matchesNewline: nl != negated))
                    i = j + 2
                    continue
                }
            }
            let loStart = i
            let lo = try classAtom()
            if peek() == "-", let next = peek(1), next != "]" {
                guard case .range(let a, let a2) = lo, a == a2 else {
                    throw err(loStart, "a class like \\d cannot start a range")
                }
                i += 1
                let hiStart = i
                let hi = try classAtom()
                guard case .range(let b, let b2) = hi, b == b2 else {
                    throw err(hiStart, "a class like \\d cannot end a range")
                }
                guard a.value <= b.value else { throw err(loStart, "character class range \(a)-\(b) is backwards") }
                cls.items.append(.range(a, b))
            } else {
                cls.items.append(lo)
            }
        }
        return cls
    }

    private mutating func classAtom() throws(RE2SyntaxError) -> RE2Class.Item {
        let start = i
        let c = s[i]
        if c == "\\" {
            i += 1
            if let item = try classEscape(start: start) { return item }
            throw err(start, "invalid escape sequence \\\(peek().map { String($0) } ?? "") in character class")
        }
        i += 1
        return .range(c, c)
    }
}
