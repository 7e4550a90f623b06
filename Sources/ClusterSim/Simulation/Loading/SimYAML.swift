import Foundation
import KubeModels
import Yams

/// YAML (and JSON, which is YAML) text to ``JSONValue``s, keeping scalar types as YAML
/// resolves them: quoted scalars stay strings, plain `80` is an integer, `true` a boolean.
enum SimYAML {
    /// Every document of the file, in order (empty documents skipped).
    static func parseAll(_ text: String, file: String) throws(SimulationLoadError) -> [JSONValue] {
        do {
            var documents: [JSONValue] = []
            // Parser.nextRoot throws on bad input (iterating compose_all would stop silently).
            let parser = try Parser(yaml: text)
            while let node = try parser.nextRoot() {
                let value = try convert(node, file: file)
                if !value.isNull { documents.append(value) }
            }
            return documents
        } catch let error as SimulationLoadError {
            throw error
        } catch {
            throw .syntax(file: file, detail: String(describing: error))
        }
    }

    /// Reads and parses a file.
    static func load(path: String) throws(SimulationLoadError) -> [JSONValue] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(file: path, reason: (error as NSError).localizedDescription)
        }
        return try parseAll(text, file: path)
    }

    private static func convert(_ node: Yams.Node, file: String) throws(SimulationLoadError) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            return scalarValue(scalar)
        case .sequence(let sequence):
            var items: [JSONValue] = []
            for item in sequence { items.append(try convert(item, file: file)) }
            return .array(items)
        case .mapping(let mapping):
            var members: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard case .scalar(let k) = key else {
                    throw .syntax(file: file, detail: "mapping keys must be scalars (line \((key.mark?.line).map(String.init) ?? "?"))")
                }
                members[k.string] = try convert(value, file: file)
            }
            return .object(members)
        case .alias:
            throw .syntax(file: file, detail: "YAML aliases are not supported (line \((node.mark?.line).map(String.init) ?? "?"))")
        }
    }

    private static func scalarValue(_ scalar: Yams.Node.Scalar) -> JSONValue {
        if scalar.style != .plain && scalar.style != .any { return .string(scalar.string) }
        let tag = Yams.Node.scalar(scalar).tag.description
        switch tag {
        case Tag.Name.null.rawValue:
            return .null
        case Tag.Name.bool.rawValue:
            if let b = Bool.construct(from: scalar) { return .bool(b) }
        case Tag.Name.int.rawValue:
            if let i = Int.construct(from: scalar) { return .int(Int64(i)) }
        case Tag.Name.float.rawValue:
            if let d = Double.construct(from: scalar) { return .double(d) }
        default:
            break
        }
        return .string(scalar.string)
    }
}
