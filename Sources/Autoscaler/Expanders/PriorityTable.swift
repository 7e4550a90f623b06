import Yams

/// The priority expander's table, in the cluster-autoscaler's ConfigMap format
/// (`cluster-autoscaler-priority-expander`, key `priorities`):
///
/// ```yaml
/// 10:
///   - .*spot.*
/// 50:
///   - ^general-.*
/// ```
///
/// A group gets the highest priority with an expression matching anywhere in its name (anchor
/// with `^` and `$` for a whole-name match).
public struct PriorityTable: Sendable, Hashable {
    /// Priority → regular expressions, highest priority first.
    public private(set) var entries: [(priority: Int, patterns: [String])]

    /// A table from priorities and patterns; every pattern is compiled once here.
    ///
    /// - Throws: ``PriorityTableError/badPattern(priority:pattern:reason:)`` for an invalid expression.
    public init(_ table: [Int: [String]]) throws(PriorityTableError) {
        for (priority, patterns) in table {
            for pattern in patterns {
                do {
                    _ = try Regex(pattern)
                } catch {
                    throw .badPattern(priority: priority, pattern: pattern, reason: "\(error)")
                }
            }
        }
        entries = table.sorted { $0.key > $1.key }.map { ($0.key, $0.value) }
    }

    /// Parses the ConfigMap's `priorities` value.
    public init(yaml: String) throws(PriorityTableError) {
        let parsed: Any?
        do {
            parsed = try Yams.load(yaml: yaml)
        } catch {
            throw .notYAML(reason: "\(error)")
        }
        guard let map = parsed as? [AnyHashable: Any] else { throw .notAMap }
        var table: [Int: [String]] = [:]
        for (key, value) in map {
            guard let priority = (key as? Int) ?? Int("\(key)") else { throw .badPriority("\(key)") }
            if let list = value as? [Any] {
                table[priority, default: []] += list.map { "\($0)" }
            } else if let single = value as? String {
                table[priority, default: []].append(single)
            } else {
                throw .badPatterns(priority: priority)
            }
        }
        try self.init(table)
    }

    /// The highest priority matching `group`, or nil.
    public func priority(of group: String) -> Int? {
        for entry in entries {
            for pattern in entry.patterns {
                if let regex = try? Regex(pattern), group.contains(regex) { return entry.priority }
            }
        }
        return nil
    }

    public static func == (a: PriorityTable, b: PriorityTable) -> Bool {
        a.entries.map(\.priority) == b.entries.map(\.priority) && a.entries.map(\.patterns) == b.entries.map(\.patterns)
    }

    public func hash(into hasher: inout Hasher) {
        for entry in entries {
            hasher.combine(entry.priority)
            hasher.combine(entry.patterns)
        }
    }
}

/// A priority table that cannot be used.
public enum PriorityTableError: Error, Sendable, Hashable, CustomStringConvertible {
    case notYAML(reason: String)
    case notAMap
    case badPriority(String)
    case badPatterns(priority: Int)
    case badPattern(priority: Int, pattern: String, reason: String)

    public var description: String {
        switch self {
        case .notYAML(let reason): "priority expander table is not valid YAML: \(reason)"
        case .notAMap: "priority expander table must map priorities (integers) to lists of regular expressions"
        case .badPriority(let key): "priority expander key \"\(key)\" is not an integer priority"
        case .badPatterns(let priority):
            "priority expander entry \(priority) must be a list of regular expressions"
        case .badPattern(let priority, let pattern, let reason):
            "priority expander entry \(priority) has invalid regular expression \"\(pattern)\": \(reason)"
        }
    }
}

/// Hourly prices for the price expander, by group name or by instance type (a group's own price
/// wins).
public struct PriceTable: Sendable, Hashable {
    /// Price per node-hour by group name.
    public var byGroup: [String: Double]
    /// Price per node-hour by instance type.
    public var byInstanceType: [String: Double]

    /// A price table.
    public init(byGroup: [String: Double] = [:], byInstanceType: [String: Double] = [:]) {
        self.byGroup = byGroup
        self.byInstanceType = byInstanceType
    }

    /// The price of one node of `group`, or nil when the table does not say.
    public func price(group: String, instanceType: String?) -> Double? {
        byGroup[group] ?? instanceType.flatMap { byInstanceType[$0] }
    }
}
