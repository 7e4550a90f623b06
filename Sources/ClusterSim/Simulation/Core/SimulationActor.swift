import Foundation
import KubeModels

/// How one simulated component (scheduler, a kubelet, a controller, the cloud) writes to the
/// store: through the store's in-process API, recording each write in the audit log under the
/// component's user name, as the API server would for the real component.
public struct SimulationActor: Sendable {
    /// The audit user, e.g. `system:kube-scheduler` or `system:node:ip-10-0-0-1`.
    public let user: String
    /// The audit user agent, e.g. `clustersim/scheduler`.
    public let userAgent: String
    let store: ClusterStore
    let audit: AuditLog?

    init(user: String, userAgent: String, store: ClusterStore, audit: AuditLog?) {
        self.user = user
        self.userAgent = userAgent
        self.store = store
        self.audit = audit
    }

    /// The same component acting under another user (a kubelet acting for one node).
    func acting(as user: String) -> SimulationActor {
        SimulationActor(user: user, userAgent: userAgent, store: store, audit: audit)
    }

    // MARK: Writes

    @discardableResult
    func create(_ resource: ResourceDescriptor, namespace: String?, object: JSONValue,
                keepStatus: Bool = false) throws(APIError) -> JSONValue {
        let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        return try recorded("create", resource, subresource: "", namespace: namespace, name: name) { () throws(APIError) in
            try store.create(resource, namespace: namespace, object: object,
                             options: WriteOptions(keepStatusOnCreate: keepStatus))
        }
    }

    /// Reads, transforms and writes back (a patch); `status` for the status subresource.
    @discardableResult
    func modify(_ resource: ResourceDescriptor, namespace: String?, name: String, subresource: Subresource = .main,
                _ transform: (JSONValue) throws(APIError) -> JSONValue) throws(APIError) -> JSONValue {
        try recorded("patch", resource, subresource: subresource.rawValue, namespace: namespace, name: name) {
            () throws(APIError) in
            try store.modify(resource, namespace: namespace, name: name, subresource: subresource, transform)
        }
    }

    @discardableResult
    func delete(_ resource: ResourceDescriptor, namespace: String?, name: String,
                options: DeleteOptions = DeleteOptions()) throws(APIError) -> DeleteOutcome {
        try recorded("delete", resource, subresource: "", namespace: namespace, name: name) { () throws(APIError) in
            try store.delete(resource, namespace: namespace, name: name, options: options)
        }
    }

    func bind(namespace: String, name: String, nodeName: String) throws(APIError) {
        guard let pods = store.resource("pods") else { throw APIError.pathNotFound() }
        _ = try recorded("create", pods, subresource: "binding", namespace: namespace, name: name) { () throws(APIError) in
            try store.bind(namespace: namespace, name: name, nodeName: nodeName)
        }
    }

    private func recorded<T>(_ verb: String, _ resource: ResourceDescriptor, subresource: String, namespace: String?,
                             name: String, _ body: () throws(APIError) -> T) throws(APIError) -> T {
        do {
            let result = try body()
            record(verb, resource, subresource: subresource, namespace: namespace, name: name, code: 200)
            return result
        } catch {
            record(verb, resource, subresource: subresource, namespace: namespace, name: name, code: error.code)
            throw error
        }
    }

    private func record(_ verb: String, _ resource: ResourceDescriptor, subresource: String, namespace: String?,
                        name: String, code: Int) {
        guard let audit else { return }
        audit.record(AuditEntry(user: user, userAgent: userAgent, verb: verb, resource: resource.description,
                                subresource: subresource, namespace: namespace ?? "", name: name, code: code,
                                dryRun: false, time: store.clock.now))
    }
}
