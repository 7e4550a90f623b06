import Yams

/// A parsed YAML document with every value's origin, the tree the configuration decoder reads.
///
/// It is built from the program's defaults, then the file merged over them, then `--set` flags
/// merged over that, so every value (whatever its source) is decoded and validated the same way.
indirect enum ConfigNode: Sendable {
    /// A scalar; `plain` is false when it was quoted (a quoted `"null"` is a string).
    case scalar(String, plain: Bool, ConfigLocation)
    case mapping([(key: String, value: ConfigNode)], ConfigLocation)
    case sequence([ConfigNode], ConfigLocation)

    var location: ConfigLocation {
        switch self {
        case .scalar(_, _, let location), .mapping(_, let location), .sequence(_, let location): return location
        }
    }

    /// Whether this is a YAML null (`null`, `~`, or empty, unquoted).
    var isNull: Bool {
        if case .scalar(let text, let plain, _) = self, plain {
            return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
        }
        return false
    }

    /// A short rendering of the value for error messages (scalars quoted when they are text).
    var display: String {
        switch self {
        case .scalar(let text, _, _):
            if isNull { return "null" }
            return "\"\(text)\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }

    /// Parses `yaml`, attributing positions to `source`. An empty document is an empty mapping.
    static func parse(_ yaml: String, source: String) throws(ConfigError) -> ConfigNode {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw Self.syntaxError(error, source: source)
        } catch {
            throw .syntax(location: ConfigLocation(source: source), problem: "\(error)")
        }
        guard let root else { return .mapping([], ConfigLocation(source: source, line: 1, column: 1)) }
        return try convert(root, source: source)
    }

    private static func syntaxError(_ error: YamlError, source: String) -> ConfigError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { "\(problem) (\($0.text))" } ?? problem
            return .syntax(location: ConfigLocation(source: source, line: mark.line, column: mark.column), problem: detail)
        case .reader(let problem, _, _, _):
            return .syntax(location: ConfigLocation(source: source), problem: problem)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let mark = context.mark
            return .syntax(
                location: ConfigLocation(source: source, line: mark.line, column: mark.column),
                problem: "duplicate keys in one mapping: \(duplicates.joined(separator: ", "))")
        default:
            return .syntax(location: ConfigLocation(source: source), problem: "\(error)")
        }
    }

    private static func convert(_ node: Node, source: String) throws(ConfigError) -> ConfigNode {
        let location = ConfigLocation(source: source, line: node.mark?.line, column: node.mark?.column)
        switch node {
        case .scalar(let scalar):
            return .scalar(scalar.string, plain: scalar.style == .plain || scalar.style == .any, location)
        case .sequence(let sequence):
            var items: [ConfigNode] = []
            for item in sequence { items.append(try convert(item, source: source)) }
            return .sequence(items, location)
        case .mapping(let mapping):
            var pairs: [(key: String, value: ConfigNode)] = []
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw .syntax(location: location, problem: "mapping keys must be plain text")
                }
                if pairs.contains(where: { $0.key == keyScalar.string }) {
                    let keyLocation = ConfigLocation(source: source, line: key.mark?.line, column: key.mark?.column)
                    throw .syntax(location: keyLocation, problem: "duplicate key \"\(keyScalar.string)\"")
                }
                pairs.append((keyScalar.string, try convert(value, source: source)))
            }
            return .mapping(pairs, location)
        case .alias:
            throw .syntax(location: location, problem: "YAML aliases are not supported in configuration")
        }
    }

    /// `overlay` merged over `self`: mappings merge key by key, anything else is replaced whole.
    func merging(_ overlay: ConfigNode) -> ConfigNode {
        guard case .mapping(var base, _) = self, case .mapping(let top, let location) = overlay else { return overlay }
        for (key, value) in top {
            if let index = base.firstIndex(where: { $0.key == key }) {
                base[index].value = base[index].value.merging(value)
            } else {
                base.append((key, value))
            }
        }
        return .mapping(base, location)
    }

    /// Replaces (or creates) the value at `path`, creating mappings on the way.
    func setting(_ value: ConfigNode, at path: ArraySlice<String>) -> ConfigNode {
        guard let head = path.first else { return value }
        var pairs: [(key: String, value: ConfigNode)] = []
        var location = value.location
        if case .mapping(let existing, let here) = self {
            pairs = existing
            location = here
        }
        let empty = ConfigNode.mapping([], value.location)
        if let index = pairs.firstIndex(where: { $0.key == head }) {
            pairs[index].value = pairs[index].value.setting(value, at: path.dropFirst())
        } else {
            pairs.append((head, empty.setting(value, at: path.dropFirst())))
        }
        return .mapping(pairs, location)
    }

    /// The node at a dotted path (list items as `[n]`), if present.
    func node(at path: [String]) -> ConfigNode? {
        guard let head = path.first else { return self }
        switch self {
        case .mapping(let pairs, _):
            return pairs.first { $0.key == head }?.value.node(at: Array(path.dropFirst()))
        case .sequence(let items, _):
            guard head.hasPrefix("["), head.hasSuffix("]"), let index = Int(head.dropFirst().dropLast()),
                items.indices.contains(index)
            else { return nil }
            return items[index].node(at: Array(path.dropFirst()))
        case .scalar: return nil
        }
    }
}

/// Splits a dotted field path (`a.b[2].c`) into its segments (`a`, `b`, `[2]`, `c`).
func splitFieldPath(_ path: String) -> [String] {
    var segments: [String] = []
    for part in path.split(separator: ".", omittingEmptySubsequences: false) {
        var rest = Substring(part)
        if let bracket = rest.firstIndex(of: "[") {
            if bracket > rest.startIndex { segments.append(String(rest[..<bracket])) }
            rest = rest[bracket...]
            while let close = rest.firstIndex(of: "]") {
                segments.append(String(rest[...close]))
                rest = rest[rest.index(after: close)...]
            }
            if !rest.isEmpty { segments.append(String(rest)) }
        } else {
            segments.append(String(part))
        }
    }
    return segments
}

/// Joins coding-path style segments back into `a.b[2].c`.
func joinFieldPath(_ segments: [String]) -> String {
    var text = ""
    for segment in segments {
        if segment.hasPrefix("[") || text.isEmpty { text += segment } else { text += "." + segment }
    }
    return text
}
