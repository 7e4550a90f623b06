#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The names of a `CodingKey` enum as UTF-8, for readers that walk an object's members once
/// and dispatch on each name instead of searching the object once per key.
struct TapeKeys<Key: CodingKey & CaseIterable>: Sendable {
    private let names: [[UInt8]]
    private let cases: [Key]

    init() {
        cases = Array(Key.allCases)
        names = cases.map { Array($0.stringValue.utf8) }
        precondition(cases.count <= 64, "TapeKeys tracks at most 64 keys")
    }

    /// The position in `Key.allCases` of the name in string entry `keyIndex`, or nil.
    @inline(__always) func position(of keyIndex: Int, in tape: JSONTape) -> Int? {
        let entry = tape.entries[keyIndex]
        if entry.escaped {
            guard let name = tape.string(at: keyIndex) else { return nil }
            return names.firstIndex { $0.elementsEqual(name.utf8) }
        }
        let length = Int(entry.end &- entry.start)
        let text = tape.bytes.baseAddress! + Int(entry.start)
        for i in names.indices where names[i].count == length {
            if names[i].withUnsafeBufferPointer({ memcmp($0.baseAddress!, text, length) == 0 }) { return i }
        }
        return nil
    }

    @inline(__always) func key(at position: Int) -> Key { cases[position] }
}

extension JSONTape {
    /// Calls `body` with each member of object `index` named in `keys`, in document order,
    /// skipping the others without reading them. A repeated name counts once (the first, as
    /// the `Decoder`-protocol path reads it).
    @inline(__always) func forEachMember<Key>(
        of index: Int, _ keys: TapeKeys<Key>, _ body: (_ key: Key, _ value: Int) throws -> Void
    ) rethrows {
        let end = Int(entries[index].end)
        var seen: UInt64 = 0
        var j = index + 1
        while j < end {
            if let position = keys.position(of: j, in: self) {
                let bit: UInt64 = 1 << UInt64(position)
                if seen & bit == 0 {
                    seen |= bit
                    try body(keys.key(at: position), j + 1)
                }
            }
            j = next(after: j + 1)
        }
    }

    /// Calls `body` with each element index of array `index`.
    @inline(__always) func forEachElement(of index: Int, _ body: (_ element: Int) throws -> Void) rethrows {
        let end = Int(entries[index].end)
        var j = index + 1
        while j < end {
            try body(j)
            j = next(after: j)
        }
    }

    /// Whether value `index` is JSON `null`.
    @inline(__always) func isNull(_ index: Int) -> Bool { entries[index].kind == .null }

    /// Value `index` as an object (its own index), or the error a keyed container would throw.
    @inline(__always) func requireObject(_ index: Int) throws -> Int {
        guard entries[index].kind == .object else { throw mismatch([String: Any].self, at: index) }
        return index
    }

    /// Value `index` as an array (its own index), or the error an unkeyed container would throw.
    @inline(__always) func requireArray(_ index: Int) throws -> Int {
        guard entries[index].kind == .array else { throw mismatch([Any].self, at: index) }
        return index
    }

    /// Value `index` as a string, nil for `null`.
    @inline(__always) func optionalString(at index: Int) throws -> String? {
        isNull(index) ? nil : try decodeString(at: index)
    }

    /// The error for a required member `name` missing from object `index`.
    func missing(_ name: String, in index: Int) -> DecodingError {
        DecodingError.keyNotFound(
            TapeKey(stringValue: name),
            DecodingError.Context(
                codingPath: codingPath(to: index), debugDescription: "No value associated with key \"\(name)\"."))
    }
}
