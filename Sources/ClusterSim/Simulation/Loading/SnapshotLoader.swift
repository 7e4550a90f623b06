import Foundation
import KubeModels

/// Loads a cluster snapshot: the output of `kubectl get nodes,pods,pdb -A -o yaml` (or `-o
/// json`), a `v1 List`; also single objects and several YAML documents. Any kind ClusterSim
/// serves is accepted (Namespaces, ReplicaSets and DaemonSets included).
///
/// Objects are created as they were, status included, in dependency order (namespaces, nodes,
/// workloads, budgets, pods). Server-owned metadata (`uid`, `resourceVersion`,
/// `creationTimestamp`, `managedFields`, deletion state) is dropped and set afresh; owner
/// references are rewritten to the new uids of owners loaded from the same snapshot; missing
/// namespaces are created.
public enum SnapshotLoader {
    /// What a load created.
    public struct Summary: Sendable, Equatable {
        /// Objects created, by kind.
        public var created: [String: Int] = [:]
        /// Namespaces created because objects needed them.
        public var namespacesCreated: [String] = []
    }

    /// Loads the snapshot file at `path` into `store`.
    @discardableResult
    public static func load(path: String, into store: ClusterStore) throws(SimulationLoadError) -> Summary {
        try load(documents: SimYAML.load(path: path), file: path, into: store)
    }

    /// Loads snapshot text (YAML or JSON); `file` names it in errors.
    @discardableResult
    public static func load(text: String, file: String, into store: ClusterStore) throws(SimulationLoadError) -> Summary {
        try load(documents: SimYAML.parseAll(text, file: file), file: file, into: store)
    }

    private static let order = ["Namespace", "Node", "ReplicaSet", "DaemonSet", "Deployment", "PodDisruptionBudget"]

    static func load(documents: [JSONValue], file: String, into store: ClusterStore) throws(SimulationLoadError) -> Summary {
        // Flatten lists and check every item before creating anything.
        var items: [(label: String, resource: ResourceDescriptor, value: JSONValue)] = []
        for (d, document) in documents.enumerated() {
            let prefix = documents.count > 1 ? "document \(d + 1) " : ""
            guard case .object = document else {
                throw .invalidField(file: file, field: "\(prefix)(top level)", value: describe(document),
                                    expected: "an object or a v1 List")
            }
            let kind = document["kind"]?.stringValue ?? ""
            if kind == "List" || kind.hasSuffix("List") {
                guard let list = document["items"]?.arrayValue else {
                    throw .missingField(file: file, field: "\(prefix)items", expected: "the list's objects")
                }
                for (i, item) in list.enumerated() {
                    items.append(try check(item, label: "\(prefix)items[\(i)]", file: file, store: store))
                }
            } else {
                items.append(try check(document, label: prefix.isEmpty ? "object" : String(prefix.dropLast()),
                                       file: file, store: store))
            }
        }
        func rank(_ kind: String) -> Int { order.firstIndex(of: kind) ?? order.count }
        let sorted = items.enumerated().sorted {
            (rank($0.element.resource.kind), $0.offset) < (rank($1.element.resource.kind), $1.offset)
        }.map(\.element)

        var summary = Summary()
        var newUIDs: [String: String] = [:]
        let namespaces = store.descriptor("namespaces")
        for (label, resource, original) in sorted {
            var value = original
            let oldUID = value.simUID
            sanitize(&value, newUIDs: newUIDs)
            let namespace = resource.namespaced ? (value.simNamespace.isEmpty ? "default" : value.simNamespace) : nil
            if let namespace, (try? store.get(namespaces, namespace: nil, name: namespace)) == nil {
                do {
                    try store.create(namespaces, namespace: nil,
                                     object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]])
                    summary.namespacesCreated.append(namespace)
                } catch {
                    throw .rejected(file: file, object: "namespace \(namespace) (needed by \(label))", reason: error.message)
                }
            }
            do {
                let created = try store.create(resource, namespace: namespace, object: value,
                                               options: WriteOptions(keepStatusOnCreate: true))
                if !oldUID.isEmpty { newUIDs[oldUID] = created.simUID }
                summary.created[resource.kind, default: 0] += 1
            } catch {
                if resource.kind == "Namespace", error.code == 409 {
                    if let existing = try? store.get(namespaces, namespace: nil, name: value.simName), !oldUID.isEmpty {
                        newUIDs[oldUID] = existing.simUID
                    }
                    continue
                }
                let name = [namespace, value.simName].compactMap { $0 }.joined(separator: "/")
                throw .rejected(file: file, object: "\(label) (\(resource.kind) \(name))", reason: error.message)
            }
        }
        return summary
    }

    private static func check(_ item: JSONValue, label: String, file: String,
                              store: ClusterStore) throws(SimulationLoadError) -> (String, ResourceDescriptor, JSONValue) {
        guard case .object = item else {
            throw .invalidField(file: file, field: label, value: describe(item), expected: "a Kubernetes object")
        }
        guard let kind = item["kind"]?.stringValue, !kind.isEmpty else {
            throw .missingField(file: file, field: "\(label).kind", expected: "the object's kind, e.g. Pod")
        }
        guard let apiVersion = item["apiVersion"]?.stringValue, !apiVersion.isEmpty else {
            throw .missingField(file: file, field: "\(label).apiVersion", expected: "the object's apiVersion, e.g. v1")
        }
        guard let resource = store.catalog.resource(apiVersion: apiVersion, kind: kind) else {
            throw .unsupportedKind(file: file, item: label, kind: "\(apiVersion) \(kind)")
        }
        guard !item.simName.isEmpty else {
            throw .missingField(file: file, field: "\(label).metadata.name", expected: "the object's name")
        }
        return (label, resource, item)
    }

    /// Drops server-owned metadata and points owner references at the new uids.
    static func sanitize(_ value: inout JSONValue, newUIDs: [String: String]) {
        for field in ["uid", "resourceVersion", "creationTimestamp", "managedFields", "selfLink", "generation",
                      "deletionTimestamp", "deletionGracePeriodSeconds"] {
            value["metadata"]?[field] = nil
        }
        if let refs = value[path: ["metadata", "ownerReferences"]]?.arrayValue {
            value["metadata"]?["ownerReferences"] = .array(refs.map { ref in
                var ref = ref
                if let old = ref["uid"]?.stringValue, let new = newUIDs[old] { ref["uid"] = .string(new) }
                return ref
            })
        }
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let b): String(b)
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .string(let s): "\"\(s)\""
        case .array: "a list"
        case .object: "an object"
        }
    }
}
