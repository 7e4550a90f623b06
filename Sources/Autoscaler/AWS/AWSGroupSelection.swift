/// Which Auto Scaling Groups mend-autoscaler manages: groups carrying every discovery tag
/// (cluster-autoscaler's `k8s.io/cluster-autoscaler/enabled` and
/// `k8s.io/cluster-autoscaler/<cluster>` by default) and/or groups named explicitly with
/// `min:max:name` (whose bounds override the group's own).
public struct AWSGroupSelection: Sendable, Hashable {
    /// Tag key → required value (nil: any value). Empty: no tag discovery.
    public var discoveryTags: [String: String?]
    /// Explicitly named groups.
    public var explicit: [ExplicitGroup]

    /// A selection.
    public init(discoveryTags: [String: String?] = [:], explicit: [ExplicitGroup] = []) {
        self.discoveryTags = discoveryTags
        self.explicit = explicit
    }

    /// The cluster-autoscaler's discovery tags for `cluster`.
    public static func clusterAutoscalerTags(cluster: String) -> AWSGroupSelection {
        AWSGroupSelection(discoveryTags: [
            "k8s.io/cluster-autoscaler/enabled": nil, "k8s.io/cluster-autoscaler/\(cluster)": nil,
        ])
    }

    /// Parses `key`, `key=value`, comma-separated (`k8s.io/cluster-autoscaler/enabled,team=ml`).
    public static func parseTags(_ text: String) throws(GroupSelectionError) -> [String: String?] {
        var tags: [String: String?] = [:]
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard !part.isEmpty else { continue }
            if let eq = part.firstIndex(of: "=") {
                let key = String(part[..<eq])
                guard !key.isEmpty else { throw .badTag(part) }
                tags[key] = .some(String(part[part.index(after: eq)...]))
            } else {
                tags[part] = .some(nil)
            }
        }
        if tags.isEmpty { throw .badTag(text) }
        return tags
    }
}

/// A group named as `min:max:name`.
public struct ExplicitGroup: Sendable, Hashable {
    public var name: String
    public var minSize: Int
    public var maxSize: Int

    /// An explicit group.
    public init(name: String, minSize: Int, maxSize: Int) {
        self.name = name
        self.minSize = minSize
        self.maxSize = maxSize
    }

    /// Parses `min:max:name` (`1:10:workers-a`).
    public init(parsing text: String) throws(GroupSelectionError) {
        let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let min = Int(parts[0]), let max = Int(parts[1]), !parts[2].isEmpty else {
            throw .badExplicitGroup(text)
        }
        guard min >= 0, max >= min else { throw .badBounds(text, min: min, max: max) }
        self.init(name: String(parts[2]), minSize: min, maxSize: max)
    }
}

/// A node-group selection that cannot be used.
public enum GroupSelectionError: Error, Sendable, Hashable, CustomStringConvertible {
    case badExplicitGroup(String)
    case badBounds(String, min: Int, max: Int)
    case badTag(String)

    public var description: String {
        switch self {
        case .badExplicitGroup(let text): "node group \"\(text)\" must be min:max:name, e.g. 1:10:workers-a"
        case .badBounds(let text, let min, let max):
            "node group \"\(text)\": min \(min) must be ≥ 0 and not above max \(max)"
        case .badTag(let text): "discovery tags \"\(text)\" must be key or key=value, comma-separated"
        }
    }
}
