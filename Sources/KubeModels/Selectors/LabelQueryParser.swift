/// A recursive-descent parser for string label selectors (the grammar of
/// `k8s.io/apimachinery/pkg/labels`), with label key and value validation.
struct LabelQueryParser {
    private enum Token: Equatable {
        case identifier(String)
        case not, notEquals, equals, doubleEquals, greaterThan, lessThan
        case open, close, comma, inKeyword, notInKeyword, end

        var text: String {
            switch self {
            case .identifier(let s): "\"\(s)\""
            case .not: "'!'"
            case .notEquals: "'!='"
            case .equals: "'='"
            case .doubleEquals: "'=='"
            case .greaterThan: "'>'"
            case .lessThan: "'<'"
            case .open: "'('"
            case .close: "')'"
            case .comma: "','"
            case .inKeyword: "'in'"
            case .notInKeyword: "'notin'"
            case .end: "end of input"
            }
        }
    }

    private let text: String
    private let characters: [Character]
    private var index = 0
    /// The 1-based column of the token most recently read.
    private var column = 1
    private var peeked: (token: Token, column: Int, next: Int)?

    init(_ text: String) {
        self.text = text
        characters = Array(text)
    }

    mutating func parse() throws(SelectorError) -> LabelQuery {
        var requirements: [LabelRequirement] = []
        if peek() == .end { return .everything }
        while true {
            requirements.append(try requirement())
            let token = read()
            switch token {
            case .end:
                // Stable sort by key, as Kubernetes does.
                let sorted = requirements.enumerated().sorted {
                    $0.element.key == $1.element.key ? $0.offset < $1.offset : $0.element.key < $1.element.key
                }.map(\.element)
                return LabelQuery(requirements: sorted)
            case .comma:
                continue
            default:
                throw .unexpected(selector: text, column: column, found: token.text, expected: "',' or end of input")
            }
        }
    }

    private mutating func requirement() throws(SelectorError) -> LabelRequirement {
        var token = read()
        if token == .not {
            let key = try keyIdentifier(read())
            return LabelRequirement(key: key, operator: .doesNotExist)
        }
        let key = try keyIdentifier(token)
        switch peek() {
        case .comma, .end:
            return LabelRequirement(key: key, operator: .exists)
        default:
            break
        }
        token = read()
        switch token {
        case .equals, .doubleEquals, .notEquals:
            let op: LabelRequirement.Operator =
                token == .equals ? .equals : token == .doubleEquals ? .doubleEquals : .notEquals
            return LabelRequirement(key: key, operator: op, values: [try singleValue()])
        case .greaterThan, .lessThan:
            let valueColumn = peekColumn()
            let value = try singleValue()
            guard Int64(value) != nil else { throw .notAnInteger(selector: text, column: valueColumn, value: value) }
            return LabelRequirement(
                key: key, operator: token == .greaterThan ? .greaterThan : .lessThan, values: [value])
        case .inKeyword, .notInKeyword:
            let setColumn = column
            let values = try valueSet()
            guard !values.isEmpty else { throw .emptyValueSet(selector: text, column: setColumn, key: key) }
            return LabelRequirement(key: key, operator: token == .inKeyword ? .in : .notIn, values: values)
        default:
            throw .unexpected(
                selector: text, column: column, found: token.text,
                expected: "an operator ('=', '==', '!=', 'in', 'notin', '>', '<'), ',' or end of input")
        }
    }

    private mutating func keyIdentifier(_ token: Token) throws(SelectorError) -> String {
        guard case .identifier(let key) = token else {
            throw .unexpected(selector: text, column: column, found: token.text, expected: "a label key")
        }
        if let reason = LabelSyntax.keyProblem(key) {
            throw .invalidKey(selector: text, column: column, key: key, reason: reason)
        }
        return key
    }

    /// The value after `=`, `==`, `!=`, `>`, `<`: an identifier, or empty before `,` / end.
    private mutating func singleValue() throws(SelectorError) -> String {
        switch peek() {
        case .comma, .end:
            return ""
        default:
            let token = read()
            let value: String
            switch token {
            case .identifier(let s): value = s
            case .inKeyword: value = "in"
            case .notInKeyword: value = "notin"
            default:
                throw .unexpected(selector: text, column: column, found: token.text, expected: "a label value")
            }
            if let reason = LabelSyntax.valueProblem(value) {
                throw .invalidValue(selector: text, column: column, value: value, reason: reason)
            }
            return value
        }
    }

    /// `( v1, v2, ... )`; empty strings between commas are values, `()` is an empty set.
    private mutating func valueSet() throws(SelectorError) -> [String] {
        let open = read()
        guard open == .open else {
            throw .unexpected(selector: text, column: column, found: open.text, expected: "'('")
        }
        var values: [String] = []
        if peek() == .close {
            _ = read()
            return values
        }
        while true {
            values.append(try setMember())
            let token = read()
            switch token {
            case .comma: continue
            case .close: return values
            default:
                throw .unexpected(selector: text, column: column, found: token.text, expected: "',' or ')'")
            }
        }
    }

    private mutating func setMember() throws(SelectorError) -> String {
        switch peek() {
        case .comma, .close:
            return ""
        default:
            return try singleValue()
        }
    }

    // MARK: Lexer

    private mutating func peek() -> Token {
        if let peeked { return peeked.token }
        let saved = (index, column)
        let token = lex()
        peeked = (token, column, index)
        (index, column) = saved
        return token
    }

    private mutating func peekColumn() -> Int {
        _ = peek()
        return peeked?.column ?? column
    }

    private mutating func read() -> Token {
        if let p = peeked {
            peeked = nil
            index = p.next
            column = p.column
            return p.token
        }
        return lex()
    }

    private static let special: Set<Character> = ["!", "=", ",", "(", ")", "<", ">"]

    private mutating func lex() -> Token {
        while index < characters.count, characters[index].isWhitespace { index += 1 }
        column = index + 1
        guard index < characters.count else { return .end }
        let c = characters[index]
        let next: Character? = index + 1 < characters.count ? characters[index + 1] : nil
        switch c {
        case "!":
            if next == "=" {
                index += 2
                return .notEquals
            }
            index += 1
            return .not
        case "=":
            if next == "=" {
                index += 2
                return .doubleEquals
            }
            index += 1
            return .equals
        case ">":
            index += 1
            return .greaterThan
        case "<":
            index += 1
            return .lessThan
        case "(":
            index += 1
            return .open
        case ")":
            index += 1
            return .close
        case ",":
            index += 1
            return .comma
        default:
            let start = index
            while index < characters.count, !characters[index].isWhitespace,
                !Self.special.contains(characters[index])
            {
                index += 1
            }
            let word = String(characters[start..<index])
            switch word {
            case "in": return .inKeyword
            case "notin": return .notInKeyword
            default: return .identifier(word)
            }
        }
    }
}

/// Label key and value syntax (`IsQualifiedName`, `IsValidLabelValue`).
public enum LabelSyntax {
    /// Why `key` is not a valid label key (`[prefix/]name`), or nil when it is.
    public static func keyProblem(_ key: String) -> String? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            return nameProblem(Substring(key))
        case 2:
            let prefix = parts[0]
            if prefix.isEmpty { return "the prefix before '/' must not be empty" }
            if prefix.utf8.count > 253 { return "the prefix must be at most 253 characters" }
            for label in prefix.split(separator: ".", omittingEmptySubsequences: false) {
                guard let first = label.utf8.first, let last = label.utf8.last,
                    isLowerAlnum(first), isLowerAlnum(last),
                    label.utf8.allSatisfy({ isLowerAlnum($0) || $0 == UInt8(ascii: "-") })
                else {
                    return "the prefix must be a DNS subdomain (lower-case letters, digits, '-' and '.')"
                }
            }
            return nameProblem(parts[1])
        default:
            return "a key has at most one '/'"
        }
    }

    /// Why `value` is not a valid label value, or nil when it is (empty is valid).
    public static func valueProblem(_ value: String) -> String? {
        if value.isEmpty { return nil }
        return nameProblem(Substring(value))
    }

    private static func nameProblem(_ name: Substring) -> String? {
        if name.isEmpty { return "the name must not be empty" }
        if name.utf8.count > 63 { return "must be at most 63 characters" }
        guard let first = name.utf8.first, let last = name.utf8.last, isAlnum(first), isAlnum(last),
            name.utf8.allSatisfy({
                isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
            })
        else {
            return "must start and end with a letter or digit and contain only letters, digits, '-', '_' and '.'"
        }
        return nil
    }

    private static func isAlnum(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
    }

    private static func isLowerAlnum(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 97 && c <= 122) }
}
