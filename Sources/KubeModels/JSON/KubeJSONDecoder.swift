#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A JSON decoder for Kubernetes payloads, several times faster than Foundation's
/// `JSONDecoder` for the same `Decodable` types and with the same results.
///
/// The text is parsed once into a flat tape (see ``JSONTape``) and `Decodable` types read it
/// through the standard `Decoder` protocol; members a type does not ask for are skipped
/// without being materialized, and ``JSONValue`` members are built straight from the tape.
/// Errors are the usual `DecodingError`s with coding paths; malformed text is a
/// `DecodingError.dataCorrupted` whose underlying error is a ``JSONSyntaxError`` naming the byte.
///
/// Number rules follow `JSONDecoder`: integers decode into any integer type they fit; a
/// number with a fraction or exponent decodes into an integer type only when it is exact.
public struct KubeJSONDecoder: Sendable {
    public init() {}

    /// Decodes `type` from UTF-8 JSON text.
    public func decode<T: Decodable, Bytes: Collection<UInt8>>(_ type: T.Type, from bytes: Bytes) throws -> T {
        let tape: JSONTape
        do {
            tape = try JSONTape(parsing: bytes)
        } catch {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: [], debugDescription: "The given data was not valid JSON (\(error)).",
                    underlyingError: error))
        }
        return try tape.decode(T.self, at: 0)
    }
}

// MARK: Typed reads with fast paths

extension JSONTape {
    /// Decodes value `index` as `T`, reading common leaf types straight from the tape.
    func decode<T: Decodable>(_ type: T.Type, at index: Int) throws -> T {
        guard fastPaths else { return try T(from: TapeDecoder(tape: self, index: index)) }
        // Compared by identity against cached metatypes: spelling `[String: String].self` here
        // (unspecialized) would look the generic metadata up in the runtime on every call.
        let id = ObjectIdentifier(T.self)
        if id == FastPathTypes.string { return unsafeBitCast(try decodeString(at: index), to: T.self) }
        if id == FastPathTypes.jsonValue { return unsafeBitCast(try jsonValue(at: index), to: T.self) }
        if id == FastPathTypes.stringMap { return unsafeBitCast(try stringMap(at: index), to: T.self) }
        if id == FastPathTypes.int { return unsafeBitCast(try integer(Int.self, at: index), to: T.self) }
        if id == FastPathTypes.int64 { return unsafeBitCast(try integer(Int64.self, at: index), to: T.self) }
        if id == FastPathTypes.int32 { return unsafeBitCast(try integer(Int32.self, at: index), to: T.self) }
        if id == FastPathTypes.bool { return unsafeBitCast(try bool(at: index), to: T.self) }
        if id == FastPathTypes.stringArray { return unsafeBitCast(try stringArray(at: index), to: T.self) }
        if id == FastPathTypes.jsonArray { return unsafeBitCast(try jsonArray(at: index), to: T.self) }
        if id == FastPathTypes.jsonObject { return unsafeBitCast(try jsonObject(at: index), to: T.self) }
        if id == FastPathTypes.podSummary { return unsafeBitCast(try podSummary(at: index), to: T.self) }
        if id == FastPathTypes.quantity { return unsafeBitCast(try quantity(at: index), to: T.self) }
        if id == FastPathTypes.quantityMap { return unsafeBitCast(try quantities(at: index), to: T.self) }
        if id == FastPathTypes.pod { return unsafeBitCast(try pod(at: index), to: T.self) }
        if id == FastPathTypes.podArray { return unsafeBitCast(try array(at: index, pod), to: T.self) }
        if id == FastPathTypes.objectMeta { return unsafeBitCast(try objectMeta(at: index), to: T.self) }
        if id == FastPathTypes.kubeTime { return unsafeBitCast(try kubeTime(at: index), to: T.self) }
        return try T(from: TapeDecoder(tape: self, index: index))
    }

    func kindName(_ index: Int) -> String {
        switch entries[index].kind {
        case .null: "null"
        case .true, .false: "bool"
        case .integer, .number: "number"
        case .string: "a string"
        case .array: "an array"
        case .object: "a dictionary"
        }
    }

    func mismatch<T>(_ type: T.Type, at index: Int) -> DecodingError {
        if entries[index].kind == .null {
            return DecodingError.valueNotFound(
                T.self,
                DecodingError.Context(
                    codingPath: codingPath(to: index),
                    debugDescription: "Cannot get value of type \(T.self) -- found null value instead"))
        }
        return DecodingError.typeMismatch(
            T.self,
            DecodingError.Context(
                codingPath: codingPath(to: index),
                debugDescription: "Expected to decode \(T.self) but found \(kindName(index)) instead."))
    }

    func corrupted(_ description: String, at index: Int) -> DecodingError {
        DecodingError.dataCorrupted(DecodingError.Context(codingPath: codingPath(to: index), debugDescription: description))
    }

    func decodeString(at index: Int) throws -> String {
        guard entries[index].kind == .string else { throw mismatch(String.self, at: index) }
        guard let s = string(at: index) else { throw corrupted("Invalid UTF-8 in a string.", at: index) }
        return s
    }

    func bool(at index: Int) throws -> Bool {
        switch entries[index].kind {
        case .true: return true
        case .false: return false
        default: throw mismatch(Bool.self, at: index)
        }
    }

    func integer<I: FixedWidthInteger>(_ type: I.Type, at index: Int) throws -> I {
        let entry = entries[index]
        switch entry.kind {
        case .integer:
            let raw = slice(entry)
            var i = 0
            let negative = raw[0] == UInt8(ascii: "-")
            if negative { i = 1 }
            var value: I = 0
            var overflow = false
            while i < raw.count {
                let digit = I(truncatingIfNeeded: raw[i] &- UInt8(ascii: "0"))
                let (times, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
                value = sum
                if o1 || o2 {
                    overflow = true
                    break
                }
                i += 1
            }
            if !overflow { return value }
            throw corrupted(
                "Number \(String(decoding: raw, as: UTF8.self)) is not representable in Swift.", at: index)
        case .number:
            let text = String(decoding: slice(entry), as: UTF8.self)
            if let d = Double(text), d.rounded(.towardZero) == d, let exact = I(exactly: d) { return exact }
            throw corrupted("Number \(text) is not representable in Swift.", at: index)
        default:
            throw mismatch(I.self, at: index)
        }
    }

    func double(at index: Int) throws -> Double {
        let entry = entries[index]
        guard entry.kind == .integer || entry.kind == .number else { throw mismatch(Double.self, at: index) }
        let text = String(decoding: slice(entry), as: UTF8.self)
        guard let d = Double(text), d.isFinite else {
            throw corrupted("Number \(text) is not representable in Swift.", at: index)
        }
        return d
    }

    /// The key entries and value indexes of object `index`, in order.
    @inline(__always) func forEachMember(of index: Int, _ body: (_ key: Int, _ value: Int) throws -> Void) rethrows {
        let end = Int(entries[index].end)
        var j = index + 1
        while j < end {
            try body(j, j + 1)
            j = next(after: j + 1)
        }
    }

    /// The value index of member `key` in object `index`, or nil. (Should a name repeat, the
    /// first one is used; the API server never repeats one.)
    func member(of index: Int, key: UnsafeBufferPointer<UInt8>) -> Int? {
        let end = Int(entries[index].end)
        var j = index + 1
        while j < end {
            if stringEquals(j, key) { return j + 1 }
            j = next(after: j + 1)
        }
        return nil
    }

    func member(of index: Int, key: String) -> Int? {
        var key = key
        return key.withUTF8 { member(of: index, key: $0) }
    }

    func stringMap(at index: Int) throws -> [String: String] {
        guard entries[index].kind == .object else { throw mismatch([String: String].self, at: index) }
        var map = [String: String](minimumCapacity: Int(entries[index].start))
        try forEachMember(of: index) { key, value in map[try decodeString(at: key)] = try decodeString(at: value) }
        return map
    }

    func stringArray(at index: Int) throws -> [String] {
        guard entries[index].kind == .array else { throw mismatch([String].self, at: index) }
        var out: [String] = []
        out.reserveCapacity(Int(entries[index].start))
        var j = index + 1
        let end = Int(entries[index].end)
        while j < end {
            out.append(try decodeString(at: j))
            j = next(after: j)
        }
        return out
    }

    func jsonArray(at index: Int) throws -> [JSONValue] {
        guard entries[index].kind == .array else { throw mismatch([JSONValue].self, at: index) }
        var out: [JSONValue] = []
        out.reserveCapacity(Int(entries[index].start))
        var j = index + 1
        let end = Int(entries[index].end)
        while j < end {
            out.append(try jsonValue(at: j))
            j = next(after: j)
        }
        return out
    }

    func jsonObject(at index: Int) throws -> [String: JSONValue] {
        guard entries[index].kind == .object else { throw mismatch([String: JSONValue].self, at: index) }
        var members = [String: JSONValue](minimumCapacity: Int(entries[index].start))
        try forEachMember(of: index) { key, value in members[try decodeString(at: key)] = try jsonValue(at: value) }
        return members
    }

    /// Value `index` as a ``JSONValue`` (integers that fit `Int64` stay integers).
    func jsonValue(at index: Int) throws -> JSONValue {
        switch entries[index].kind {
        case .null: return .null
        case .true: return .bool(true)
        case .false: return .bool(false)
        case .string: return .string(try decodeString(at: index))
        case .integer:
            if let i = try? integer(Int64.self, at: index) { return .int(i) }
            return .double(try double(at: index))
        case .number:
            // JSONDecoder hands `1.0` or `1e3` to Int64 when exact; JSONValue keeps that.
            if let i = try? integer(Int64.self, at: index) { return .int(i) }
            return .double(try double(at: index))
        case .array: return .array(try jsonArray(at: index))
        case .object: return .object(try jsonObject(at: index))
        }
    }

    /// The coding path from the root to value `target` (computed only when an error needs it:
    /// a walk down from the root that skips each sibling container in one step).
    func codingPath(to target: Int) -> [any CodingKey] {
        var path: [any CodingKey] = []
        var container = 0
        descending: while container != target {
            let entry = entries[container]
            let end = Int(entry.end)
            guard entry.kind == .object || entry.kind == .array, target < end else { break }
            var j = container + 1
            var ordinal = 0
            while j < end {
                if entry.kind == .object {
                    // A member: its name at `j`, its value at `j + 1`.
                    let after = next(after: j + 1)
                    if target < after {
                        path.append(TapeKey(stringValue: string(at: j) ?? ""))
                        if target == j { break descending }  // the member name itself
                        container = j + 1
                        continue descending
                    }
                    j = after
                } else {
                    let after = next(after: j)
                    if target < after {
                        path.append(TapeKey(intValue: ordinal))
                        container = j
                        continue descending
                    }
                    j = after
                    ordinal += 1
                }
            }
            break
        }
        return path
    }
}

/// The types ``JSONTape/decode(_:at:)`` reads without the `Decoder` protocol.
private enum FastPathTypes {
    static let string = ObjectIdentifier(String.self)
    static let jsonValue = ObjectIdentifier(JSONValue.self)
    static let stringMap = ObjectIdentifier([String: String].self)
    static let int = ObjectIdentifier(Int.self)
    static let int64 = ObjectIdentifier(Int64.self)
    static let int32 = ObjectIdentifier(Int32.self)
    static let bool = ObjectIdentifier(Bool.self)
    static let stringArray = ObjectIdentifier([String].self)
    static let jsonArray = ObjectIdentifier([JSONValue].self)
    static let jsonObject = ObjectIdentifier([String: JSONValue].self)
    static let podSummary = ObjectIdentifier(PodSummary.self)
    static let quantity = ObjectIdentifier(Quantity.self)
    static let quantityMap = ObjectIdentifier([String: Quantity].self)
    static let pod = ObjectIdentifier(Pod.self)
    static let podArray = ObjectIdentifier([Pod].self)
    static let objectMeta = ObjectIdentifier(ObjectMeta.self)
    static let kubeTime = ObjectIdentifier(KubeTime.self)
}

/// A coding key for paths and `superDecoder`.
struct TapeKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }

    init(intValue: Int) {
        self.stringValue = "Index \(intValue)"
        self.intValue = intValue
    }

    static let `super` = TapeKey(stringValue: "super")
}

// MARK: The Decoder

struct TapeDecoder: Decoder, SingleValueDecodingContainer {
    let tape: JSONTape
    let index: Int

    var codingPath: [any CodingKey] { tape.codingPath(to: index) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard tape.entries[index].kind == .object else { throw tape.mismatch([String: Any].self, at: index) }
        return KeyedDecodingContainer(TapeKeyedContainer<Key>(tape: tape, index: index))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard tape.entries[index].kind == .array else { throw tape.mismatch([Any].self, at: index) }
        return TapeUnkeyedContainer(tape: tape, index: index)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { tape.entries[index].kind == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try tape.bool(at: index) }
    func decode(_ type: String.Type) throws -> String { try tape.decodeString(at: index) }
    func decode(_ type: Double.Type) throws -> Double { try tape.double(at: index) }
    func decode(_ type: Float.Type) throws -> Float { Float(try tape.double(at: index)) }
    func decode(_ type: Int.Type) throws -> Int { try tape.integer(Int.self, at: index) }
    func decode(_ type: Int8.Type) throws -> Int8 { try tape.integer(Int8.self, at: index) }
    func decode(_ type: Int16.Type) throws -> Int16 { try tape.integer(Int16.self, at: index) }
    func decode(_ type: Int32.Type) throws -> Int32 { try tape.integer(Int32.self, at: index) }
    func decode(_ type: Int64.Type) throws -> Int64 { try tape.integer(Int64.self, at: index) }
    func decode(_ type: UInt.Type) throws -> UInt { try tape.integer(UInt.self, at: index) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try tape.integer(UInt8.self, at: index) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try tape.integer(UInt16.self, at: index) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try tape.integer(UInt32.self, at: index) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try tape.integer(UInt64.self, at: index) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try tape.decode(T.self, at: index) }
}

struct TapeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let tape: JSONTape
    let index: Int
    /// One bit per (length, first byte) of the object's member names: most keys a type asks
    /// for but the object lacks (its optional members) are ruled out without a scan.
    private let names: UInt64

    init(tape: JSONTape, index: Int) {
        self.tape = tape
        self.index = index
        var names: UInt64 = 0
        let end = Int(tape.entries[index].end)
        var j = index + 1
        while j < end {
            let entry = tape.entries[j]
            // Escaped names are compared unescaped, so they must never rule a key out.
            names |= entry.escaped ? ~0 : Self.bit(length: Int(entry.end &- entry.start), first: tape.bytes[Int(entry.start)])
            j = tape.next(after: j + 1)
        }
        self.names = names
    }

    @inline(__always) private static func bit(length: Int, first: UInt8) -> UInt64 {
        1 &<< UInt64((length &* 7 &+ Int(first)) & 63)
    }

    var codingPath: [any CodingKey] { tape.codingPath(to: index) }

    var allKeys: [Key] {
        var keys: [Key] = []
        tape.forEachMember(of: index) { key, _ in
            if let name = tape.string(at: key), let k = Key(stringValue: name) { keys.append(k) }
        }
        return keys
    }

    @inline(__always) func find(_ key: Key) -> Int? {
        var name = key.stringValue
        return name.withUTF8 { utf8 in
            if names != ~0, utf8.count > 0, names & Self.bit(length: utf8.count, first: utf8[0]) == 0 { return nil }
            return tape.member(of: index, key: utf8)
        }
    }

    func require(_ key: Key) throws -> Int {
        guard let value = find(key) else {
            throw DecodingError.keyNotFound(
                key,
                DecodingError.Context(
                    codingPath: codingPath,
                    debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\")."))
        }
        return value
    }

    func contains(_ key: Key) -> Bool { find(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { tape.entries[try require(key)].kind == .null }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try tape.bool(at: try require(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try tape.decodeString(at: try require(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try tape.double(at: try require(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try tape.double(at: try require(key))) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try tape.integer(Int.self, at: try require(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try tape.integer(Int8.self, at: try require(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 {
        try tape.integer(Int16.self, at: try require(key))
    }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 {
        try tape.integer(Int32.self, at: try require(key))
    }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 {
        try tape.integer(Int64.self, at: try require(key))
    }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try tape.integer(UInt.self, at: try require(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 {
        try tape.integer(UInt8.self, at: try require(key))
    }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
        try tape.integer(UInt16.self, at: try require(key))
    }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
        try tape.integer(UInt32.self, at: try require(key))
    }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
        try tape.integer(UInt64.self, at: try require(key))
    }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try tape.decode(T.self, at: try require(key)) }

    /// The value index of `key` unless it is absent or null.
    @inline(__always) private func present(_ key: Key) -> Int? {
        guard let value = find(key), tape.entries[value].kind != .null else { return nil }
        return value
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        try present(key).map { try tape.bool(at: $0) }
    }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        try present(key).map { try tape.decodeString(at: $0) }
    }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        try present(key).map { try tape.double(at: $0) }
    }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        try present(key).map { try tape.integer(Int.self, at: $0) }
    }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? {
        try present(key).map { try tape.integer(Int32.self, at: $0) }
    }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? {
        try present(key).map { try tape.integer(Int64.self, at: $0) }
    }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try present(key).map { try tape.decode(T.self, at: $0) }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try TapeDecoder(tape: tape, index: try require(key)).container(keyedBy: NestedKey.self)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try TapeDecoder(tape: tape, index: try require(key)).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        guard let value = tape.member(of: index, key: "super") else {
            throw DecodingError.keyNotFound(
                TapeKey.super, DecodingError.Context(codingPath: codingPath, debugDescription: "No value for key super."))
        }
        return TapeDecoder(tape: tape, index: value)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder { TapeDecoder(tape: tape, index: try require(key)) }
}

struct TapeUnkeyedContainer: UnkeyedDecodingContainer {
    let tape: JSONTape
    let index: Int
    /// The tape index of the next element.
    private var position: Int
    private let end: Int
    private(set) var currentIndex = 0

    init(tape: JSONTape, index: Int) {
        self.tape = tape
        self.index = index
        self.position = index + 1
        self.end = Int(tape.entries[index].end)
    }

    var codingPath: [any CodingKey] { tape.codingPath(to: index) }
    var count: Int? { Int(tape.entries[index].start) }
    var isAtEnd: Bool { position >= end }

    private mutating func take<T>(_ type: T.Type) throws -> Int {
        guard position < end else {
            throw DecodingError.valueNotFound(
                T.self,
                DecodingError.Context(
                    codingPath: codingPath + [TapeKey(intValue: currentIndex)],
                    debugDescription: "Unkeyed container is at end."))
        }
        let value = position
        return value
    }

    /// Reads element at the cursor with `read`, advancing only when it succeeds (as JSONDecoder does).
    private mutating func next<T>(_ type: T.Type, _ read: (JSONTape, Int) throws -> T) throws -> T {
        let value = try take(T.self)
        let result = try read(tape, value)
        position = tape.next(after: value)
        currentIndex += 1
        return result
    }

    mutating func decodeNil() throws -> Bool {
        let value = try take(Never?.self)
        guard tape.entries[value].kind == .null else { return false }
        position = value + 1
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(Bool.self) { try $0.bool(at: $1) } }
    mutating func decode(_ type: String.Type) throws -> String {
        try next(String.self) { try $0.decodeString(at: $1) }
    }
    mutating func decode(_ type: Double.Type) throws -> Double { try next(Double.self) { try $0.double(at: $1) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try next(Float.self) { Float(try $0.double(at: $1)) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try next(Int.self) { try $0.integer(Int.self, at: $1) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next(Int8.self) { try $0.integer(Int8.self, at: $1) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 {
        try next(Int16.self) { try $0.integer(Int16.self, at: $1) }
    }
    mutating func decode(_ type: Int32.Type) throws -> Int32 {
        try next(Int32.self) { try $0.integer(Int32.self, at: $1) }
    }
    mutating func decode(_ type: Int64.Type) throws -> Int64 {
        try next(Int64.self) { try $0.integer(Int64.self, at: $1) }
    }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next(UInt.self) { try $0.integer(UInt.self, at: $1) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 {
        try next(UInt8.self) { try $0.integer(UInt8.self, at: $1) }
    }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 {
        try next(UInt16.self) { try $0.integer(UInt16.self, at: $1) }
    }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 {
        try next(UInt32.self) { try $0.integer(UInt32.self, at: $1) }
    }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 {
        try next(UInt64.self) { try $0.integer(UInt64.self, at: $1) }
    }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next(T.self) { try $0.decode(T.self, at: $1) } }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try next(KeyedDecodingContainer<NestedKey>.self) {
            try TapeDecoder(tape: $0, index: $1).container(keyedBy: NestedKey.self)
        }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next((any UnkeyedDecodingContainer).self) { try TapeDecoder(tape: $0, index: $1).unkeyedContainer() }
    }

    mutating func superDecoder() throws -> any Decoder {
        try next((any Decoder).self) { TapeDecoder(tape: $0, index: $1) }
    }
}
