import Foundation
import KubeModels
import MendTime
import Scheduling
import Synchronization

/// The DaemonSet controller: one pod per eligible node for each apps/v1 DaemonSet.
///
/// A node is eligible when the template's node selector and required node affinity match it
/// and its `NoSchedule`/`NoExecute` taints are tolerated by the template's tolerations plus
/// the ones the real controller adds to every daemon pod (`not-ready`, `unreachable`,
/// `disk-pressure`, `memory-pressure`, `pid-pressure`, `unschedulable`, and
/// `network-unavailable` for host-network pods). Cordoned nodes stay eligible. A running daemon
/// pod stays while its node's `NoExecute` taints are tolerated (a `NoSchedule` taint added later
/// keeps new pods off but does not remove the running one).
///
/// As the real controller does, each pod is pinned with required node affinity
/// `matchFields metadata.name In [<node>]` and bound by the scheduler. Pods on nodes that are
/// gone or no longer eligible, and duplicates, are deleted. Status counts are kept current.
public final class DaemonSetController: SimulationPart {
    public let name = "daemonset-controller"
    public var triggers: [ResourceDescriptor] { [daemonSets, pods, nodes] }
    public let tickInterval: Duration = .seconds(30)

    private let store: ClusterStore
    private let actor: SimulationActor
    private let pods: ResourceDescriptor
    private let nodes: ResourceDescriptor
    private let daemonSets: ResourceDescriptor
    private let lock = Mutex(())

    init(store: ClusterStore, audit: AuditLog?) {
        self.store = store
        self.actor = SimulationActor(user: "system:serviceaccount:kube-system:daemon-set-controller",
                                     userAgent: "clustersim/kube-controller-manager", store: store, audit: audit)
        self.pods = store.descriptor("pods")
        self.nodes = store.descriptor("nodes")
        self.daemonSets = store.descriptor("daemonsets", group: "apps")
    }

    /// The tolerations the controller adds to every daemon pod.
    static func defaultTolerations(hostNetwork: Bool) -> [JSONValue] {
        var tolerations: [JSONValue] = [
            ["key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"],
            ["key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"],
            ["key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"],
            ["key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"],
            ["key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"],
            ["key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"],
        ]
        if hostNetwork {
            tolerations.append(["key": "node.kubernetes.io/network-unavailable", "operator": "Exists", "effect": "NoSchedule"])
        }
        return tolerations
    }

    public func reconcile() -> Int {
        lock.withLock { _ in
            let nodeViews = store.allStored(nodes).compactMap { $0.decode(Node.self).map(SchedulingNode.init) }
            var owned: [String: [JSONValue]] = [:]
            for pod in store.allStored(pods) {
                if let uid = pod.value.simControllerUID { owned[uid, default: []].append(pod.value) }
            }
            var writes = 0
            for ds in store.allStored(daemonSets) where !ds.value.simIsTerminating {
                writes += reconcile(ds.value, nodes: nodeViews, pods: owned[ds.value.simUID] ?? [])
            }
            return writes
        }
    }

    private func reconcile(_ ds: JSONValue, nodes: [SchedulingNode], pods mine: [JSONValue]) -> Int {
        let namespace = ds.simNamespace
        var template = PodTemplate.pod(from: ds, kind: "DaemonSet")
        let hostNetwork = template[path: ["spec", "hostNetwork"]]?.boolValue ?? false
        var tolerations = template[path: ["spec", "tolerations"]]?.arrayValue ?? []
        for extra in Self.defaultTolerations(hostNetwork: hostNetwork) where !tolerations.contains(extra) {
            tolerations.append(extra)
        }
        template["spec"]?["tolerations"] = .array(tolerations)
        guard let view = template.simDecode(Pod.self).map({ SchedulingPod($0) }) else { return 0 }
        // New pods need every NoSchedule/NoExecute taint tolerated; running ones only NoExecute.
        let eligible = Set(nodes.filter { Predicates.taints(view, $0) == nil && Predicates.nodeAffinity(view, $0) == nil }.map(\.name))
        let keepable = Set(nodes.filter { node in
            let executeOnly = SchedulingNode(name: node.name, labels: node.labels, unschedulable: node.unschedulable,
                                             taints: node.blockingTaints.filter { $0.effect == .noExecute },
                                             allocatable: node.allocatable)
            return Predicates.taints(view, executeOnly) == nil && Predicates.nodeAffinity(view, node) == nil
        }.map(\.name))

        var byNode: [String: [JSONValue]] = [:]
        for pod in mine where PodTemplate.isActive(pod) {
            byNode[Self.targetNode(of: pod), default: []].append(pod)
        }
        var writes = 0
        for node in eligible.sorted() {
            if byNode[node]?.isEmpty ?? true {
                var pod = template
                pod["spec"]?["affinity"] = Self.pinnedAffinity(template[path: ["spec", "affinity"]], node: node)
                if (try? actor.create(pods, namespace: namespace, object: pod)) != nil { writes += 1 }
            }
        }
        var misscheduled = 0
        for (node, list) in byNode {
            let keep = keepable.contains(node) ? 1 : 0
            if keep == 0 { misscheduled += list.count }
            let ordered = list.sorted { ($0[path: ["metadata", "creationTimestamp"]]?.stringValue ?? "", $0.simName)
                < ($1[path: ["metadata", "creationTimestamp"]]?.stringValue ?? "", $1.simName) }
            for pod in ordered.dropFirst(keep) {
                if (try? actor.delete(pods, namespace: namespace, name: pod.simName)) != nil { writes += 1 }
            }
        }
        let scheduled = eligible.filter { !(byNode[$0]?.isEmpty ?? true) }
        let ready = scheduled.filter { byNode[$0]?.contains(where: PodTemplate.isReady) ?? false }.count
        var status = ds["status"]?.objectValue ?? [:]
        status["desiredNumberScheduled"] = .int(Int64(eligible.count))
        status["currentNumberScheduled"] = .int(Int64(scheduled.count))
        status["updatedNumberScheduled"] = .int(Int64(scheduled.count))
        status["numberMisscheduled"] = .int(Int64(misscheduled))
        status["numberReady"] = .int(Int64(ready))
        status["numberAvailable"] = .int(Int64(ready))
        status["numberUnavailable"] = .int(Int64(eligible.count - ready))
        status["observedGeneration"] = ds[path: ["metadata", "generation"]] ?? 1
        if JSONValue.object(status) != ds["status"] {
            if (try? actor.modify(daemonSets, namespace: namespace, name: ds.simName, subresource: .status, {
                (current) throws(APIError) -> JSONValue in
                var updated = current
                updated["status"] = .object(status)
                return updated
            })) != nil { writes += 1 }
        }
        return writes
    }

    /// The node a daemon pod is for: its `spec.nodeName`, else its pinned `metadata.name` affinity.
    static func targetNode(of pod: JSONValue) -> String {
        let bound = pod.simNodeName
        if !bound.isEmpty { return bound }
        let terms = pod[path: ["spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
                               "nodeSelectorTerms"]]?.arrayValue ?? []
        for term in terms {
            for field in term["matchFields"]?.arrayValue ?? [] where field["key"]?.stringValue == "metadata.name" {
                if let node = field["values"]?.arrayValue?.first?.stringValue { return node }
            }
        }
        return ""
    }

    /// The template's affinity with its required node affinity replaced by one term pinning `node`.
    static func pinnedAffinity(_ affinity: JSONValue?, node: String) -> JSONValue {
        var affinity = affinity ?? .object([:])
        if affinity.isNull { affinity = .object([:]) }
        var nodeAffinity = affinity["nodeAffinity"]?.objectValue ?? [:]
        nodeAffinity["requiredDuringSchedulingIgnoredDuringExecution"] = [
            "nodeSelectorTerms": [[
                "matchFields": [["key": "metadata.name", "operator": "In", "values": [.string(node)]]],
            ]],
        ]
        affinity["nodeAffinity"] = .object(nodeAffinity)
        return affinity
    }
}
