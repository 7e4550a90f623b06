import KubeModels

/// The cluster read from a snapshot file, for `mend-autoscaler plan --snapshot`: the output of
/// `kubectl get nodes,pods,pdb -A -o yaml` (or `-o json`), a `v1 List`; several YAML documents
/// and single objects work too. Nodes, Pods and PodDisruptionBudgets are kept, and ConfigMaps
/// (the priority expander's table, when the snapshot holds it); other kinds are counted and
/// left out. Every item is checked before the plan starts: a bad one is an error naming the
/// file and the field.
public struct SnapshotClusterSource: ClusterSource, ConfigMapReader {
    public let file: String
    public let nodeList: [Node]
    public let podList: [PodSummary]
    public let budgetList: [PodDisruptionBudget]
    public let configMapList: [ConfigMap]
    /// Items of other kinds, by kind (not used by the plan).
    public let ignored: [String: Int]

    /// Reads and checks the snapshot at `path`.
    public init(path: String) throws(SnapshotFileError) {
        try self.init(documents: SnapshotYAML.load(path: path), file: path)
    }

    /// Reads and checks snapshot text; `file` names it in errors.
    public init(text: String, file: String) throws(SnapshotFileError) {
        try self.init(documents: SnapshotYAML.parse(text, file: file), file: file)
    }

    init(documents: [JSONValue], file: String) throws(SnapshotFileError) {
        var items: [(field: String, value: JSONValue)] = []
        for (d, document) in documents.enumerated() {
            let prefix = documents.count > 1 ? "document \(d + 1) " : ""
            guard case .object = document else {
                throw .invalidField(file: file, field: prefix + "(top level)", problem: "expected a v1 List or a Kubernetes object")
            }
            let kind = document["kind"]?.stringValue ?? ""
            if kind == "List" || kind.hasSuffix("List") {
                guard let list = document["items"]?.arrayValue else {
                    throw .missingField(file: file, field: prefix + "items", expected: "the list's objects")
                }
                for (i, item) in list.enumerated() { items.append((prefix + "items[\(i)]", item)) }
            } else {
                items.append((prefix.isEmpty ? "" : String(prefix.dropLast()), document))
            }
        }
        var nodes: [Node] = []
        var pods: [PodSummary] = []
        var budgets: [PodDisruptionBudget] = []
        var configMaps: [ConfigMap] = []
        var ignored: [String: Int] = [:]
        for (field, item) in items {
            let at = { (name: String) in field.isEmpty ? name : "\(field).\(name)" }
            guard case .object = item else {
                throw .invalidField(file: file, field: field.isEmpty ? "(top level)" : field, problem: "expected a Kubernetes object")
            }
            guard let kind = item["kind"]?.stringValue, !kind.isEmpty else {
                throw .missingField(file: file, field: at("kind"), expected: "the object's kind, e.g. Pod")
            }
            guard let name = item[path: ["metadata", "name"]]?.stringValue, !name.isEmpty else {
                throw .missingField(file: file, field: at("metadata.name"), expected: "the object's name")
            }
            switch kind {
            case "Node":
                let node = try SnapshotYAML.decode(Node.self, item, file: file, field: field)
                if let text = node.spec.providerID, !text.isEmpty, ProviderID(parsing: text) == nil, text.hasPrefix("aws://") {
                    throw .invalidField(
                        file: file, field: at("spec.providerID"),
                        problem: "\"\(text)\" is not aws:///<zone>/<instance-id>")
                }
                nodes.append(node)
            case "Pod":
                pods.append(try SnapshotYAML.decode(PodSummary.self, item, file: file, field: field))
            case "PodDisruptionBudget":
                budgets.append(try SnapshotYAML.decode(PodDisruptionBudget.self, item, file: file, field: field))
            case "ConfigMap":
                configMaps.append(try SnapshotYAML.decode(ConfigMap.self, item, file: file, field: field))
            default:
                ignored[kind, default: 0] += 1
            }
        }
        self.file = file
        self.nodeList = nodes
        self.podList = pods
        self.budgetList = budgets
        self.configMapList = configMaps
        self.ignored = ignored
    }

    public func nodes() async throws -> [Node] { nodeList }
    public func pods() async throws -> [PodSummary] { podList }
    public func podDisruptionBudgets() async throws -> [PodDisruptionBudget] { budgetList }

    public func configMap(name: String, namespace: String) async throws -> ConfigMap? {
        configMapList.first { $0.metadata.name == name && ($0.metadata.namespace ?? "default") == namespace }
    }

    /// One line saying what the snapshot held, for the plan's notes.
    public var summary: String {
        var text = "snapshot \(file): \(nodeList.count) node(s), \(podList.count) pod(s), \(budgetList.count) PodDisruptionBudget(s)"
        if !configMapList.isEmpty { text += ", \(configMapList.count) ConfigMap(s)" }
        if !ignored.isEmpty {
            text += "; left out: " + ignored.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        }
        return text
    }
}
