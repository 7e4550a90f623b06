import Foundation
import KubeModels

/// Turns Kubernetes protobuf request bodies into JSON objects.
///
/// kubectl 1.32 sends some typed creates (`kubectl create namespace`, `kubectl create configmap`,
/// ...) as `application/vnd.kubernetes.protobuf` and does not fall back to JSON on a 415, so
/// ClusterSim accepts protobuf for the kinds such commands send. The body is the 4-byte magic
/// `k8s\0` followed by a `runtime.Unknown` envelope (typeMeta = 1, raw = 2), whose `raw` bytes are
/// the object in the schema of `k8s.io/api`. Schemas here cover the kinds listed in
/// ``KubernetesProtobuf/supportedKinds``; anything else is a clear 415.
///
/// The Go encoder writes every non-pointer field, even when empty; JSON omits those
/// (`omitempty`), so empty strings, zero numbers, `false` and empty maps/lists are dropped unless
/// a field is a pointer in Go (``ProtoField/keepZero``).
enum KubernetesProtobuf {
    /// The magic prefix of every Kubernetes protobuf body.
    static let magic: [UInt8] = [0x6b, 0x38, 0x73, 0x00]

    /// `apiVersion/kind` pairs ClusterSim can decode.
    static var supportedKinds: [String] { schemas.keys.sorted() }

    /// Decodes a protobuf request body into the JSON object it stands for.
    static func decode(_ body: [UInt8]) throws(ProtobufDecodingError) -> JSONValue {
        guard body.count >= magic.count, Array(body.prefix(magic.count)) == magic else {
            throw .malformed("the body does not start with the Kubernetes protobuf prefix")
        }
        var envelope = ProtobufWireReader(body[magic.count...])
        var apiVersion = ""
        var kind = ""
        var raw: ArraySlice<UInt8>?
        while let field = try envelope.next() {
            switch (field.number, field.value) {
            case (1, .bytes(let typeMetaBytes)):
                var typeMeta = ProtobufWireReader(typeMetaBytes)
                while let member = try typeMeta.next() {
                    if case .bytes(let text) = member.value {
                        if member.number == 1 { apiVersion = try string(text) }
                        if member.number == 2 { kind = try string(text) }
                    }
                }
            case (2, .bytes(let object)):
                raw = object
            case (3, .bytes(let encoding)) where !encoding.isEmpty:
                throw .malformed("content encoding '\(try string(encoding))' is not supported")
            default:
                continue
            }
        }
        guard let raw else { throw .malformed("the envelope carries no object") }
        guard let schema = schemas["\(apiVersion)/\(kind)"] else {
            throw .unsupportedKind(apiVersion: apiVersion, kind: kind)
        }
        var object = try decodeMessage(raw, schema: schema)
        object["apiVersion"] = .string(apiVersion)
        object["kind"] = .string(kind)
        return .object(object)
    }

    // MARK: Decoding

    private static func decodeMessage(_ bytes: ArraySlice<UInt8>, schema: ProtoSchema) throws(ProtobufDecodingError) -> [String: JSONValue] {
        var reader = ProtobufWireReader(bytes)
        var result: [String: JSONValue] = [:]
        while let field = try reader.next() {
            guard let spec = schema.fields[field.number] else { continue }  // unknown: skip like Go does
            switch spec.type {
            case .repeated(let element):
                let value = try decodeValue(field.value, type: element, field: spec.name)
                var list = result[spec.name]?.arrayValue ?? []
                list.append(value)
                result[spec.name] = .array(list)
            case .map(let valueType):
                guard case .bytes(let entryBytes) = field.value else { throw .malformed("map \(spec.name) entry is not a message") }
                var entry = ProtobufWireReader(entryBytes)
                var key = ""
                var value: JSONValue = valueType.zero
                while let member = try entry.next() {
                    if member.number == 1, case .bytes(let text) = member.value { key = try string(text) }
                    if member.number == 2 { value = try decodeValue(member.value, type: valueType, field: spec.name) }
                }
                var map = result[spec.name]?.objectValue ?? [:]
                map[key] = value
                result[spec.name] = .object(map)
            default:
                result[spec.name] = try decodeValue(field.value, type: spec.type, field: spec.name)
            }
        }
        // Drop what Go's JSON encoder would omit.
        for spec in schema.fields.values where !spec.keepZero {
            if let value = result[spec.name], isEmpty(value) { result[spec.name] = nil }
        }
        return result
    }

    private static func decodeValue(_ value: ProtobufWireReader.Value, type: ProtoType, field: String) throws(ProtobufDecodingError) -> JSONValue {
        switch (type, value) {
        case (.string, .bytes(let text)):
            return .string(try string(text))
        case (.bytes, .bytes(let data)):
            return .string(Data(data).base64EncodedString())
        case (.int, .varint(let raw)):
            return .int(Int64(bitPattern: raw))
        case (.bool, .varint(let raw)):
            return .bool(raw != 0)
        case (.message(let schema), .bytes(let bytes)):
            return .object(try decodeMessage(bytes, schema: schema))
        case (.time(let micro), .bytes(let bytes)):
            var reader = ProtobufWireReader(bytes)
            var seconds: Int64 = 0
            var nanos: Int64 = 0
            while let member = try reader.next() {
                if case .varint(let raw) = member.value {
                    if member.number == 1 { seconds = Int64(bitPattern: raw) }
                    if member.number == 2 { nanos = Int64(bitPattern: raw) }
                }
            }
            if seconds == 0 && nanos == 0 { return .null }
            let date = Date(timeIntervalSince1970: Double(seconds) + Double(nanos) / 1e9)
            return .string(micro ? Timestamps.formatMicro(date) : Timestamps.format(date))
        case (.intOrString, .bytes(let bytes)):
            var reader = ProtobufWireReader(bytes)
            var isString = false
            var int: Int64 = 0
            var text = ""
            while let member = try reader.next() {
                switch (member.number, member.value) {
                case (1, .varint(let raw)): isString = raw == 1
                case (2, .varint(let raw)): int = Int64(bitPattern: raw)
                case (3, .bytes(let raw)): text = try string(raw)
                default: continue
                }
            }
            return isString ? .string(text) : .int(int)
        default:
            throw .malformed("field \(field) has an unexpected wire type")
        }
    }

    private static func isEmpty(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return true
        case .string(let s): return s.isEmpty
        case .int(let i): return i == 0
        case .bool(let b): return !b
        case .array(let a): return a.isEmpty
        case .object(let o): return o.isEmpty
        case .double(let d): return d == 0
        }
    }

    private static func string(_ bytes: ArraySlice<UInt8>) throws(ProtobufDecodingError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .malformed("a string field is not UTF-8") }
        return text
    }
}

// MARK: Schemas

/// The shape of one protobuf message: field number → JSON name and type.
struct ProtoSchema: Sendable {
    let fields: [Int: ProtoField]

    init(_ fields: [Int: ProtoField]) { self.fields = fields }
}

/// One field of a ``ProtoSchema``.
struct ProtoField: Sendable {
    let name: String
    let type: ProtoType
    /// A Go pointer field: its zero value is meaningful and stays in the JSON.
    let keepZero: Bool

    init(_ name: String, _ type: ProtoType, keepZero: Bool = false) {
        self.name = name
        self.type = type
        self.keepZero = keepZero
    }
}

/// Field types the Kubernetes schemas need.
indirect enum ProtoType: Sendable {
    case string, bytes, int, bool, intOrString
    /// `metav1.Time` (seconds) or `metav1.MicroTime` (micro = true).
    case time(micro: Bool)
    case message(ProtoSchema)
    case repeated(ProtoType)
    /// `map<string, value>`.
    case map(ProtoType)

    var zero: JSONValue {
        switch self {
        case .string, .bytes: return .string("")
        case .int: return .int(0)
        case .bool: return .bool(false)
        default: return .null
        }
    }
}

extension KubernetesProtobuf {
    static let ownerReference = ProtoSchema([
        1: ProtoField("kind", .string), 3: ProtoField("name", .string), 4: ProtoField("uid", .string),
        5: ProtoField("apiVersion", .string), 6: ProtoField("controller", .bool, keepZero: true),
        7: ProtoField("blockOwnerDeletion", .bool, keepZero: true),
    ])

    static let objectMeta = ProtoSchema([
        1: ProtoField("name", .string), 2: ProtoField("generateName", .string), 3: ProtoField("namespace", .string),
        5: ProtoField("uid", .string), 6: ProtoField("resourceVersion", .string), 7: ProtoField("generation", .int),
        8: ProtoField("creationTimestamp", .time(micro: false)), 9: ProtoField("deletionTimestamp", .time(micro: false)),
        10: ProtoField("deletionGracePeriodSeconds", .int, keepZero: true), 11: ProtoField("labels", .map(.string)),
        12: ProtoField("annotations", .map(.string)), 13: ProtoField("ownerReferences", .repeated(.message(ownerReference))),
        14: ProtoField("finalizers", .repeated(.string)),
    ])

    static let preconditions = ProtoSchema([
        1: ProtoField("uid", .string, keepZero: true), 2: ProtoField("resourceVersion", .string, keepZero: true),
    ])

    static let deleteOptions = ProtoSchema([
        1: ProtoField("gracePeriodSeconds", .int, keepZero: true), 2: ProtoField("preconditions", .message(preconditions)),
        3: ProtoField("orphanDependents", .bool, keepZero: true), 4: ProtoField("propagationPolicy", .string, keepZero: true),
        5: ProtoField("dryRun", .repeated(.string)),
    ])

    static let schemas: [String: ProtoSchema] = [
        "v1/Namespace": ProtoSchema([
            1: ProtoField("metadata", .message(objectMeta)),
            2: ProtoField("spec", .message(ProtoSchema([1: ProtoField("finalizers", .repeated(.string))]))),
            3: ProtoField("status", .message(ProtoSchema([1: ProtoField("phase", .string)]))),
        ]),
        "v1/ConfigMap": ProtoSchema([
            1: ProtoField("metadata", .message(objectMeta)), 2: ProtoField("data", .map(.string)),
            3: ProtoField("binaryData", .map(.bytes)), 4: ProtoField("immutable", .bool, keepZero: true),
        ]),
        "policy/v1/Eviction": ProtoSchema([
            1: ProtoField("metadata", .message(objectMeta)), 2: ProtoField("deleteOptions", .message(deleteOptions)),
        ]),
        "policy/v1beta1/Eviction": ProtoSchema([
            1: ProtoField("metadata", .message(objectMeta)), 2: ProtoField("deleteOptions", .message(deleteOptions)),
        ]),
        "v1/DeleteOptions": deleteOptions,
        "meta.k8s.io/v1/DeleteOptions": deleteOptions,
        "coordination.k8s.io/v1/Lease": ProtoSchema([
            1: ProtoField("metadata", .message(objectMeta)),
            2: ProtoField("spec", .message(ProtoSchema([
                1: ProtoField("holderIdentity", .string, keepZero: true),
                2: ProtoField("leaseDurationSeconds", .int, keepZero: true),
                3: ProtoField("acquireTime", .time(micro: true)), 4: ProtoField("renewTime", .time(micro: true)),
                5: ProtoField("leaseTransitions", .int, keepZero: true),
                6: ProtoField("strategy", .string, keepZero: true), 7: ProtoField("preferredHolder", .string, keepZero: true),
            ]))),
        ]),
    ]
}
