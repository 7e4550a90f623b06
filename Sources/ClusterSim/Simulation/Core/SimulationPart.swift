import Foundation
import KubeModels

/// One switchable part of the simulated world (kubelets, scheduler, a controller, the cloud).
///
/// A part is level-triggered like a real controller: each ``reconcile()`` looks at the store and
/// the clock and makes the writes needed now. ``ClusterSimulation`` calls it whenever a resource
/// in ``triggers`` changes and every ``tickInterval`` of simulated time; tests call it through
/// ``ClusterSimulation/settle(maxRounds:)``. Calls never overlap.
public protocol SimulationPart: AnyObject, Sendable {
    /// A short name for logs and errors (`scheduler`, `kubelets`).
    var name: String { get }
    /// The resources whose changes should wake the part.
    var triggers: [ResourceDescriptor] { get }
    /// How often the part wakes on its own, in simulated time, for time-based work.
    var tickInterval: Duration { get }
    /// One pass; returns how many writes it made (0: nothing to do now).
    func reconcile() -> Int
}

extension JSONValue {
    /// `metadata.name`.
    var simName: String { self[path: ["metadata", "name"]]?.stringValue ?? "" }
    /// `metadata.namespace`.
    var simNamespace: String { self[path: ["metadata", "namespace"]]?.stringValue ?? "" }
    var simUID: String { self[path: ["metadata", "uid"]]?.stringValue ?? "" }
    var simLabels: [String: String] {
        guard let members = self[path: ["metadata", "labels"]]?.objectValue else { return [:] }
        var labels: [String: String] = [:]
        for (k, v) in members { if let s = v.stringValue { labels[k] = s } }
        return labels
    }
    /// Whether `metadata.deletionTimestamp` is set.
    var simIsTerminating: Bool { self[path: ["metadata", "deletionTimestamp"]].map { !$0.isNull } ?? false }
    /// `spec.nodeName` of a pod ("" when unbound).
    var simNodeName: String { self[path: ["spec", "nodeName"]]?.stringValue ?? "" }
    /// `status.phase` of a pod.
    var simPhase: String { self[path: ["status", "phase"]]?.stringValue ?? "" }
    /// The uid of the controlling owner reference, when there is one.
    var simControllerUID: String? {
        for ref in self[path: ["metadata", "ownerReferences"]]?.arrayValue ?? [] where ref["controller"]?.boolValue == true {
            return ref["uid"]?.stringValue
        }
        return nil
    }

    /// The condition of `type` in `status.conditions`.
    func simCondition(_ type: String) -> JSONValue? {
        self[path: ["status", "conditions"]]?.arrayValue?.first { $0["type"]?.stringValue == type }
    }

    /// Sets (replacing) the condition with the same `type` in `status.conditions`, keeping
    /// `lastTransitionTime` when the status did not change.
    mutating func simSetCondition(_ condition: JSONValue) {
        guard let type = condition["type"]?.stringValue else { return }
        if self["status"] == nil || self["status"]?.isNull == true { self["status"] = .object([:]) }
        var conditions = self[path: ["status", "conditions"]]?.arrayValue ?? []
        var condition = condition
        if let index = conditions.firstIndex(where: { $0["type"]?.stringValue == type }) {
            if conditions[index]["status"] == condition["status"], let kept = conditions[index]["lastTransitionTime"] {
                condition["lastTransitionTime"] = kept
            }
            conditions[index] = condition
        } else {
            conditions.append(condition)
        }
        self["status"]?["conditions"] = .array(conditions)
    }

    /// Decodes through the compact JSON encoder the store uses.
    func simDecode<T: Decodable>(_ type: T.Type) -> T? {
        try? JSONDecoder().decode(T.self, from: Data(JSONCodec.serialize(self)))
    }
}

extension StoredObject {
    /// Decodes the stored JSON bytes (no re-encoding).
    func decode<T: Decodable>(_ type: T.Type) -> T? {
        try? JSONDecoder().decode(T.self, from: Data(json))
    }
}

extension ClusterStore {
    /// Every stored object of `resource` (no filter, no paging).
    func allStored(_ resource: ResourceDescriptor) -> [StoredObject] {
        (try? list(resource))?.items ?? []
    }

    /// The standard descriptor for `plural` in `group`; the catalog always has the ones the
    /// simulation uses.
    func descriptor(_ plural: String, group: String = "") -> ResourceDescriptor {
        guard let resource = resource(plural, group: group) else {
            preconditionFailure("ClusterSim's catalog lacks \(plural).\(group), which the simulation needs")
        }
        return resource
    }
}
