import KubeModels
import Yams

/// YAML text (and JSON, which is YAML) as ``JSONValue`` documents: manifests, the output of
/// `kubectl get -o yaml`, scenario and node-group files.
///
/// Scalars keep the type YAML resolves for them: a quoted scalar stays a string, plain `80` is an
/// integer, `true` a boolean, `~` null. Empty documents are skipped.
public enum YAMLDocuments {
    /// Why the text is not YAML these readers accept, with the line when known.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public let detail: String
        public var description: String { detail }
    }

    /// Every non-empty document of `text`, in order.
    public static func parse(_ text: String) throws(SyntaxError) -> [JSONValue] {
        do {
            // Parser.nextRoot throws on bad input (iterating compose_all would stop silently).
            let parser = try Parser(yaml: text)
            var documents: [JSONValue] = []
            while let node = try parser.nextRoot() {
                let value = try convert(node)
                if !value.isNull { documents.append(value) }
            }
            return documents
        } catch let error as SyntaxError {
            throw error
        } catch {
            throw SyntaxError(detail: "\(error)")
        }
    }

    private static func convert(_ node: Yams.Node) throws(SyntaxError) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            return value(of: scalar, tag: node.tag.description)
        case .sequence(let sequence):
            var items: [JSONValue] = []
            for item in sequence { items.append(try convert(item)) }
            return .array(items)
        case .mapping(let mapping):
            var members: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard case .scalar(let k) = key else {
                    throw SyntaxError(detail: "a mapping key is not a scalar (line \(line(key)))")
                }
                members[k.string] = try convert(value)
            }
            return .object(members)
        case .alias:
            throw SyntaxError(detail: "YAML aliases are not supported (line \(line(node)))")
        }
    }

    private static func value(of scalar: Yams.Node.Scalar, tag: String) -> JSONValue {
        if scalar.style != .plain && scalar.style != .any { return .string(scalar.string) }
        switch tag {
        case Tag.Name.null.rawValue: return .null
        case Tag.Name.bool.rawValue: if let b = Bool.construct(from: scalar) { return .bool(b) }
        case Tag.Name.int.rawValue: if let i = Int.construct(from: scalar) { return .int(Int64(i)) }
        case Tag.Name.float.rawValue: if let d = Double.construct(from: scalar) { return .double(d) }
        default: break
        }
        return .string(scalar.string)
    }

    private static func line(_ node: Yams.Node) -> String { (node.mark?.line).map(String.init) ?? "?" }
}
