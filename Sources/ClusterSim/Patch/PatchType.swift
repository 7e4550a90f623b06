import Foundation
import KubeModels
import Yams

/// The patch formats the API server accepts.
public enum PatchType: String, Sendable, CaseIterable {
    /// RFC 6902 JSON Patch.
    case json = "application/json-patch+json"
    /// RFC 7386 JSON Merge Patch.
    case merge = "application/merge-patch+json"
    /// Kubernetes strategic merge patch.
    case strategic = "application/strategic-merge-patch+json"
    /// Server-side apply.
    case apply = "application/apply-patch+yaml"

    /// The patch type named by a `Content-Type` header (parameters ignored).
    public init?(contentType: String) {
        let base = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        self.init(rawValue: base)
    }
}

/// A parsed patch, ready to apply.
enum PatchDocument {
    case json([JSONValue])
    case merge(JSONValue)
    case strategic(JSONValue)

    static func parse(type: PatchType, body: [UInt8]) throws(APIError) -> PatchDocument {
        let value: JSONValue
        do { value = try JSONCodec.parse(body) } catch {
            throw APIError.badRequest("error decoding patch: \(error.description)")
        }
        switch type {
        case .json:
            guard let ops = value.arrayValue else {
                throw APIError.badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
            }
            return .json(ops)
        case .merge:
            return .merge(value)
        case .strategic:
            guard case .object = value else { throw APIError.badRequest("strategic merge patch must be a JSON object") }
            return .strategic(value)
        case .apply:
            return .merge(value)
        }
    }

    func apply(to current: JSONValue, resource: ResourceDescriptor) throws(APIError) -> JSONValue {
        switch self {
        case .merge(let patch):
            return MergePatch.apply(patch, to: current)
        case .json(let ops):
            do { return try JSONPatch.apply(ops, to: current) } catch {
                throw APIError(code: 422, reason: "Invalid",
                               message: "the server rejected our request due to an error in our request",
                               causes: [APIError.Cause(reason: "UnexpectedServerResponse", message: error.description)])
            }
        case .strategic(let patch):
            do {
                return try StrategicMergePatch(schema: PatchSchema.for(resource)).apply(patch, to: current)
            } catch {
                throw APIError.badRequest(error.description)
            }
        }
    }
}

/// YAML (or JSON, which is YAML) text to a ``JSONValue``.
enum YAMLDocument {
    static func parse(_ bytes: [UInt8]) throws(APIError) -> JSONValue {
        if let json = try? JSONCodec.parse(bytes) { return json }
        let text = String(decoding: bytes, as: UTF8.self)
        let node: Any?
        do { node = try Yams.load(yaml: text) } catch {
            throw APIError.badRequest("error converting YAML to JSON: \(error)")
        }
        return convert(node)
    }

    static func convert(_ node: Any?) -> JSONValue {
        switch node {
        case nil: return .null
        case let b as Bool: return .bool(b)
        case let i as Int: return .int(Int64(i))
        case let d as Double: return .double(d)
        case let s as String: return .string(s)
        case let a as [Any?]: return .array(a.map(convert))
        case let a as [Any]: return .array(a.map { convert($0) })
        case let o as [String: Any?]: return .object(o.mapValues(convert))
        case let o as [String: Any]: return .object(o.mapValues { convert($0) })
        case let o as [AnyHashable: Any]:
            var members: [String: JSONValue] = [:]
            for (k, v) in o { members["\(k)"] = convert(v) }
            return .object(members)
        default: return .string("\(node!)")
        }
    }
}
