/// A parsed JSON document as a flat "tape": one entry per value, in document order, with each
/// container recording where it ends so a reader can skip a whole member in one step.
///
/// The text is validated completely while the tape is built (grammar, nesting depth, string
/// control characters); string contents are validated as UTF-8 and unescaped only when a
/// reader asks for them, so members nobody reads cost one scan.
final class JSONTape {
    enum Kind: UInt8 {
        case null, `true`, `false`, integer, number, string, array, object
    }

    /// One value. Strings and numbers: `start..<end` are byte offsets (strings without their
    /// quotes). Arrays and objects: `start` is the element (member) count, `end` the index of
    /// the entry after the container. An object's members are its key (a string entry) followed
    /// by its value.
    struct Entry {
        var kind: Kind
        /// Strings: whether the text holds a backslash escape.
        var escaped: Bool
        var start: UInt32
        var end: UInt32
        // No parent links: 12 bytes an entry keep the tape small; an error's coding path is
        // found from the root instead (see `codingPath(to:)`).
    }

    /// A copy of the text (owned, so the tape stays valid as long as a decoder holds it).
    let bytes: UnsafeMutableBufferPointer<UInt8>
    let entries: [Entry]
    /// Whether ``decode(_:at:)`` reads the types it knows straight from the tape (off only in
    /// tests, to compare with the `Decoder`-protocol path).
    let fastPaths: Bool

    /// The deepest nesting accepted (deeper input is rejected, not a stack overflow).
    static let maximumDepth = 512

    init<Bytes: Collection<UInt8>>(parsing input: Bytes, fastPaths: Bool = true) throws(JSONSyntaxError) {
        let count = input.count
        guard count < Int(UInt32.max) else { throw JSONSyntaxError(offset: 0, problem: "document larger than 4 GiB") }
        let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: count + 1)
        let copied = input.withContiguousStorageIfAvailable { source in
            if let base = source.baseAddress, count > 0 { bytes.baseAddress!.initialize(from: base, count: count) }
        }
        if copied == nil { _ = bytes.initialize(from: input) }
        bytes[count] = 0
        var entries: [Entry] = []
        entries.reserveCapacity(count / 12 + 4)
        var parser = Parser(bytes: UnsafeBufferPointer(start: bytes.baseAddress, count: count))
        do throws(JSONSyntaxError) {
            parser.skipWhitespaceNoThrow()
            guard parser.position < count else { throw parser.error("empty document") }
            try parser.parseValue(into: &entries, depth: 0)
            parser.skipWhitespaceNoThrow()
            if parser.position < count { throw parser.error("unexpected text after the JSON value") }
        } catch {
            bytes.deallocate()
            throw error
        }
        self.bytes = bytes
        self.entries = entries
        self.fastPaths = fastPaths
    }

    deinit { bytes.deallocate() }

    /// The index of the entry after value `index` (and all it contains).
    @inline(__always) func next(after index: Int) -> Int {
        let entry = entries[index]
        switch entry.kind {
        case .array, .object: return Int(entry.end)
        default: return index + 1
        }
    }
}

/// Malformed JSON text: what is wrong and at which byte.
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The byte offset (from 0) where the problem was found.
    public var offset: Int
    public var problem: String

    public var description: String { "invalid JSON at byte \(offset): \(problem)" }
}

private struct Parser {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    func error(_ problem: String) -> JSONSyntaxError { JSONSyntaxError(offset: position, problem: problem) }

    @inline(__always) mutating func skipWhitespaceNoThrow() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    mutating func parseValue(into tape: inout [JSONTape.Entry], depth: Int) throws(JSONSyntaxError) {
        guard position < bytes.count else { throw error("unexpected end of input, expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "\""):
            try parseString(into: &tape)
        case UInt8(ascii: "{"):
            guard depth < JSONTape.maximumDepth else { throw error("nesting deeper than \(JSONTape.maximumDepth)") }
            let header = tape.count
            tape.append(JSONTape.Entry(kind: .object, escaped: false, start: 0, end: 0))
            position += 1
            skipWhitespaceNoThrow()
            var members: UInt32 = 0
            if position < bytes.count && bytes[position] == UInt8(ascii: "}") {
                position += 1
            } else {
                while true {
                    guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                        throw error("expected a member name in double quotes")
                    }
                    try parseString(into: &tape)
                    skipWhitespaceNoThrow()
                    guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                        throw error("expected ':' after a member name")
                    }
                    position += 1
                    skipWhitespaceNoThrow()
                    try parseValue(into: &tape, depth: depth + 1)
                    members += 1
                    skipWhitespaceNoThrow()
                    guard position < bytes.count else { throw error("unexpected end of input inside an object") }
                    let c = bytes[position]
                    position += 1
                    if c == UInt8(ascii: ",") {
                        skipWhitespaceNoThrow()
                        continue
                    }
                    if c == UInt8(ascii: "}") { break }
                    position -= 1
                    throw error("expected ',' or '}' in an object")
                }
            }
            tape[header].start = members
            tape[header].end = UInt32(tape.count)
        case UInt8(ascii: "["):
            guard depth < JSONTape.maximumDepth else { throw error("nesting deeper than \(JSONTape.maximumDepth)") }
            let header = tape.count
            tape.append(JSONTape.Entry(kind: .array, escaped: false, start: 0, end: 0))
            position += 1
            skipWhitespaceNoThrow()
            var elements: UInt32 = 0
            if position < bytes.count && bytes[position] == UInt8(ascii: "]") {
                position += 1
            } else {
                while true {
                    try parseValue(into: &tape, depth: depth + 1)
                    elements += 1
                    skipWhitespaceNoThrow()
                    guard position < bytes.count else { throw error("unexpected end of input inside an array") }
                    let c = bytes[position]
                    position += 1
                    if c == UInt8(ascii: ",") {
                        skipWhitespaceNoThrow()
                        continue
                    }
                    if c == UInt8(ascii: "]") { break }
                    position -= 1
                    throw error("expected ',' or ']' in an array")
                }
            }
            tape[header].start = elements
            tape[header].end = UInt32(tape.count)
        case UInt8(ascii: "t"):
            try literal("true")
            tape.append(JSONTape.Entry(kind: .true, escaped: false, start: 0, end: 0))
        case UInt8(ascii: "f"):
            try literal("false")
            tape.append(JSONTape.Entry(kind: .false, escaped: false, start: 0, end: 0))
        case UInt8(ascii: "n"):
            try literal("null")
            tape.append(JSONTape.Entry(kind: .null, escaped: false, start: 0, end: 0))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try parseNumber(into: &tape)
        default:
            throw error("unexpected character '\(Unicode.Scalar(bytes[position]))'")
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw error("unexpected end of input in a literal") }
        let pointer = word.utf8Start
        for i in 0..<count where bytes[position + i] != pointer[i] {
            throw error("invalid literal, expected '\(word)'")
        }
        position += count
    }

    mutating func parseString(into tape: inout [JSONTape.Entry]) throws(JSONSyntaxError) {
        position += 1  // the opening quote
        let start = position
        var escaped = false
        let count = bytes.count
        while true {
            // Jump to the next quote, backslash or control character, 8 bytes at a time.
            while position + 8 <= count {
                let word = UInt64(
                    littleEndian: UnsafeRawPointer(bytes.baseAddress! + position).loadUnaligned(as: UInt64.self))
                let special = specialBytes(word)
                if special != 0 {
                    position += special.trailingZeroBitCount >> 3
                    break
                }
                position += 8
            }
            guard position < count else { break }
            let c = bytes[position]
            if c == UInt8(ascii: "\"") {
                tape.append(JSONTape.Entry(kind: .string, escaped: escaped, start: UInt32(start), end: UInt32(position)))
                position += 1
                return
            }
            if c == UInt8(ascii: "\\") {
                escaped = true
                position += 1
                guard position < count else { break }
                switch bytes[position] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    position += 1
                case UInt8(ascii: "u"):
                    guard position + 4 < count else { throw error("unterminated string") }
                    for i in 1...4 where hexValue(bytes[position + i]) == nil {
                        position += i
                        throw error("invalid \\u escape")
                    }
                    position += 5
                default:
                    throw error("invalid escape '\\\(Unicode.Scalar(bytes[position]))'")
                }
                continue
            }
            if c < 0x20 { throw error("unescaped control character in a string") }
            position += 1
        }
        throw error("unterminated string")
    }

    mutating func parseNumber(into tape: inout [JSONTape.Entry]) throws(JSONSyntaxError) {
        let start = position
        var integer = true
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else { throw error("expected a digit") }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count && isDigit(bytes[position]) { throw error("leading zero in a number") }
        } else {
            while position < bytes.count && isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count && bytes[position] == UInt8(ascii: ".") {
            integer = false
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else { throw error("expected a digit after '.'") }
            while position < bytes.count && isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count && (bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E")) {
            integer = false
            position += 1
            if position < bytes.count && (bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")) {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else { throw error("expected a digit in the exponent") }
            while position < bytes.count && isDigit(bytes[position]) { position += 1 }
        }
        tape.append(
            JSONTape.Entry(kind: integer ? .integer : .number, escaped: false, start: UInt32(start), end: UInt32(position)))
    }
}

@inline(__always) private func isDigit(_ c: UInt8) -> Bool { c &- UInt8(ascii: "0") < 10 }

/// The high bit set in each byte of `word` (little-endian) that is a quote, a backslash or
/// below 0x20, exact up to the first such byte (later bytes may be marked falsely, so only the
/// lowest mark may be trusted).
@inline(__always) private func specialBytes(_ word: UInt64) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    @inline(__always) func zeroBytes(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
    let control = (word &- ones &* 0x20) & ~word & highs
    return control | zeroBytes(word ^ (ones &* 0x22)) | zeroBytes(word ^ (ones &* 0x5C))
}

@inline(__always) func hexValue(_ c: UInt8) -> UInt32? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(c - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(c - UInt8(ascii: "a") + 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(c - UInt8(ascii: "A") + 10)
    default: nil
    }
}

// MARK: Reading values

extension JSONTape {
    /// The raw bytes of a string or number entry.
    @inline(__always) func slice(_ entry: Entry) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: UnsafeBufferPointer(bytes)[Int(entry.start)..<Int(entry.end)])
    }

    /// The text of string entry `index`, unescaped; `nil` if it is not valid UTF-8.
    func string(at index: Int) -> String? {
        let entry = entries[index]
        if !entry.escaped {
            let raw = slice(entry)
            // ASCII needs no validation; `String(validating:)` costs a generic metadata lookup.
            if isASCII(raw) { return String(decoding: raw, as: UTF8.self) }
            return String(validating: raw, as: UTF8.self)
        }
        return unescaped(slice(entry))
    }

    @inline(__always) private func isASCII(_ raw: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let count = raw.count
        guard let base = raw.baseAddress else { return true }
        while i + 8 <= count {
            if UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            i += 8
        }
        while i < count {
            if base[i] & 0x80 != 0 { return false }
            i += 1
        }
        return true
    }

    /// Whether string entry `index` equals `key` (compared as UTF-8, escapes resolved).
    @inline(__always) func stringEquals(_ index: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let entry = entries[index]
        if entry.escaped { return string(at: index).map { $0.utf8.elementsEqual(key) } ?? false }
        let length = Int(entry.end - entry.start)
        guard length == key.count else { return false }
        guard length > 0 else { return true }
        let text = bytes.baseAddress! + Int(entry.start)
        // Most names that differ already differ in the first byte: skip the call to memcmp.
        guard text.pointee == key[0] else { return false }
        return memcmp(text, key.baseAddress!, length) == 0
    }

    private func unescaped(_ raw: UnsafeBufferPointer<UInt8>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        func appendScalar(_ value: UInt32) {
            guard let scalar = Unicode.Scalar(value) else {
                out.append(contentsOf: [0xEF, 0xBF, 0xBD])  // U+FFFD for a lone surrogate
                return
            }
            var utf8: [UInt8] = []
            UTF8.encode(scalar) { utf8.append($0) }
            out.append(contentsOf: utf8)
        }
        func hex4(_ at: Int) -> UInt32 {
            (0..<4).reduce(0) { $0 << 4 | (hexValue(raw[at + $1]) ?? 0) }
        }
        while i < raw.count {
            let c = raw[i]
            guard c == UInt8(ascii: "\\") else {
                out.append(c)
                i += 1
                continue
            }
            let e = raw[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                let high = hex4(i)
                i += 4
                if (0xD800..<0xDC00).contains(high), i + 5 < raw.count, raw[i] == UInt8(ascii: "\\"),
                    raw[i + 1] == UInt8(ascii: "u")
                {
                    let low = hex4(i + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        i += 6
                        appendScalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                        continue
                    }
                }
                appendScalar(high)
            default: out.append(e)  // \" \\ \/
            }
        }
        return String(validating: out, as: UTF8.self)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
