#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import KubeClient
import KubeModels

/// YAML (or JSON, which is YAML) files as ``JSONValue`` documents, scalars typed as YAML
/// resolves them (quoted scalars stay strings), and typed values decoded out of them with the
/// failing field named.
enum SnapshotYAML {
    /// Every non-empty document of the file at `path`.
    static func load(path: String) throws(SnapshotFileError) -> [JSONValue] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(file: path, reason: Self.reason(error))
        }
        return try parse(text, file: path)
    }

    /// Why a file could not be read, in words.
    static func reason(_ error: any Error) -> String {
        if let error = error as? CocoaError {
            switch error.code {
            case .fileReadNoSuchFile: return "no such file"
            case .fileReadNoPermission: return "permission denied"
            case .fileReadInapplicableStringEncoding: return "not UTF-8 text"
            default: break
            }
        }
        return "\(error)"
    }

    /// Every non-empty document of `text`; `file` names it in errors.
    static func parse(_ text: String, file: String) throws(SnapshotFileError) -> [JSONValue] {
        do {
            return try YAMLDocuments.parse(text)
        } catch {
            throw .syntax(file: file, detail: error.detail)
        }
    }

    /// Decodes `value` (found at `field` of `file`) as `T`, naming the failing field on error.
    static func decode<T: Decodable>(_ type: T.Type, _ value: JSONValue, file: String, field: String) throws(SnapshotFileError) -> T {
        do {
            return try value.decode(as: T.self)
        } catch let error as DecodingError {
            throw describe(error, file: file, field: field)
        } catch {
            throw .invalidField(file: file, field: field, problem: "\(error)")
        }
    }

    /// `field` extended by a coding path: `items[2]` + `spec.containers[0].image`.
    static func path(_ field: String, _ codingPath: [any CodingKey]) -> String {
        var text = field
        for key in codingPath {
            if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : ".\(key.stringValue)" }
        }
        return text
    }

    private static func describe(_ error: DecodingError, file: String, field: String) -> SnapshotFileError {
        switch error {
        case .keyNotFound(let key, let context):
            return .missingField(file: file, field: path(field, context.codingPath + [key]), expected: "a value")
        case .valueNotFound(let type, let context):
            return .missingField(file: file, field: path(field, context.codingPath), expected: "a value of type \(type)")
        case .typeMismatch(let type, let context):
            return .invalidField(
                file: file, field: path(field, context.codingPath), problem: "expected a value of type \(type) (\(context.debugDescription))")
        case .dataCorrupted(let context):
            return .invalidField(file: file, field: path(field, context.codingPath), problem: context.debugDescription)
        @unknown default:
            return .invalidField(file: file, field: field, problem: "\(error)")
        }
    }
}
