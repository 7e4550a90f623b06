import Foundation
import KubeModels

/// Reads one YAML mapping of a scenario with field paths for errors: every field is checked
/// against the allowed names, types and ranges, and errors name the file, the field, the bad
/// value and what was expected.
struct FieldReader {
    let file: String
    let path: String
    let members: [String: JSONValue]

    init(_ value: JSONValue, file: String, path: String, allowed: [String]) throws(SimulationLoadError) {
        guard let members = value.objectValue else {
            throw .invalidField(file: file, field: path.isEmpty ? "(top level)" : path,
                                value: SnapshotLoader.describe(value), expected: "a mapping with fields \(allowed.joined(separator: ", "))")
        }
        for key in members.keys.sorted() where !allowed.contains(key) {
            throw .unknownField(file: file, field: Self.join(path, key), allowed: allowed)
        }
        self.file = file
        self.path = path
        self.members = members
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func field(_ key: String) -> String { Self.join(path, key) }

    func has(_ key: String) -> Bool { members[key].map { !$0.isNull } ?? false }

    func string(_ key: String, default fallback: String? = nil, expected: String = "a string") throws(SimulationLoadError) -> String {
        guard let value = members[key], !value.isNull else {
            if let fallback { return fallback }
            throw .missingField(file: file, field: field(key), expected: expected)
        }
        guard let s = value.stringValue else {
            throw .invalidField(file: file, field: field(key), value: SnapshotLoader.describe(value), expected: expected)
        }
        return s
    }

    /// A DNS-1123 label (`general`, `web-frontend`).
    func name(_ key: String, default fallback: String? = nil) throws(SimulationLoadError) -> String {
        let expected = "a lowercase name of letters, digits and '-' (at most 63 characters, starting and ending with a letter or digit)"
        let s = try string(key, default: fallback, expected: expected)
        let bytes = Array(s.utf8)
        let alnum: (UInt8) -> Bool = { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) }
        guard !bytes.isEmpty, bytes.count <= 63, bytes.allSatisfy({ alnum($0) || $0 == 45 }), alnum(bytes.first!),
              alnum(bytes.last!) else {
            throw .invalidField(file: file, field: field(key), value: "\"\(s)\"", expected: expected)
        }
        return s
    }

    func int(_ key: String, default fallback: Int? = nil, range: ClosedRange<Int>, expected: String) throws(SimulationLoadError) -> Int {
        guard let value = members[key], !value.isNull else {
            if let fallback { return fallback }
            throw .missingField(file: file, field: field(key), expected: expected)
        }
        guard let i = value.intValue, range.contains(Int(i)) else {
            throw .invalidField(file: file, field: field(key), value: SnapshotLoader.describe(value), expected: expected)
        }
        return Int(i)
    }

    /// A duration like `90s`, `2m`, `1m30s`, `500ms` or a number of seconds.
    func duration(_ key: String, default fallback: Duration) throws(SimulationLoadError) -> Duration {
        guard let value = members[key], !value.isNull else { return fallback }
        let expected = "a duration such as 90s, 2m, 1m30s or 500ms"
        if let seconds = value.intValue, seconds >= 0 { return .seconds(seconds) }
        guard let text = value.stringValue, let parsed = Self.parseDuration(text) else {
            throw .invalidField(file: file, field: field(key), value: SnapshotLoader.describe(value), expected: expected)
        }
        return parsed
    }

    static func parseDuration(_ text: String) -> Duration? {
        var total = Duration.zero
        var number = ""
        let chars = Array(text)
        if chars.isEmpty { return nil }
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isNumber { number.append(c); i += 1; continue }
            guard let n = Int64(number) else { return nil }
            number = ""
            if c == "m", i + 1 < chars.count, chars[i + 1] == "s" {
                total += .milliseconds(n); i += 2; continue
            }
            switch c {
            case "h": total += .seconds(n * 3600)
            case "m": total += .seconds(n * 60)
            case "s": total += .seconds(n)
            default: return nil
            }
            i += 1
        }
        if !number.isEmpty { return nil }
        return total
    }

    /// A map of strings (labels, node selectors).
    func stringMap(_ key: String) throws(SimulationLoadError) -> [String: String] {
        guard let value = members[key], !value.isNull else { return [:] }
        guard let object = value.objectValue else {
            throw .invalidField(file: file, field: field(key), value: SnapshotLoader.describe(value), expected: "a mapping of strings")
        }
        var result: [String: String] = [:]
        for (k, v) in object {
            guard let s = v.stringValue else {
                throw .invalidField(file: file, field: field(key) + ".\(k)", value: SnapshotLoader.describe(v),
                                    expected: "a string (quote numbers and booleans)")
            }
            result[k] = s
        }
        return result
    }

    /// A resource list (`cpu: 500m`, `memory: 1Gi`): every value a valid quantity.
    func quantities(_ key: String, required: [String] = []) throws(SimulationLoadError) -> [String: Quantity] {
        guard let value = members[key], !value.isNull else {
            if required.isEmpty { return [:] }
            throw .missingField(file: file, field: field(key),
                                expected: "resource quantities including \(required.joined(separator: " and "))")
        }
        guard let object = value.objectValue else {
            throw .invalidField(file: file, field: field(key), value: SnapshotLoader.describe(value),
                                expected: "a mapping of resource names to quantities, e.g. {cpu: 500m, memory: 1Gi}")
        }
        var result: [String: Quantity] = [:]
        for (name, amount) in object {
            let text: String? = amount.stringValue ?? amount.intValue.map { String($0) } ?? amount.doubleValue.map { String($0) }
            guard let text, let quantity = try? Quantity(parsing: text), quantity.nanoValue >= 0 else {
                throw .invalidField(file: file, field: field(key) + ".\(name)", value: SnapshotLoader.describe(amount),
                                    expected: "a non-negative Kubernetes quantity such as 2, 500m or 8Gi")
            }
            result[name] = quantity
        }
        for name in required where result[name] == nil {
            throw .missingField(file: file, field: field(key) + ".\(name)", expected: "a quantity for \(name)")
        }
        return result
    }

    /// A list of mappings.
    func list(_ key: String) throws(SimulationLoadError) -> [JSONValue] {
        guard let value = members[key], !value.isNull else { return [] }
        guard let items = value.arrayValue else {
            throw .invalidField(file: file, field: field(key), value: SnapshotLoader.describe(value), expected: "a list")
        }
        return items
    }
}
