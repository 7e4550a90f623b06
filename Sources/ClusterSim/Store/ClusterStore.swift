import Foundation
import KubeModels
import MendTime
import Synchronization

/// ClusterSim's in-memory object store: the API server's "etcd" plus its REST semantics.
///
/// Every object lives under its resource, namespace and name. One global revision counter gives
/// each write a new `resourceVersion`; recent changes are kept in a bounded history so watches can
/// resume. All operations are synchronous and atomic (one lock), so the simulation can call them
/// from anywhere; the HTTP server is a thin layer over the same calls.
///
/// The store applies the API server's rules: optimistic concurrency, generation, status
/// subresource isolation, graceful pod deletion, finalizers, owner-reference garbage collection,
/// and keeps PodDisruptionBudget status current (the disruption controller).
public final class ClusterStore: Sendable {
    /// The resource types served.
    public let catalog: ResourceCatalog
    let clock: any MendClock
    let state: Mutex<StoreState>

    /// - Parameters:
    ///   - catalog: the resource types to serve.
    ///   - clock: the source of timestamps (creation, deletion, disruption expiry).
    ///   - historyLimit: how many recent changes a watch can resume from.
    public init(catalog: ResourceCatalog = .standard, clock: any MendClock = SystemClock(), historyLimit: Int = 20_000) {
        self.catalog = catalog
        self.clock = clock
        var initial = StoreState(catalog: catalog, historyLimit: max(16, historyLimit))
        let namespaces = catalog.resource(group: "", plural: "namespaces")
        for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            guard let namespaces else { break }
            _ = try? initial.create(namespaces, namespace: nil,
                                    object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]],
                                    options: WriteOptions(), now: clock.now)
        }
        state = Mutex(initial)
    }

    /// The resource served as `plural` in `group` (`""` for core).
    public func resource(_ plural: String, group: String = "") -> ResourceDescriptor? {
        catalog.resource(group: group, plural: plural)
    }

    /// The current global revision (the `resourceVersion` of the latest write).
    public var currentRevision: UInt64 { state.withLock { $0.revision } }

    // MARK: Reads

    /// The object, or 404.
    public func get(_ resource: ResourceDescriptor, namespace: String?, name: String) throws(APIError) -> JSONValue {
        try getStored(resource, namespace: namespace, name: name).value
    }

    func getStored(_ resource: ResourceDescriptor, namespace: String?, name: String) throws(APIError) -> StoredObject {
        let now = clock.now
        return try state.withLock { (s) throws(APIError) -> StoredObject in
            s.reconcileDisruptionBudgetsIfNeeded(for: resource, now: now)
            guard let object = s.object(resource, namespace: namespace, name: name) else {
                throw APIError.notFound(resource, name: name)
            }
            return object
        }
    }

    /// One page of matching objects, ordered by namespace and name.
    public func list(_ resource: ResourceDescriptor, options: ListOptions = ListOptions()) throws(APIError) -> ListPage {
        let now = clock.now
        return try state.withLock { (s) throws(APIError) -> ListPage in
            s.reconcileDisruptionBudgetsIfNeeded(for: resource, now: now)
            return try s.list(resource, options: options)
        }
    }

    /// All matching objects' values (no paging).
    public func listValues(_ resource: ResourceDescriptor, filter: ObjectFilter = ObjectFilter()) -> [JSONValue] {
        ((try? list(resource, options: ListOptions(filter: filter)))?.items ?? []).map(\.value)
    }

    // MARK: Writes

    /// Creates `object` (in `namespace` for namespaced resources) and returns it as stored.
    @discardableResult
    public func create(_ resource: ResourceDescriptor, namespace: String?, object: JSONValue,
                       options: WriteOptions = WriteOptions()) throws(APIError) -> JSONValue {
        let now = clock.now
        return try state.withLock { (s) throws(APIError) -> JSONValue in
            s.value(of: try s.create(resource, namespace: namespace, object: object, options: options, now: now))
        }
    }

    /// Replaces the object (PUT). A non-empty `metadata.resourceVersion` must match (else 409).
    @discardableResult
    public func update(_ resource: ResourceDescriptor, namespace: String?, name: String, object: JSONValue,
                       subresource: Subresource = .main, options: WriteOptions = WriteOptions()) throws(APIError) -> JSONValue {
        let now = clock.now
        return try state.withLock { (s) throws(APIError) -> JSONValue in
            guard let old = s.object(resource, namespace: namespace, name: name) else {
                throw APIError.notFound(resource, name: name)
            }
            return s.value(of: try s.update(resource, old: old, proposed: object, subresource: subresource, options: options, now: now))
        }
    }

    /// Reads, transforms and writes the object atomically (the basis of PATCH).
    ///
    /// When the transformed object carries a `metadata.resourceVersion` different from the current
    /// one, the write fails with 409 Conflict, as a patch with a resourceVersion does.
    @discardableResult
    public func modify(_ resource: ResourceDescriptor, namespace: String?, name: String,
                       subresource: Subresource = .main, options: WriteOptions = WriteOptions(),
                       _ transform: (JSONValue) throws(APIError) -> JSONValue) throws(APIError) -> JSONValue {
        let now = clock.now
        return try state.withLock { (s) throws(APIError) -> JSONValue in
            guard let old = s.object(resource, namespace: namespace, name: name) else {
                throw APIError.notFound(resource, name: name)
            }
            var proposed = try transform(old.value)
            // A patch that leaves the version untouched is unconditional; one that changes it is a precondition.
            if proposed[path: ["metadata", "resourceVersion"]] == nil, proposed["metadata"] != nil {
                proposed["metadata"]?["resourceVersion"] = .string(String(old.resourceVersion))
            }
            return s.value(of: try s.update(resource, old: old, proposed: proposed, subresource: subresource, options: options, now: now))
        }
    }

    /// Applies a patch document of the given type to the object.
    @discardableResult
    public func patch(_ resource: ResourceDescriptor, namespace: String?, name: String, type: PatchType,
                      body: [UInt8], subresource: Subresource = .main, options: WriteOptions = WriteOptions(),
                      fieldManager: String? = nil, force: Bool = false) throws(APIError) -> JSONValue {
        if type == .apply {
            return try apply(resource, namespace: namespace, name: name, body: body, subresource: subresource,
                             options: options, fieldManager: fieldManager, force: force)
        }
        let document = try PatchDocument.parse(type: type, body: body)
        return try modify(resource, namespace: namespace, name: name, subresource: subresource, options: options) {
            (current) throws(APIError) -> JSONValue in
            try document.apply(to: current, resource: resource)
        }
    }

    /// Deletes the object, honouring grace periods, finalizers, preconditions and propagation.
    @discardableResult
    public func delete(_ resource: ResourceDescriptor, namespace: String?, name: String,
                       options: DeleteOptions = DeleteOptions()) throws(APIError) -> DeleteOutcome {
        let now = clock.now
        return try state.withLock { (s) throws(APIError) -> DeleteOutcome in
            try s.delete(resource, namespace: namespace, name: name, options: options, now: now)
        }
    }

    /// Deletes every matching object (deletecollection); returns what each delete did.
    @discardableResult
    public func deleteCollection(_ resource: ResourceDescriptor, filter: ObjectFilter,
                                 options: DeleteOptions = DeleteOptions()) throws(APIError) -> [DeleteOutcome] {
        let now = clock.now
        return try state.withLock { (s) throws(APIError) -> [DeleteOutcome] in
            let page = try s.list(resource, options: ListOptions(filter: filter))
            var outcomes: [DeleteOutcome] = []
            for item in page.items {
                if let outcome = try? s.delete(resource, namespace: item.namespace.isEmpty ? nil : item.namespace,
                                               name: item.name, options: options, now: now) {
                    outcomes.append(outcome)
                }
            }
            return outcomes
        }
    }

    /// Completes a pod's graceful deletion, as the kubelet does once its containers stopped
    /// (a delete with grace period 0). Finalizers still hold the object.
    @discardableResult
    public func finalizeDeletion(_ resource: ResourceDescriptor, namespace: String?, name: String) throws(APIError) -> DeleteOutcome {
        try delete(resource, namespace: namespace, name: name, options: DeleteOptions(gracePeriodSeconds: 0))
    }

    // MARK: History

    /// Drops the whole watch history: watches resuming from any earlier version get 410 Expired,
    /// and outstanding list `continue` tokens expire.
    public func compactHistory() {
        state.withLock { $0.compactAll() }
    }

    /// The oldest revision a watch can resume from (exclusive lower bound).
    public var compactedRevision: UInt64 { state.withLock { $0.compactedThrough } }

    /// Brings every PodDisruptionBudget's status up to date now.
    public func reconcileDisruptionBudgets() {
        let now = clock.now
        state.withLock { $0.reconcileAllDisruptionBudgets(now: now) }
    }
}
