import KubeModels

/// What a group's `k8s.io/cluster-autoscaler/node-template/...` tags say about its nodes, so a
/// group with no node can still be planned for (scale from zero):
///
/// - `.../node-template/label/<key>` = value: a node label;
/// - `.../node-template/taint/<key>` = `value:Effect`: a node taint;
/// - `.../node-template/resources/<name>` = quantity: a capacity that overrides the instance type's.
public struct NodeTemplateTags: Sendable, Hashable {
    /// The tag prefix shared by every node-template tag.
    public static let prefix = "k8s.io/cluster-autoscaler/node-template/"

    public var labels: [String: String]
    public var taints: [Taint]
    public var resources: [String: Quantity]

    /// Tags already split into their parts.
    public init(labels: [String: String] = [:], taints: [Taint] = [], resources: [String: Quantity] = [:]) {
        self.labels = labels
        self.taints = taints
        self.resources = resources
    }

    /// Reads the node-template tags out of a group's tags; other tags are ignored.
    ///
    /// - Throws: ``NodeTemplateTagError`` naming the tag when a taint or a quantity is malformed.
    public init(tags: [String: String]) throws(NodeTemplateTagError) {
        self.init()
        for (key, value) in tags.sorted(by: { $0.key < $1.key }) where key.hasPrefix(Self.prefix) {
            let rest = key.dropFirst(Self.prefix.count)
            if rest.hasPrefix("label/") {
                labels[String(rest.dropFirst("label/".count))] = value
            } else if rest.hasPrefix("taint/") {
                let taintKey = String(rest.dropFirst("taint/".count))
                guard let colon = value.lastIndex(of: ":") else {
                    throw .badTaint(tag: key, value: value)
                }
                let effect = TaintEffect(rawValue: String(value[value.index(after: colon)...]))
                guard [.noSchedule, .preferNoSchedule, .noExecute].contains(effect) else {
                    throw .badTaint(tag: key, value: value)
                }
                let taintValue = String(value[..<colon])
                taints.append(Taint(key: taintKey, value: taintValue.isEmpty ? nil : taintValue, effect: effect))
            } else if rest.hasPrefix("resources/") {
                guard let amount = try? Quantity(parsing: value) else {
                    throw .badQuantity(tag: key, value: value)
                }
                resources[String(rest.dropFirst("resources/".count))] = amount
            }
        }
    }
}

/// A node-template tag the autoscaler cannot read.
public enum NodeTemplateTagError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A taint tag whose value is not `value:Effect` with a known effect.
    case badTaint(tag: String, value: String)
    /// A resources tag whose value is not a Kubernetes quantity.
    case badQuantity(tag: String, value: String)

    public var description: String {
        switch self {
        case .badTaint(let tag, let value):
            "node-template tag \(tag) has value \"\(value)\"; expected value:Effect with Effect one of NoSchedule, PreferNoSchedule, NoExecute"
        case .badQuantity(let tag, let value):
            "node-template tag \(tag) has value \"\(value)\"; expected a Kubernetes quantity such as 100Gi or 2"
        }
    }
}
