import Foundation
import KubeModels

/// Creating and updating objects: defaults, validation, optimistic concurrency, generation,
/// status isolation and no-op detection.
extension StoreState {
    mutating func create(_ resource: ResourceDescriptor, namespace requestNamespace: String?, object: JSONValue,
                         options: WriteOptions, now: Date) throws(APIError) -> StoredObject {
        guard case .object = object else { throw APIError.badRequest("the body of the request must be a JSON object") }
        var value = object
        var metadata = value["metadata"]?.objectValue ?? [:]
        let bodyNamespace = metadata["namespace"]?.stringValue ?? ""
        var namespace = ""
        if resource.namespaced {
            let requested = requestNamespace ?? ""
            if !requested.isEmpty, !bodyNamespace.isEmpty, requested != bodyNamespace {
                throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            namespace = requested.isEmpty ? bodyNamespace : requested
            if namespace.isEmpty { namespace = "default" }
            metadata["namespace"] = .string(namespace)
        } else {
            metadata["namespace"] = nil
        }
        var name = metadata["name"]?.stringValue ?? ""
        if name.isEmpty, let prefix = metadata["generateName"]?.stringValue, !prefix.isEmpty {
            name = String(prefix.prefix(58)) + Self.randomSuffix()
            metadata["name"] = .string(name)
        }
        try Validation.validateCreate(resource, value: value, metadata: metadata, name: name)
        // Namespaced objects need their namespace (when the catalog serves namespaces at all).
        if resource.namespaced, let namespaces = catalog.resource(group: "", plural: "namespaces") {
            guard let ns = self.object(namespaces, namespace: nil, name: namespace) else {
                throw APIError.notFound(namespaces, name: namespace)
            }
            if ns.isTerminating {
                throw APIError.forbidden(resource, name: name,
                    detail: "unable to create new content in namespace \(namespace) because it is being terminated")
            }
        }
        if self.object(resource, namespace: namespace, name: name) != nil {
            throw APIError.alreadyExists(resource, name: name)
        }
        metadata["uid"] = .string(UUID().uuidString.lowercased())
        metadata["creationTimestamp"] = .string(Timestamps.format(now))
        metadata["deletionTimestamp"] = nil
        metadata["deletionGracePeriodSeconds"] = nil
        if resource.tracksGeneration { metadata["generation"] = 1 } else { metadata["generation"] = nil }
        value["metadata"] = .object(metadata)
        value["apiVersion"] = .string(resource.apiVersion)
        value["kind"] = .string(resource.kind)
        Defaults.applyOnCreate(resource, to: &value, keepStatus: options.keepStatusOnCreate)
        if options.dryRun { return StoredObject(value: value, resourceVersion: revision) }
        let stored = commit(resource, key: Self.objectKey(namespace: namespace, name: name), value: value)
        objectsPerNamespace[namespace, default: 0] += resource.namespaced ? 1 : 0
        emit(resource, type: .added, object: stored, previous: nil)
        noteBudgetRelevantChange(resource, namespace: namespace)
        return stored
    }

    static func randomSuffix() -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String((0..<5).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
    }

    /// Gives `value` the next revision and stores it.
    mutating func commit(_ resource: ResourceDescriptor, key: String, value: JSONValue) -> StoredObject {
        revision += 1
        var value = value
        value["metadata"]?["resourceVersion"] = .string(String(revision))
        let stored = StoredObject(value: value, resourceVersion: revision)
        lastCommitted = (stored, value)
        let tableKey = Self.tableKey(resource)
        let previous = tables[tableKey]?.objects[key]
        tables[tableKey, default: Table()].objects[key] = stored
        if previous == nil {
            tables[tableKey]?.sortedKeys = nil
            tables[tableKey]?.byNamespace[stored.namespace, default: []].insert(key)
        }
        let before = previous?.ownerUIDs ?? []
        let after = stored.ownerUIDs
        if before != after {
            for uid in before { ownerReferenceCounts[uid, default: 1] -= 1 }
            for uid in after { ownerReferenceCounts[uid, default: 0] += 1 }
        }
        mirrorCommit(resource, key: key, stored: stored)
        return stored
    }

    // MARK: Update

    mutating func update(_ resource: ResourceDescriptor, old: StoredObject, proposed: JSONValue, subresource: Subresource,
                         options: WriteOptions, now: Date) throws(APIError) -> StoredObject {
        guard case .object = proposed else { throw APIError.badRequest("the body of the request must be a JSON object") }
        let name = old.name
        if let bodyName = proposed[path: ["metadata", "name"]]?.stringValue, !bodyName.isEmpty, bodyName != name {
            throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        if resource.namespaced, let bodyNamespace = proposed[path: ["metadata", "namespace"]]?.stringValue,
           !bodyNamespace.isEmpty, bodyNamespace != old.namespace {
            throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        if let rv = proposed[path: ["metadata", "resourceVersion"]]?.stringValue, !rv.isEmpty, rv != String(old.resourceVersion) {
            throw APIError.staleResourceVersion(resource, name: name)
        }
        let oldValue = old.value
        var value: JSONValue
        switch subresource {
        case .status:
            value = oldValue
            value["status"] = proposed["status"]
        case .main:
            value = proposed
            if resource.hasStatus { value["status"] = oldValue["status"] }
            // Fields the server owns.
            for field in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "namespace", "name"] {
                value["metadata"]?[field] = oldValue[path: ["metadata", field]]
            }
            value["apiVersion"] = .string(resource.apiVersion)
            value["kind"] = .string(resource.kind)
            if old.isTerminating {
                // Finalizers may only be removed from a terminating object, not added.
                let before = Set(old.finalizers)
                let after = value[path: ["metadata", "finalizers"]]?.arrayValue?.compactMap(\.stringValue) ?? []
                if let added = after.first(where: { !before.contains($0) }) {
                    throw APIError.invalid(resource, name: name, errors: [FieldError(
                        .forbidden, field: "metadata.finalizers",
                        detail: "no new finalizers can be added if the object is being deleted, found new finalizers []string{\"\(added)\"}")])
                }
            }
            try Validation.validateUpdate(resource, old: oldValue, new: value, name: name)
            if resource.tracksGeneration, Self.specChanged(oldValue, value) {
                let generation = oldValue[path: ["metadata", "generation"]]?.intValue ?? 1
                value["metadata"]?["generation"] = .int(generation + 1)
            }
        }
        if case .object = value["metadata"] ?? .null {} else { value["metadata"] = .object([:]) }
        value["metadata"]?["resourceVersion"] = .string(String(old.resourceVersion))
        if value == oldValue { return old }  // a no-op write changes nothing, not even the version
        if options.dryRun { return StoredObject(value: value, resourceVersion: old.resourceVersion) }
        let key = Self.objectKey(namespace: old.namespace, name: name)
        let stored = commit(resource, key: key, value: value)
        emit(resource, type: .modified, object: stored, previous: old)
        noteBudgetRelevantChange(resource, namespace: old.namespace)
        if stored.isTerminating, stored.finalizers.isEmpty, Self.graceElapsed(stored) {
            return remove(resource, stored, propagation: nil, now: now)
        }
        return stored
    }

    static func specChanged(_ old: JSONValue, _ new: JSONValue) -> Bool {
        guard let o = old.objectValue, let n = new.objectValue else { return true }
        let keys = Set(o.keys).union(n.keys).subtracting(["metadata", "status", "apiVersion", "kind"])
        return keys.contains { o[$0] != n[$0] }
    }

    /// Whether a terminating object's grace period is over (always for non-pods).
    static func graceElapsed(_ object: StoredObject) -> Bool {
        (object.deletionGracePeriodSeconds ?? 0) == 0
    }
}
