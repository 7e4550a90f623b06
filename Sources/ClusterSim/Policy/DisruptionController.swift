import Foundation
import KubeModels

/// The disruption controller, run inside the store: keeps every PodDisruptionBudget's status in
/// step with the pods it selects, as kube-controller-manager's disruption controller does.
///
/// A change to pods, PDBs or their owners marks the namespace dirty; the status is recomputed
/// before anyone reads PDBs or evicts a pod there, so readers never see a stale budget.
extension StoreState {
    /// How long an eviction's `disruptedPods` entry holds a pod out of the healthy count.
    static let disruptedPodTimeout: TimeInterval = 120

    static let budgetRelevant: Set<String> = ["/pods", "policy/poddisruptionbudgets", "apps/replicasets",
                                              "apps/deployments"]

    var podsResource: ResourceDescriptor? { catalog.resource(group: "", plural: "pods") }
    var budgetsResource: ResourceDescriptor? { catalog.resource(group: "policy", plural: "poddisruptionbudgets") }

    mutating func noteBudgetRelevantChange(_ resource: ResourceDescriptor, namespace: String) {
        if Self.budgetRelevant.contains(Self.tableKey(resource)) { dirtyBudgetNamespaces.insert(namespace) }
    }

    /// Recomputes budgets that may be stale, when `resource` is the PDB resource.
    mutating func reconcileDisruptionBudgetsIfNeeded(for resource: ResourceDescriptor, now: Date) {
        guard resource.group == "policy", resource.plural == "poddisruptionbudgets" else { return }
        reconcileAllDisruptionBudgets(now: now)
    }

    mutating func reconcileAllDisruptionBudgets(now: Date) {
        guard let budgets = budgetsResource, let table = tables[Self.tableKey(budgets)], !table.objects.isEmpty else {
            dirtyBudgetNamespaces.removeAll()
            budgetsDirtyEverywhere = false
            return
        }
        var namespaces = dirtyBudgetNamespaces
        for pdb in table.objects.values {
            // Time alone changes budgets with pending disruptions or a new generation.
            if budgetsDirtyEverywhere || dirtyBudgetNamespaces.contains(pdb.namespace) { namespaces.insert(pdb.namespace); continue }
            let value = pdb.value
            if value[path: ["status", "disruptedPods"]]?.objectValue?.isEmpty == false
                || value[path: ["status", "observedGeneration"]]?.intValue != value[path: ["metadata", "generation"]]?.intValue {
                namespaces.insert(pdb.namespace)
            }
        }
        dirtyBudgetNamespaces.removeAll()
        budgetsDirtyEverywhere = false
        for namespace in namespaces { reconcileDisruptionBudgets(in: namespace, now: now) }
    }

    mutating func reconcileDisruptionBudgets(in namespace: String, now: Date) {
        guard let budgets = budgetsResource, let pods = podsResource else { return }
        let budgetKey = Self.tableKey(budgets)
        let pdbs = tables[budgetKey]?.objects(inNamespace: namespace) ?? []
        guard !pdbs.isEmpty else { return }
        let podsInNamespace = tables[Self.tableKey(pods)]?.objects(inNamespace: namespace) ?? []
        for pdb in pdbs {
            var value = pdb.value
            let status = budgetStatus(pdb, value: value, pods: podsInNamespace, now: now)
            guard status != value["status"] else { continue }
            value["status"] = status
            let stored = commit(budgets, key: Self.objectKey(namespace: namespace, name: pdb.name), value: value)
            emit(budgets, type: .modified, object: stored, previous: pdb)
        }
        dirtyBudgetNamespaces.remove(namespace)
    }

    /// The pods a PDB selects (nil selector: none; empty selector: all in its namespace).
    func selectedPods(_ pdb: StoredObject, value: JSONValue? = nil, among pods: [StoredObject]) -> [StoredObject] {
        guard let selectorValue = (value ?? pdb.value)[path: ["spec", "selector"]], !selectorValue.isNull,
              let selector = try? selectorValue.decode(as: LabelSelector.self) else { return [] }
        return pods.filter { selector.matches($0.labels) }
    }

    func budgetStatus(_ pdb: StoredObject, value pdbValue: JSONValue, pods allPods: [StoredObject], now: Date) -> JSONValue {
        let pods = selectedPods(pdb, value: pdbValue, among: allPods)
        let spec = pdbValue["spec"] ?? .null
        let oldStatus = pdbValue["status"]?.objectValue ?? [:]

        // Disrupted pods stay out of the healthy count until they are gone or the entry expires.
        var disrupted: [String: JSONValue] = [:]
        let podsByName = Dictionary(pods.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (name, time) in oldStatus["disruptedPods"]?.objectValue ?? [:] {
            guard let pod = podsByName[name], !pod.isTerminating,
                  let at = time.stringValue.flatMap(Timestamps.parse), now.timeIntervalSince(at) < Self.disruptedPodTimeout
            else { continue }
            disrupted[name] = time
        }
        let healthy = pods.filter { !$0.isTerminating && disrupted[$0.name] == nil && Self.isReady($0.value) }.count

        var expected = pods.count
        var desired = 0
        if let max = spec["maxUnavailable"], !max.isNull {
            expected = expectedCount(pods)
            desired = Swift.max(0, expected - Self.scaled(max, total: expected))
        } else if let min = spec["minAvailable"], !min.isNull {
            if case .string = min {
                expected = expectedCount(pods)
            }
            desired = Self.scaled(min, total: expected)
        } else {
            // Neither set (allowed in policy/v1): nothing is required to stay healthy.
            desired = 0
        }
        let allowed = Swift.max(0, healthy - desired)
        let generation = pdbValue[path: ["metadata", "generation"]]?.intValue ?? 1
        var status: [String: JSONValue] = [
            "observedGeneration": .int(generation),
            "disruptionsAllowed": .int(Int64(allowed)),
            "currentHealthy": .int(Int64(healthy)),
            "desiredHealthy": .int(Int64(desired)),
            "expectedPods": .int(Int64(expected)),
        ]
        if !disrupted.isEmpty { status["disruptedPods"] = .object(disrupted) }
        let condition: (status: String, reason: String, message: String) = allowed > 0
            ? ("True", "SufficientPods", "")
            : ("False", "InsufficientPods", "")
        var conditionValue: [String: JSONValue] = [
            "type": "DisruptionAllowed", "status": .string(condition.status), "reason": .string(condition.reason),
            "message": .string(condition.message), "observedGeneration": .int(generation),
        ]
        let previous = oldStatus["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "DisruptionAllowed" }
        if let previous, previous["status"]?.stringValue == condition.status, let t = previous["lastTransitionTime"] {
            conditionValue["lastTransitionTime"] = t
        } else {
            conditionValue["lastTransitionTime"] = .string(Timestamps.format(now))
        }
        status["conditions"] = [.object(conditionValue)]
        return .object(status)
    }

    /// The owners' desired scale: each distinct controlling ReplicaSet or Deployment counts its
    /// `spec.replicas`; pods without such a controller count one each.
    func expectedCount(_ pods: [StoredObject]) -> Int {
        var owners: [String: Int] = [:]
        var uncontrolled = 0
        for pod in pods {
            let refs = pod.value[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []
            guard let controller = refs.first(where: { $0["controller"]?.boolValue == true }),
                  let uid = controller["uid"]?.stringValue, let kind = controller["kind"]?.stringValue,
                  let name = controller["name"]?.stringValue,
                  let replicas = scale(kind: kind, namespace: pod.namespace, name: name, uid: uid) else {
                uncontrolled += 1
                continue
            }
            owners[uid] = replicas
        }
        return owners.values.reduce(0, +) + uncontrolled
    }

    func scale(kind: String, namespace: String, name: String, uid: String) -> Int? {
        let plural: String
        switch kind {
        case "ReplicaSet": plural = "replicasets"
        case "Deployment": plural = "deployments"
        default: return nil
        }
        guard let resource = catalog.resource(group: "apps", plural: plural),
              let owner = object(resource, namespace: namespace, name: name), owner.uid == uid else { return nil }
        return Int(owner.value[path: ["spec", "replicas"]]?.intValue ?? 1)
    }

    /// An int, or a percentage of `total` rounded up (as the disruption controller rounds).
    static func scaled(_ value: JSONValue, total: Int) -> Int {
        if let i = value.intValue { return Int(i) }
        if let s = value.stringValue, s.hasSuffix("%"), let percent = Int(s.dropLast()) {
            return Int((Double(percent) * Double(total) / 100).rounded(.up))
        }
        if let s = value.stringValue, let i = Int(s) { return i }
        return 0
    }

    /// The pod's `Ready` condition is `True`.
    static func isReady(_ pod: JSONValue) -> Bool {
        let conditions = pod[path: ["status", "conditions"]]?.arrayValue ?? []
        return conditions.contains { $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True" }
    }
}
