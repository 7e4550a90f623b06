import KubeModels

/// RFC 6902 JSON Patch: add, remove, replace, move, copy, test.
enum JSONPatch {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func apply(_ operations: [JSONValue], to document: JSONValue) throws(Failure) -> JSONValue {
        var doc = document
        for (index, operation) in operations.enumerated() {
            guard let op = operation["op"]?.stringValue else {
                throw Failure(description: "operation \(index): missing \"op\"")
            }
            guard let path = operation["path"]?.stringValue else {
                throw Failure(description: "operation \(index) (\(op)): missing \"path\"")
            }
            let pointer = try parsePointer(path)
            switch op {
            case "add":
                guard let value = operation["value"] else { throw Failure(description: "add operation does not apply: missing value") }
                doc = try add(value, at: pointer, in: doc)
            case "remove":
                doc = try remove(at: pointer, in: doc).document
            case "replace":
                guard let value = operation["value"] else { throw Failure(description: "replace operation does not apply: missing value") }
                guard get(pointer, in: doc) != nil else {
                    throw Failure(description: "replace operation does not apply: doc is missing key: \(path): missing value")
                }
                doc = try remove(at: pointer, in: doc).document
                doc = try add(value, at: pointer, in: doc)
            case "move":
                guard let from = operation["from"]?.stringValue else { throw Failure(description: "move operation: missing \"from\"") }
                let removed = try remove(at: try parsePointer(from), in: doc)
                doc = try add(removed.value, at: pointer, in: removed.document)
            case "copy":
                guard let from = operation["from"]?.stringValue else { throw Failure(description: "copy operation: missing \"from\"") }
                guard let value = get(try parsePointer(from), in: doc) else {
                    throw Failure(description: "copy operation does not apply: doc is missing from path: \(from)")
                }
                doc = try add(value, at: pointer, in: doc)
            case "test":
                let expected = operation["value"] ?? .null
                let actual = get(pointer, in: doc)
                if actual != expected && !(actual == nil && expected.isNull) {
                    throw Failure(description: "testing value \(path) failed: test failed")
                }
            default:
                throw Failure(description: "Unexpected kind: \(op)")
            }
        }
        return doc
    }

    static func parsePointer(_ path: String) throws(Failure) -> [String] {
        if path.isEmpty { return [] }
        guard path.hasPrefix("/") else { throw Failure(description: "JSON pointer must start with '/': \(path)") }
        return path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    static func get(_ pointer: [String], in doc: JSONValue) -> JSONValue? {
        var current = doc
        for token in pointer {
            switch current {
            case .object(let members):
                guard let next = members[token] else { return nil }
                current = next
            case .array(let items):
                guard let i = Int(token), i >= 0, i < items.count else { return nil }
                current = items[i]
            default:
                return nil
            }
        }
        return current
    }

    static func add(_ value: JSONValue, at pointer: [String], in doc: JSONValue) throws(Failure) -> JSONValue {
        guard let token = pointer.first else { return value }
        let rest = Array(pointer.dropFirst())
        switch doc {
        case .object(var members):
            if rest.isEmpty {
                members[token] = value
            } else {
                guard let child = members[token] else {
                    throw Failure(description: "add operation does not apply: doc is missing path: /\(pointer.joined(separator: "/")): missing value")
                }
                members[token] = try add(value, at: rest, in: child)
            }
            return .object(members)
        case .array(var items):
            if rest.isEmpty {
                if token == "-" { items.append(value); return .array(items) }
                guard let i = Int(token), i >= 0, i <= items.count else {
                    throw Failure(description: "add operation does not apply: index out of bounds: \(token)")
                }
                items.insert(value, at: i)
                return .array(items)
            }
            guard let i = Int(token), i >= 0, i < items.count else {
                throw Failure(description: "add operation does not apply: index out of bounds: \(token)")
            }
            items[i] = try add(value, at: rest, in: items[i])
            return .array(items)
        default:
            throw Failure(description: "add operation does not apply: doc is missing path: /\(pointer.joined(separator: "/")): missing value")
        }
    }

    static func remove(at pointer: [String], in doc: JSONValue) throws(Failure) -> (document: JSONValue, value: JSONValue) {
        guard let token = pointer.first else { throw Failure(description: "remove operation does not apply: empty path") }
        let rest = Array(pointer.dropFirst())
        switch doc {
        case .object(var members):
            guard let child = members[token] else {
                throw Failure(description: "remove operation does not apply: doc is missing path: \"/\(pointer.joined(separator: "/"))\": missing value")
            }
            if rest.isEmpty {
                members[token] = nil
                return (.object(members), child)
            }
            let inner = try remove(at: rest, in: child)
            members[token] = inner.document
            return (.object(members), inner.value)
        case .array(var items):
            guard let i = Int(token), i >= 0, i < items.count else {
                throw Failure(description: "remove operation does not apply: index out of bounds: \(token)")
            }
            if rest.isEmpty {
                let removed = items.remove(at: i)
                return (.array(items), removed)
            }
            let inner = try remove(at: rest, in: items[i])
            items[i] = inner.document
            return (.array(items), inner.value)
        default:
            throw Failure(description: "remove operation does not apply: doc is missing path: \"/\(pointer.joined(separator: "/"))\": missing value")
        }
    }
}
