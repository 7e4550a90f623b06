import Foundation
import KubeModels

extension StoreState {
    /// The eviction subresource's decision, as the API server makes it.
    mutating func evict(_ pods: ResourceDescriptor, namespace: String, name: String, eviction: JSONValue,
                        now: Date) throws(APIError) -> JSONValue {
        if let bodyName = eviction[path: ["metadata", "name"]]?.stringValue, !bodyName.isEmpty, bodyName != name {
            throw APIError.badRequest("name in URL does not match name in Eviction object")
        }
        guard let pod = object(pods, namespace: namespace, name: name) else {
            throw APIError.notFound(pods, name: name)
        }
        var options = DeleteOptions()
        if let deleteOptions = eviction["deleteOptions"], !deleteOptions.isNull {
            options = try DeleteOptions(json: deleteOptions)
        }
        let success: JSONValue = ["kind": "Status", "apiVersion": "v1", "metadata": .object([:]), "status": "Success"]

        // Pods that are not running, or already going, disrupt nothing more.
        let podValue = pod.value
        let phase = podValue[path: ["status", "phase"]]?.stringValue ?? ""
        if pod.isTerminating || phase == "Pending" || phase == "Succeeded" || phase == "Failed" {
            try deleteEvicted(pods, pod, options: options, now: now)
            return success
        }

        reconcileDisruptionBudgets(in: namespace, now: now)
        guard let budgets = budgetsResource else {
            try deleteEvicted(pods, pod, options: options, now: now)
            return success
        }
        let pdbs = (tables[Self.tableKey(budgets)]?.objects(inNamespace: namespace) ?? [])
            .filter { !selectedPods($0, among: [pod]).isEmpty }
            .sorted { $0.name < $1.name }
        if pdbs.count > 1 {
            throw APIError(code: 500, reason: "",
                           message: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.")
        }
        guard let pdb = pdbs.first else {
            try deleteEvicted(pods, pod, options: options, now: now)
            return success
        }
        let pdbValue = pdb.value
        let status = pdbValue["status"] ?? .null
        let currentHealthy = status["currentHealthy"]?.intValue ?? 0
        let desiredHealthy = status["desiredHealthy"]?.intValue ?? 0
        if !Self.isReady(podValue) {
            // An unready pod does not count as healthy: evicting it costs no budget when the
            // policy says so, or when the budget is already met.
            let policy = pdbValue[path: ["spec", "unhealthyPodEvictionPolicy"]]?.stringValue
            if policy == "AlwaysAllow" || (currentHealthy >= desiredHealthy && desiredHealthy > 0) {
                options.preconditionResourceVersion = String(pod.resourceVersion)
                try deleteEvicted(pods, pod, options: options, now: now)
                return success
            }
        }
        let generation = pdbValue[path: ["metadata", "generation"]]?.intValue ?? 1
        if (status["observedGeneration"]?.intValue ?? 0) < generation {
            var error = APIError.tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", retryAfterSeconds: 10)
            error.causes = [APIError.Cause(reason: "DisruptionBudget",
                                           message: "The disruption budget \(pdb.name) is still being processed by the server.")]
            throw error
        }
        let allowed = status["disruptionsAllowed"]?.intValue ?? 0
        if allowed < 0 {
            throw Self.budgetForbidden(pdb.name, "pdb disruptions allowed is negative")
        }
        if (status["disruptedPods"]?.objectValue?.count ?? 0) > Self.maxDisruptedPods {
            throw Self.budgetForbidden(pdb.name, "DisruptedPods map too big - too many evictions not confirmed by PDB controller")
        }
        if allowed == 0 {
            var error = APIError.tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", retryAfterSeconds: 0)
            error.causes = [APIError.Cause(reason: "DisruptionBudget",
                                           message: "The disruption budget \(pdb.name) needs \(desiredHealthy) healthy pods and has \(currentHealthy) currently")]
            throw error
        }
        if !options.dryRun {
            var value = pdbValue
            value["status"]?["disruptionsAllowed"] = .int(allowed - 1)
            var disrupted = status["disruptedPods"]?.objectValue ?? [:]
            disrupted[name] = .string(Timestamps.format(now))
            value["status"]?["disruptedPods"] = .object(disrupted)
            if allowed - 1 == 0, var conditions = value[path: ["status", "conditions"]]?.arrayValue,
               let i = conditions.firstIndex(where: { $0["type"]?.stringValue == "DisruptionAllowed" }) {
                conditions[i]["status"] = "False"
                conditions[i]["reason"] = "InsufficientPods"
                conditions[i]["lastTransitionTime"] = .string(Timestamps.format(now))
                value["status"]?["conditions"] = .array(conditions)
            }
            let stored = commit(budgets, key: Self.objectKey(namespace: namespace, name: pdb.name), value: value)
            emit(budgets, type: .modified, object: stored, previous: pdb)
        }
        try deleteEvicted(pods, pod, options: options, now: now)
        return success
    }

    /// Marks the pod with the `DisruptionTarget` condition (as the API server does since pod
    /// disruption conditions went GA), then deletes it with the eviction's options.
    private mutating func deleteEvicted(_ pods: ResourceDescriptor, _ pod: StoredObject, options: DeleteOptions,
                                        now: Date) throws(APIError) {
        var options = options
        if !options.dryRun {
            if let rv = options.preconditionResourceVersion, rv != String(pod.resourceVersion) {
                throw APIError.conflict(pods, name: pod.name,
                    detail: "the ResourceVersion in the precondition (\(rv)) does not match the ResourceVersion in record (\(pod.resourceVersion)). The object might have been modified")
            }
            var value = pod.value
            var conditions = value[path: ["status", "conditions"]]?.arrayValue ?? []
            conditions.removeAll { $0["type"]?.stringValue == "DisruptionTarget" }
            conditions.append(["type": "DisruptionTarget", "status": "True", "reason": "EvictionByEvictionAPI",
                               "message": "Eviction API: evicting", "lastTransitionTime": .string(Timestamps.format(now)),
                               "lastProbeTime": .null])
            if value["status"] == nil { value["status"] = .object([:]) }
            value["status"]?["conditions"] = .array(conditions)
            let stored = commit(pods, key: Self.objectKey(namespace: pod.namespace, name: pod.name), value: value)
            emit(pods, type: .modified, object: stored, previous: pod)
            if options.preconditionResourceVersion != nil { options.preconditionResourceVersion = String(stored.resourceVersion) }
        }
        _ = try delete(pods, namespace: pod.namespace, name: pod.name, options: options, now: now)
    }

    /// More unconfirmed evictions than this and the API server refuses further ones.
    static let maxDisruptedPods = 2000

    /// The eviction's 403, worded with the singular resource name the API server uses there.
    static func budgetForbidden(_ name: String, _ detail: String) -> APIError {
        APIError(code: 403, reason: "Forbidden", message: "poddisruptionbudget.policy \"\(name)\" is forbidden: \(detail)",
                 name: name, group: "policy", kind: "poddisruptionbudget")
    }

    /// The binding subresource: assigns an unscheduled pod to a node.
    mutating func bind(_ pods: ResourceDescriptor, namespace: String, name: String, binding: JSONValue,
                       now: Date) throws(APIError) -> JSONValue {
        guard let pod = object(pods, namespace: namespace, name: name) else {
            throw APIError.notFound(pods, name: name)
        }
        guard let node = binding[path: ["target", "name"]]?.stringValue, !node.isEmpty else {
            throw APIError.invalid(pods, name: name, errors: [FieldError(.required, field: "target.name", detail: "")])
        }
        if pod.isTerminating {
            throw APIError.conflict(pods, name: name, detail: "pod \(name) is being deleted, cannot be assigned to a host")
        }
        if let current = pod.value[path: ["spec", "nodeName"]]?.stringValue, !current.isEmpty {
            throw APIError(code: 409, reason: "Conflict",
                           message: "Operation cannot be fulfilled on pods/binding \"\(name)\": pod \(name) is already assigned to node \"\(current)\"",
                           name: name, kind: "pods/binding")
        }
        var value = pod.value
        value["spec"]?["nodeName"] = .string(node)
        var conditions = value[path: ["status", "conditions"]]?.arrayValue ?? []
        conditions.removeAll { $0["type"]?.stringValue == "PodScheduled" }
        conditions.append(["type": "PodScheduled", "status": "True", "lastProbeTime": .null,
                           "lastTransitionTime": .string(Timestamps.format(now))])
        if value["status"] == nil { value["status"] = .object([:]) }
        value["status"]?["conditions"] = .array(conditions)
        let stored = commit(pods, key: Self.objectKey(namespace: namespace, name: name), value: value)
        emit(pods, type: .modified, object: stored, previous: pod)
        noteBudgetRelevantChange(pods, namespace: namespace)
        return ["kind": "Status", "apiVersion": "v1", "metadata": .object([:]), "status": "Success"]
    }
}

extension ClusterStore {
    /// Evicts a pod through its PodDisruptionBudget (`pods/eviction`); returns the success Status.
    ///
    /// - Throws: 429 when the budget allows no disruption, 500 when several budgets match,
    ///   404 when the pod does not exist.
    @discardableResult
    public func evict(namespace: String, name: String, eviction: JSONValue = .object([:])) throws(APIError) -> JSONValue {
        let now = clock.now
        guard let pods = resource("pods") else { throw APIError.pathNotFound() }
        return try state.withLock { (s) throws(APIError) -> JSONValue in
            try s.evict(pods, namespace: namespace, name: name, eviction: eviction, now: now)
        }
    }

    /// Binds a pod to a node (`pods/binding`), as the scheduler does.
    @discardableResult
    public func bind(namespace: String, name: String, nodeName: String) throws(APIError) -> JSONValue {
        try bind(namespace: namespace, name: name,
                 binding: ["apiVersion": "v1", "kind": "Binding", "metadata": ["name": .string(name)],
                           "target": ["apiVersion": "v1", "kind": "Node", "name": .string(nodeName)]])
    }

    func bind(namespace: String, name: String, binding: JSONValue) throws(APIError) -> JSONValue {
        let now = clock.now
        guard let pods = resource("pods") else { throw APIError.pathNotFound() }
        return try state.withLock { (s) throws(APIError) -> JSONValue in
            try s.bind(pods, namespace: namespace, name: name, binding: binding, now: now)
        }
    }
}
