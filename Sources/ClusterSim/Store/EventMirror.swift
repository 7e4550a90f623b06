import Foundation
import KubeModels

/// core/v1 Events and events.k8s.io/v1 Events are one object seen through two APIs, as in the
/// real API server. ClusterSim keeps one table per API and mirrors every write into the other,
/// converting field names, with the same name, UID and resourceVersion.
enum EventMirror {
    /// core/v1 field ↔ events.k8s.io/v1 field.
    static let renames: [(core: String, events: String)] = [
        ("involvedObject", "regarding"), ("message", "note"), ("reportingComponent", "reportingController"),
        ("source", "deprecatedSource"), ("firstTimestamp", "deprecatedFirstTimestamp"),
        ("lastTimestamp", "deprecatedLastTimestamp"), ("count", "deprecatedCount"),
    ]

    /// The other API's resource for an Event resource, or `nil` for everything else.
    static func mirror(of resource: ResourceDescriptor, in catalog: ResourceCatalog) -> ResourceDescriptor? {
        guard resource.plural == "events" else { return nil }
        switch resource.group {
        case "": return catalog.resource(group: "events.k8s.io", plural: "events")
        case "events.k8s.io": return catalog.resource(group: "", plural: "events")
        default: return nil
        }
    }

    /// Converts an Event to the shape of `target`'s API.
    static func convert(_ event: JSONValue, to target: ResourceDescriptor) -> JSONValue {
        guard case .object(var members) = event else { return event }
        let toCore = target.group.isEmpty
        for (core, events) in renames {
            let (from, to) = toCore ? (events, core) : (core, events)
            if let value = members.removeValue(forKey: from) { members[to] = value }
        }
        members["apiVersion"] = .string(target.apiVersion)
        members["kind"] = "Event"
        return .object(members)
    }
}

extension StoreState {
    /// Writes the mirror of an Event just committed (same revision).
    mutating func mirrorCommit(_ resource: ResourceDescriptor, key: String, stored: StoredObject) {
        guard let mirror = EventMirror.mirror(of: resource, in: catalog) else { return }
        let value = EventMirror.convert(stored.value, to: mirror)
        let copy = StoredObject(value: value, resourceVersion: stored.resourceVersion)
        let tableKey = Self.tableKey(mirror)
        let previous = tables[tableKey]?.objects[key]
        tables[tableKey, default: Table()].objects[key] = copy
        if previous == nil {
            tables[tableKey]?.sortedKeys = nil
            tables[tableKey]?.byNamespace[copy.namespace, default: []].insert(key)
            if mirror.namespaced { objectsPerNamespace[copy.namespace, default: 0] += 1 }
        }
        emit(mirror, type: previous == nil ? .added : .modified, object: copy, previous: previous)
    }

    /// Removes the mirror of an Event just removed.
    mutating func mirrorRemove(_ resource: ResourceDescriptor, key: String, revision: UInt64, now: Date) {
        guard let mirror = EventMirror.mirror(of: resource, in: catalog) else { return }
        let tableKey = Self.tableKey(mirror)
        guard let previous = tables[tableKey]?.objects.removeValue(forKey: key) else { return }
        tables[tableKey]?.sortedKeys = nil
        tables[tableKey]?.byNamespace[previous.namespace]?.remove(key)
        var value = previous.value
        value["metadata"]?["resourceVersion"] = .string(String(revision))
        emit(mirror, type: .deleted, object: StoredObject(value: value, resourceVersion: revision), previous: previous)
        if mirror.namespaced { objectsPerNamespace[previous.namespace, default: 1] -= 1 }
    }
}
