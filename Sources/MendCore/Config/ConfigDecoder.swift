import Foundation

/// Decodes a ``ConfigNode`` tree strictly: every mapping key must be read by the target type
/// (unknown fields are errors), scalars convert only when they really are that type, and every
/// error carries the file position and dotted field path.
struct ConfigDecoder {
    func decode<T: Decodable>(_ type: T.Type, from root: ConfigNode) throws(ConfigError) -> T {
        let state = DecodingState()
        let value: T
        do {
            value = try NodeDecoder(node: root, path: [], state: state).decodeValue(T.self)
        } catch let error as ConfigError {
            throw error
        } catch {
            throw .invalidValue(location: root.location, path: "(root)", value: root.display, expected: "\(error)")
        }
        try state.checkUnknownFields(in: root, path: [])
        return value
    }
}

/// What the decoder saw: which keys were asked for at each mapping path.
final class DecodingState {
    /// Mapping path → the keys the target type read or asked about there.
    var asked: [String: Set<String>] = [:]
    /// Mapping paths the type consumed whole through `allKeys` (dictionaries).
    var consumedWhole: Set<String> = []

    func ask(_ key: String, at path: [String]) { asked[joinFieldPath(path), default: []].insert(key) }

    /// Throws for the first mapping key (in document order) that nothing asked for.
    func checkUnknownFields(in node: ConfigNode, path: [String]) throws(ConfigError) {
        switch node {
        case .mapping(let pairs, _):
            let here = joinFieldPath(path)
            // A mapping that was never looked into belongs to a field the type decoded as a whole
            // value (or to an unknown parent, reported above); skip it.
            guard let known = asked[here] ?? (consumedWhole.contains(here) ? [] : nil) else { return }
            for (key, value) in pairs {
                if !consumedWhole.contains(here) && !known.contains(key) {
                    throw .unknownField(
                        location: value.location, path: joinFieldPath(path + [key]), suggestion: Self.closest(key, in: known))
                }
                try checkUnknownFields(in: value, path: path + [key])
            }
        case .sequence(let items, _):
            for (index, item) in items.enumerated() { try checkUnknownFields(in: item, path: path + ["[\(index)]"]) }
        case .scalar: return
        }
    }

    /// The known key nearest to `key` (case-insensitive edit distance ≤ 3), for "did you mean".
    static func closest(_ key: String, in known: Set<String>) -> String? {
        let lowered = Array(key.lowercased())
        var best: (String, Int)?
        for candidate in known.sorted() {
            let distance = editDistance(lowered, Array(candidate.lowercased()))
            if distance <= max(1, min(3, candidate.count / 3)), distance < (best?.1 ?? .max) { best = (candidate, distance) }
        }
        return best?.0
    }

    private static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) {
        self.stringValue = "[\(intValue)]"
        self.intValue = intValue
    }
}

private struct NodeDecoder: Decoder {
    let node: ConfigNode
    let path: [String]
    let state: DecodingState

    var codingPath: [any CodingKey] { path.map { AnyKey(stringValue: $0) } }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    var pathText: String { path.isEmpty ? "(root)" : joinFieldPath(path) }

    func wrongType(_ expected: String) -> ConfigError {
        .wrongType(location: node.location, path: pathText, value: node.display, expected: expected)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .mapping(let pairs, _) = node else { throw wrongType("a mapping of fields") }
        if state.asked[joinFieldPath(path)] == nil { state.asked[joinFieldPath(path)] = [] }
        return KeyedDecodingContainer(KeyedNodeContainer<Key>(decoder: self, pairs: pairs))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .sequence(let items, _) = node else { throw wrongType("a list") }
        return UnkeyedNodeContainer(decoder: self, items: items)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleNodeContainer(decoder: self) }

    func child(_ node: ConfigNode, _ segment: String) -> NodeDecoder {
        NodeDecoder(node: node, path: path + [segment], state: state)
    }

    // MARK: Scalars

    func scalarText(_ expected: String) throws -> String {
        guard case .scalar(let text, _, _) = node, !node.isNull else { throw wrongType(expected) }
        return text
    }

    func decodeBool() throws -> Bool {
        switch try scalarText("true or false") {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: throw wrongType("true or false")
        }
    }

    func decodeInteger<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let expected = T.isSigned ? "an integer" : "a non-negative integer"
        let text = try scalarText(expected).replacingOccurrences(of: "_", with: "")
        guard case .scalar(_, true, _) = node, let value = T(text, radix: 10) else {
            if case .scalar(_, true, _) = node, Int64(text) != nil || Double(text) != nil {
                throw ConfigError.invalidValue(
                    location: node.location, path: pathText, value: node.display,
                    expected: "\(expected) between \(T.min) and \(T.max)")
            }
            throw wrongType(expected)
        }
        return value
    }

    func decodeFloat() throws -> Double {
        let text = try scalarText("a number")
        guard case .scalar(_, true, _) = node, let value = Double(text), value.isFinite else { throw wrongType("a number") }
        return value
    }

    /// Decodes any `Decodable`, turning value-type complaints into located config errors.
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        switch type {
        case is String.Type: return try scalarText("text") as! T
        case is Bool.Type: return try decodeBool() as! T
        case is Int.Type: return try decodeInteger(Int.self) as! T
        case is Int32.Type: return try decodeInteger(Int32.self) as! T
        case is Int64.Type: return try decodeInteger(Int64.self) as! T
        case is UInt.Type: return try decodeInteger(UInt.self) as! T
        case is UInt16.Type: return try decodeInteger(UInt16.self) as! T
        case is UInt32.Type: return try decodeInteger(UInt32.self) as! T
        case is Double.Type: return try decodeFloat() as! T
        case is Float.Type: return Float(try decodeFloat()) as! T
        default: break
        }
        do {
            return try T(from: self)
        } catch let error as ConfigError {
            // A value type read as text (a duration, an enum) says what it accepts, not "text".
            if case .wrongType(let location, let path, let value, _) = error, path == pathText,
                let expected = Self.knownExpectation(for: T.self)
            {
                throw ConfigError.wrongType(location: location, path: path, value: value, expected: expected)
            }
            throw error
        } catch let error as ConfigValueError {
            throw ConfigError.invalidValue(location: node.location, path: pathText, value: node.display, expected: error.expected)
        } catch let error as DecodingError {
            throw ConfigError.invalidValue(
                location: node.location, path: pathText, value: node.display, expected: Self.expectation(for: T.self, error))
        } catch let error as any CustomStringConvertible {
            throw ConfigError.invalidValue(location: node.location, path: pathText, value: node.display, expected: error.description)
        }
    }

    /// What a value type accepts: its ``ConfigScalar/expectation``, or for enums with raw
    /// values "one of: a, b, c".
    static func knownExpectation<T>(for type: T.Type) -> String? {
        if let scalar = type as? any ConfigScalar.Type { return scalar.expectation }
        if let cases = type as? any (CaseIterable & RawRepresentable).Type {
            let names = Self.rawNames(cases)
            if !names.isEmpty { return "one of: " + names.joined(separator: ", ") }
        }
        return nil
    }

    /// ``knownExpectation(for:)``, or else the decoding error's own text.
    static func expectation<T>(for type: T.Type, _ error: DecodingError) -> String {
        if let known = knownExpectation(for: type) { return known }
        switch error {
        case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context),
            .keyNotFound(_, let context):
            return context.debugDescription
        @unknown default: return "\(error)"
        }
    }

    private static func rawNames<C: CaseIterable & RawRepresentable>(_ type: C.Type) -> [String] {
        C.allCases.map { "\($0.rawValue)" }
    }
}

private struct KeyedNodeContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: NodeDecoder
    let pairs: [(key: String, value: ConfigNode)]

    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] {
        decoder.state.consumedWhole.insert(joinFieldPath(decoder.path))
        return pairs.compactMap { Key(stringValue: $0.key) }
    }

    private func value(_ key: Key) -> ConfigNode? {
        decoder.state.ask(key.stringValue, at: decoder.path)
        return pairs.first { $0.key == key.stringValue }?.value
    }

    func contains(_ key: Key) -> Bool { value(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { value(key)?.isNull ?? true }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        guard let node = value(key) else {
            throw ConfigError.missingField(
                location: decoder.node.location, path: joinFieldPath(decoder.path + [key.stringValue]))
        }
        return try decoder.child(node, key.stringValue).decodeValue(T.self)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let node = value(key), !node.isNull else { return nil }
        return try decoder.child(node, key.stringValue).decodeValue(T.self)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        guard let node = value(key) else {
            throw ConfigError.missingField(location: decoder.node.location, path: joinFieldPath(decoder.path + [key.stringValue]))
        }
        return try decoder.child(node, key.stringValue).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        guard let node = value(key) else {
            throw ConfigError.missingField(location: decoder.node.location, path: joinFieldPath(decoder.path + [key.stringValue]))
        }
        return try decoder.child(node, key.stringValue).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> any Decoder {
        decoder.child(value(key) ?? .mapping([], decoder.node.location), key.stringValue)
    }
}

private struct UnkeyedNodeContainer: UnkeyedDecodingContainer {
    let decoder: NodeDecoder
    let items: [ConfigNode]
    var currentIndex = 0

    init(decoder: NodeDecoder, items: [ConfigNode]) {
        self.decoder = decoder
        self.items = items
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    private mutating func next() throws -> NodeDecoder {
        guard !isAtEnd else {
            throw ConfigError.missingField(location: decoder.node.location, path: decoder.pathText + "[\(currentIndex)]")
        }
        defer { currentIndex += 1 }
        return decoder.child(items[currentIndex], "[\(currentIndex)]")
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex].isNull else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decodeValue(T.self) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    { try next().container(keyedBy: type) }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }

    mutating func superDecoder() throws -> any Decoder { try next() }
}

private struct SingleNodeContainer: SingleValueDecodingContainer {
    let decoder: NodeDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.node.isNull }
    func decode(_ type: Bool.Type) throws -> Bool { try decoder.decodeBool() }
    func decode(_ type: String.Type) throws -> String { try decoder.scalarText("text") }
    func decode(_ type: Double.Type) throws -> Double { try decoder.decodeFloat() }
    func decode(_ type: Float.Type) throws -> Float { Float(try decoder.decodeFloat()) }
    func decode(_ type: Int.Type) throws -> Int { try decoder.decodeInteger(Int.self) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoder.decodeInteger(Int8.self) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoder.decodeInteger(Int16.self) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.decodeInteger(Int32.self) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.decodeInteger(Int64.self) }
    func decode(_ type: UInt.Type) throws -> UInt { try decoder.decodeInteger(UInt.self) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.decodeInteger(UInt8.self) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.decodeInteger(UInt16.self) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.decodeInteger(UInt32.self) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.decodeInteger(UInt64.self) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeValue(T.self) }
}
