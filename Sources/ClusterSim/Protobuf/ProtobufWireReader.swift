/// Reads the protocol buffers wire format: varints, length-delimited fields, fixed 32/64-bit.
///
/// Only what Kubernetes request bodies use; no reflection, no generated code.
struct ProtobufWireReader {
    enum WireType: UInt8 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case fixed32 = 5
    }

    /// One decoded field.
    enum Value {
        case varint(UInt64)
        case bytes(ArraySlice<UInt8>)
        case fixed64(UInt64)
        case fixed32(UInt32)
    }

    private let bytes: ArraySlice<UInt8>
    private var index: ArraySlice<UInt8>.Index

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.index = bytes.startIndex
    }

    var isAtEnd: Bool { index >= bytes.endIndex }

    /// The next field's number and value, or `nil` at the end of the message.
    mutating func next() throws(ProtobufDecodingError) -> (number: Int, value: Value)? {
        guard !isAtEnd else { return nil }
        let key = try readVarint()
        let number = Int(key >> 3)
        guard number > 0 else { throw .malformed("field number 0 at byte \(index - bytes.startIndex)") }
        guard let wireType = WireType(rawValue: UInt8(key & 7)) else {
            throw .malformed("unsupported wire type \(key & 7) for field \(number)")
        }
        switch wireType {
        case .varint:
            return (number, .varint(try readVarint()))
        case .lengthDelimited:
            let length = try readVarint()
            guard length <= UInt64(bytes.endIndex - index) else {
                throw .malformed("field \(number) claims \(length) bytes, only \(bytes.endIndex - index) remain")
            }
            let end = index + Int(length)
            defer { index = end }
            return (number, .bytes(bytes[index..<end]))
        case .fixed64:
            return (number, .fixed64(try readFixed(count: 8)))
        case .fixed32:
            return (number, .fixed32(UInt32(try readFixed(count: 4))))
        }
    }

    private mutating func readVarint() throws(ProtobufDecodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard index < bytes.endIndex else { throw .malformed("truncated varint") }
            let byte = bytes[index]
            index += 1
            guard shift < 64 else { throw .malformed("varint longer than 10 bytes") }
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    private mutating func readFixed(count: Int) throws(ProtobufDecodingError) -> UInt64 {
        guard bytes.endIndex - index >= count else { throw .malformed("truncated fixed-width field") }
        var result: UInt64 = 0
        for offset in 0..<count { result |= UInt64(bytes[index + offset]) << (8 * UInt64(offset)) }
        index += count
        return result
    }
}

/// Why a protobuf request body could not be turned into JSON.
enum ProtobufDecodingError: Error, Equatable, CustomStringConvertible {
    /// The bytes are not valid protobuf (or not the Kubernetes envelope).
    case malformed(String)
    /// The envelope names a kind ClusterSim has no protobuf schema for.
    case unsupportedKind(apiVersion: String, kind: String)

    var description: String {
        switch self {
        case .malformed(let detail):
            return "the protobuf body is malformed: \(detail)"
        case .unsupportedKind(let apiVersion, let kind):
            return "ClusterSim cannot decode \(apiVersion) \(kind) from protobuf; send it as JSON or YAML "
                + "(for example with `kubectl create -f`)"
        }
    }
}
