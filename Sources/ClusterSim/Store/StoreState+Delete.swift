import Foundation
import KubeModels

/// Deleting objects: preconditions, grace periods, finalizers, namespaces and garbage
/// collection of dependents by owner reference.
extension StoreState {
    mutating func delete(_ resource: ResourceDescriptor, namespace: String?, name: String, options: DeleteOptions,
                         now: Date) throws(APIError) -> DeleteOutcome {
        guard let old = object(resource, namespace: namespace, name: name) else {
            throw APIError.notFound(resource, name: name)
        }
        if let uid = options.preconditionUID, uid != old.uid {
            throw APIError.conflict(resource, name: name,
                detail: "Precondition failed: UID in precondition: \(uid), UID in object meta: \(old.uid)")
        }
        if let rv = options.preconditionResourceVersion, rv != String(old.resourceVersion) {
            throw APIError.conflict(resource, name: name,
                detail: "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(old.resourceVersion)")
        }
        if let grace = options.gracePeriodSeconds, grace < 0 {
            throw APIError.invalid(resource, name: name, errors: [FieldError(
                .invalid, field: "gracePeriodSeconds", value: String(grace), detail: "must be greater than or equal to 0")])
        }
        let grace = Self.gracePeriod(resource, old, requested: options.gracePeriodSeconds)
        let finalizers = old.finalizers
        if old.isTerminating {
            // A second delete may only shorten the grace period.
            let current = old.deletionGracePeriodSeconds ?? 0
            if grace < current {
                var value = old.value
                value["metadata"]?["deletionGracePeriodSeconds"] = .int(grace)
                value["metadata"]?["deletionTimestamp"] = .string(Timestamps.format(now.addingTimeInterval(Double(grace))))
                if options.dryRun { return .pending(value) }
                let stored = commit(resource, key: Self.objectKey(namespace: old.namespace, name: name), value: value)
                emit(resource, type: .modified, object: stored, previous: old)
                if grace == 0, finalizers.isEmpty {
                    return .deleted(remove(resource, stored, propagation: options.propagationPolicy, now: now).value)
                }
                return .pending(stored.value)
            }
            return .pending(old.value)
        }
        if resource.group.isEmpty, resource.plural == "namespaces" {
            if options.dryRun { return .pending(old.value) }
            var value = old.value
            value["metadata"]?["deletionTimestamp"] = .string(Timestamps.format(now))
            value["metadata"]?["deletionGracePeriodSeconds"] = 0
            value["status"] = ["phase": "Terminating"]
            let stored = commit(resource, key: name, value: value)
            emit(resource, type: .modified, object: stored, previous: old)
            beginNamespaceDeletion(name, now: now)
            reapNamespaceIfEmpty(name, now: now)
            return self.object(resource, namespace: nil, name: name).map { .pending($0.value) } ?? .deleted(stored.value)
        }
        if grace > 0 || !finalizers.isEmpty {
            var value = old.value
            value["metadata"]?["deletionTimestamp"] = .string(Timestamps.format(now.addingTimeInterval(Double(grace))))
            value["metadata"]?["deletionGracePeriodSeconds"] = .int(grace)
            if options.propagationPolicy == .foreground, !finalizers.contains("foregroundDeletion") {
                deleteDependents(of: old, propagation: .foreground, now: now, dryRun: options.dryRun)
            }
            if options.dryRun { return .pending(value) }
            let stored = commit(resource, key: Self.objectKey(namespace: old.namespace, name: name), value: value)
            emit(resource, type: .modified, object: stored, previous: old)
            noteBudgetRelevantChange(resource, namespace: old.namespace)
            return .pending(stored.value)
        }
        if options.dryRun { return .deleted(old.value) }
        return .deleted(remove(resource, old, propagation: options.propagationPolicy, now: now).value)
    }

    /// Grace period for this delete: pods use the request, else their spec, else 30 s, and go at
    /// once when unbound or finished; other resources have none.
    static func gracePeriod(_ resource: ResourceDescriptor, _ object: StoredObject, requested: Int64?) -> Int64 {
        guard resource.group.isEmpty, resource.plural == "pods" else { return 0 }
        let value = object.value
        let nodeName = value[path: ["spec", "nodeName"]]?.stringValue ?? ""
        let phase = value[path: ["status", "phase"]]?.stringValue ?? ""
        if nodeName.isEmpty || phase == "Succeeded" || phase == "Failed" { return 0 }
        if let requested { return requested == 0 ? 0 : requested }
        return value[path: ["spec", "terminationGracePeriodSeconds"]]?.intValue ?? 30
    }

    /// Removes the object for good, emits DELETED, then handles its dependents.
    mutating func remove(_ resource: ResourceDescriptor, _ object: StoredObject, propagation: DeleteOptions.Propagation?,
                         now: Date) -> StoredObject {
        let key = Self.objectKey(namespace: object.namespace, name: object.name)
        let tableKey = Self.tableKey(resource)
        tables[tableKey]?.objects[key] = nil
        tables[tableKey]?.sortedKeys = nil
        tables[tableKey]?.byNamespace[object.namespace]?.remove(key)
        for uid in object.ownerUIDs {
            ownerReferenceCounts[uid, default: 1] -= 1
            if ownerReferenceCounts[uid] ?? 0 <= 0 { ownerReferenceCounts[uid] = nil }
        }
        revision += 1
        var value = object.value
        value["metadata"]?["resourceVersion"] = .string(String(revision))
        let last = StoredObject(value: value, resourceVersion: revision)
        emit(resource, type: .deleted, object: last, previous: object)
        mirrorRemove(resource, key: key, revision: revision, now: now)
        noteBudgetRelevantChange(resource, namespace: object.namespace)
        if resource.namespaced {
            objectsPerNamespace[object.namespace, default: 1] -= 1
            reapNamespaceIfEmpty(object.namespace, now: now)
        } else if resource.plural == "namespaces", resource.group.isEmpty {
            objectsPerNamespace[object.name] = nil
        }
        if resource.plural == "namespaces", resource.group.isEmpty {
            // Already empty: nothing to cascade.
        } else if propagation == .orphan {
            orphanDependents(of: object)
        } else {
            deleteDependents(of: object, propagation: propagation ?? .background, now: now, dryRun: false)
        }
        return last
    }

    /// Every object (any resource) with an owner reference to `owner`.
    func dependents(of owner: StoredObject) -> [(ResourceDescriptor, StoredObject)] {
        let uid = owner.uid
        guard !uid.isEmpty, (ownerReferenceCounts[uid] ?? 0) > 0 else { return [] }
        var found: [(ResourceDescriptor, StoredObject)] = []
        for resource in catalog.resources {
            guard let table = tables[Self.tableKey(resource)] else { continue }
            for object in table.objects.values where object.ownerUIDs.contains(uid) {
                if resource.namespaced, owner.namespace != "", object.namespace != owner.namespace { continue }
                found.append((resource, object))
            }
        }
        return found
    }

    mutating func deleteDependents(of owner: StoredObject, propagation: DeleteOptions.Propagation, now: Date, dryRun: Bool) {
        guard !dryRun else { return }
        for (resource, dependent) in dependents(of: owner) {
            let otherOwners = dependent.ownerUIDs.filter { $0 != owner.uid }
            if !otherOwners.isEmpty, otherOwners.contains(where: { ownerExists(uid: $0) }) {
                dropOwnerReference(resource, dependent, uid: owner.uid)
            } else {
                _ = try? delete(resource, namespace: dependent.namespace, name: dependent.name,
                                options: DeleteOptions(propagationPolicy: propagation), now: now)
            }
        }
    }

    mutating func orphanDependents(of owner: StoredObject) {
        for (resource, dependent) in dependents(of: owner) { dropOwnerReference(resource, dependent, uid: owner.uid) }
    }

    mutating func dropOwnerReference(_ resource: ResourceDescriptor, _ object: StoredObject, uid: String) {
        var value = object.value
        let refs = value[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []
        let kept = refs.filter { $0["uid"]?.stringValue != uid }
        value["metadata"]?["ownerReferences"] = kept.isEmpty ? nil : .array(kept)
        let stored = commit(resource, key: Self.objectKey(namespace: object.namespace, name: object.name), value: value)
        emit(resource, type: .modified, object: stored, previous: object)
    }

    func ownerExists(uid: String) -> Bool {
        for table in tables.values where table.objects.values.contains(where: { $0.uid == uid }) { return true }
        return false
    }

    /// Deleting a namespace deletes its contents; the namespace goes once it is empty.
    mutating func beginNamespaceDeletion(_ namespace: String, now: Date) {
        for resource in catalog.resources where resource.namespaced {
            let key = Self.tableKey(resource)
            let names = (tables[key]?.objects(inNamespace: namespace) ?? []).map(\.name)
            for name in names {
                _ = try? delete(resource, namespace: namespace, name: name, options: DeleteOptions(), now: now)
            }
        }
    }

    mutating func reapNamespaceIfEmpty(_ namespace: String, now: Date) {
        guard (objectsPerNamespace[namespace] ?? 0) <= 0,
              let namespaces = catalog.resource(group: "", plural: "namespaces"),
              let ns = object(namespaces, namespace: nil, name: namespace), ns.isTerminating else { return }
        _ = remove(namespaces, ns, propagation: nil, now: now)
    }
}
