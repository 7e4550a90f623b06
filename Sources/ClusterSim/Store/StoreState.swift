import Foundation
import KubeModels

/// The store's data, always accessed under the store's lock.
struct StoreState {
    struct Table {
        var objects: [String: StoredObject] = [:]
        /// Keys in order, rebuilt lazily after creates and deletes (updates keep the order).
        var sortedKeys: [String]? = []
        /// Keys per namespace (cluster-scoped objects under "").
        var byNamespace: [String: Set<String>] = [:]

        func objects(inNamespace namespace: String) -> [StoredObject] {
            (byNamespace[namespace] ?? []).compactMap { objects[$0] }
        }
    }

    let catalog: ResourceCatalog
    var tables: [String: Table] = [:]
    var revision: UInt64 = 0
    var history: EventHistory
    /// Changes at or before this revision are no longer in the history.
    var compactedThrough: UInt64 = 0
    /// `continue` tokens issued at or before this revision have expired.
    var listsExpiredThrough: UInt64 = 0
    var watchers: [UInt64: Watcher] = [:]
    var nextWatcherID: UInt64 = 0
    var objectsPerNamespace: [String: Int] = [:]
    var dirtyBudgetNamespaces: Set<String> = []
    /// How many objects name each owner UID in their ownerReferences (skips GC scans for the rest).
    var ownerReferenceCounts: [String: Int] = [:]
    var budgetsDirtyEverywhere = true

    init(catalog: ResourceCatalog, historyLimit: Int) {
        self.catalog = catalog
        self.history = EventHistory(capacity: historyLimit)
    }

    static func tableKey(_ r: ResourceDescriptor) -> String { "\(r.group)/\(r.plural)" }

    static func objectKey(namespace: String?, name: String) -> String {
        if let namespace, !namespace.isEmpty { return namespace + "/" + name }
        return name
    }

    func object(_ resource: ResourceDescriptor, namespace: String?, name: String) -> StoredObject? {
        tables[Self.tableKey(resource)]?.objects[Self.objectKey(namespace: resource.namespaced ? namespace : nil, name: name)]
    }

    // MARK: List

    mutating func sortedKeys(_ key: String) -> [String] {
        if let keys = tables[key]?.sortedKeys { return keys }
        let keys = (tables[key]?.objects.keys).map { $0.sorted() } ?? []
        tables[key, default: Table()].sortedKeys = keys
        return keys
    }

    mutating func list(_ resource: ResourceDescriptor, options: ListOptions) throws(APIError) -> ListPage {
        let key = Self.tableKey(resource)
        var startAfter: String?
        if let token = options.continueToken, !token.isEmpty {
            let decoded = try ContinueToken.decode(token)
            if decoded.revision <= listsExpiredThrough {
                throw APIError.expired(
                    "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.")
            }
            startAfter = decoded.lastKey
        }
        let keys = sortedKeys(key)
        let objects = tables[key]?.objects ?? [:]
        var start = 0
        var prefixEnd = keys.count
        if resource.namespaced, let ns = options.filter.namespace {
            // Keys are "ns/name": the namespace is one contiguous run.
            let prefix = ns + "/"
            start = Self.lowerBound(keys, prefix)
            prefixEnd = Self.lowerBound(keys, ns + "0")  // "0" sorts right after "/"
        }
        if let startAfter {
            start = max(start, Self.upperBound(keys, startAfter))
        }
        var items: [StoredObject] = []
        var index = start
        let limit = options.limit > 0 ? options.limit : Int.max
        while index < prefixEnd, items.count < limit {
            if let object = objects[keys[index]], options.filter.matches(object) { items.append(object) }
            index += 1
        }
        var token: String?
        var remaining: Int?
        if items.count == limit, index < prefixEnd {
            if options.filter.labels == nil, options.filter.fields.isEmpty {
                // Every key in range matches: the count is known without looking.
                token = ContinueToken(revision: revision, lastKey: keys[index - 1]).encoded
                remaining = prefixEnd - index
            } else {
                // With selectors the API server does not count the rest; only promise more if one matches.
                var probe = index
                while probe < prefixEnd {
                    if let object = objects[keys[probe]], options.filter.matches(object) {
                        token = ContinueToken(revision: revision, lastKey: keys[index - 1]).encoded
                        break
                    }
                    probe += 1
                }
            }
        }
        return ListPage(items: items, resourceVersion: revision, continueToken: token, remainingItemCount: remaining)
    }

    static func lowerBound(_ keys: [String], _ value: String) -> Int {
        var low = 0, high = keys.count
        while low < high {
            let mid = (low + high) / 2
            if keys[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
    }

    static func upperBound(_ keys: [String], _ value: String) -> Int {
        var low = 0, high = keys.count
        while low < high {
            let mid = (low + high) / 2
            if keys[mid] <= value { low = mid + 1 } else { high = mid }
        }
        return low
    }

    // MARK: Create

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
        if resource.namespaced {
            let namespaces = catalog.resource(group: "", plural: "namespaces")!
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
        var value: JSONValue
        switch subresource {
        case .status:
            value = old.value
            value["status"] = proposed["status"]
        case .main:
            value = proposed
            if resource.hasStatus { value["status"] = old.value["status"] }
            // Fields the server owns.
            for field in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "namespace", "name"] {
                value["metadata"]?[field] = old.value[path: ["metadata", field]]
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
            try Validation.validateUpdate(resource, old: old.value, new: value, name: name)
            if resource.tracksGeneration, Self.specChanged(old.value, value) {
                let generation = old.value[path: ["metadata", "generation"]]?.intValue ?? 1
                value["metadata"]?["generation"] = .int(generation + 1)
            }
        }
        if case .object = value["metadata"] ?? .null {} else { value["metadata"] = .object([:]) }
        value["metadata"]?["resourceVersion"] = .string(String(old.resourceVersion))
        if value == old.value { return old }  // a no-op write changes nothing, not even the version
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
        (object.value[path: ["metadata", "deletionGracePeriodSeconds"]]?.intValue ?? 0) == 0
    }

    // MARK: Delete

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
            let current = old.value[path: ["metadata", "deletionGracePeriodSeconds"]]?.intValue ?? 0
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
        let nodeName = object.value[path: ["spec", "nodeName"]]?.stringValue ?? ""
        let phase = object.value[path: ["status", "phase"]]?.stringValue ?? ""
        if nodeName.isEmpty || phase == "Succeeded" || phase == "Failed" { return 0 }
        if let requested { return requested == 0 ? 0 : requested }
        return object.value[path: ["spec", "terminationGracePeriodSeconds"]]?.intValue ?? 30
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

    // MARK: History and watchers

    mutating func emit(_ resource: ResourceDescriptor, type: WatchEventType, object: StoredObject, previous: StoredObject?) {
        let event = StoreEvent(type: type, object: object, previous: previous, resourceKey: Self.tableKey(resource))
        if let dropped = history.append(event) { compactedThrough = max(compactedThrough, dropped.resourceVersion) }
        guard !watchers.isEmpty else { return }
        var closed: [UInt64] = []
        for (id, watcher) in watchers where watcher.resourceKey == event.resourceKey {
            if !watcher.offer(event) { closed.append(id) }
        }
        for id in closed { watchers[id]?.sink.finish(error: nil); watchers[id] = nil }
    }

    mutating func compactAll() {
        compactedThrough = revision
        listsExpiredThrough = revision
        history.removeAll()
    }
}

/// A bounded ring of recent changes.
struct EventHistory {
    private var buffer: [StoreEvent?]
    private var head = 0
    private(set) var count = 0

    init(capacity: Int) { buffer = Array(repeating: nil, count: capacity) }

    /// Appends; returns the event pushed out, if any.
    mutating func append(_ event: StoreEvent) -> StoreEvent? {
        let index = (head + count) % buffer.count
        if count == buffer.count {
            let dropped = buffer[head]
            buffer[head] = event
            head = (head + 1) % buffer.count
            return dropped
        }
        buffer[index] = event
        count += 1
        return nil
    }

    mutating func removeAll() {
        for i in buffer.indices { buffer[i] = nil }
        head = 0
        count = 0
    }

    /// Events after `revision`, oldest first.
    func events(after revision: UInt64) -> [StoreEvent] {
        var result: [StoreEvent] = []
        // Binary search over the ring for the first event past `revision`.
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if buffer[(head + mid) % buffer.count]!.resourceVersion <= revision { low = mid + 1 } else { high = mid }
        }
        for i in low..<count { result.append(buffer[(head + i) % buffer.count]!) }
        return result
    }
}

/// The opaque `continue` token of a paged list.
struct ContinueToken {
    var revision: UInt64
    var lastKey: String

    var encoded: String {
        let json = JSONCodec.serialize(["v": "meta.k8s.io/v1", "rv": .int(Int64(revision)), "start": .string(lastKey)])
        return Data(json).base64EncodedString()
    }

    static func decode(_ token: String) throws(APIError) -> ContinueToken {
        var padded = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while padded.count % 4 != 0 { padded += "=" }
        guard let data = Data(base64Encoded: padded), let json = try? JSONCodec.parse(data),
              let rv = json["rv"]?.intValue, let start = json["start"]?.stringValue else {
            throw APIError.badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
        }
        return ContinueToken(revision: UInt64(rv), lastKey: start)
    }
}
