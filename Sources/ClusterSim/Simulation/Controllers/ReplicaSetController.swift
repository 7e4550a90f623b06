import Foundation
import KubeModels
import MendTime
import Synchronization

/// The ReplicaSet controller: keeps `spec.replicas` live pods for each apps/v1 ReplicaSet.
///
/// Missing pods (never made, evicted, deleted, finished) are created from the template with
/// `generateName` and a controller owner reference; extra ones are deleted, unscheduled first,
/// then not ready, then the newest. Status (`replicas`, `fullyLabeledReplicas`,
/// `readyReplicas`, `availableReplicas`, `observedGeneration`) is written when it changes.
/// Deleting a ReplicaSet deletes its pods through the store's owner-reference garbage collection.
public final class ReplicaSetController: SimulationPart {
    public let name = "replicaset-controller"
    public var triggers: [ResourceDescriptor] { [replicaSets, pods] }
    public let tickInterval: Duration = .seconds(30)

    private let store: ClusterStore
    private let actor: SimulationActor
    private let pods: ResourceDescriptor
    private let replicaSets: ResourceDescriptor
    private let lock = Mutex(())

    init(store: ClusterStore, audit: AuditLog?) {
        self.store = store
        self.actor = SimulationActor(user: "system:serviceaccount:kube-system:replicaset-controller",
                                     userAgent: "clustersim/kube-controller-manager", store: store, audit: audit)
        self.pods = store.descriptor("pods")
        self.replicaSets = store.descriptor("replicasets", group: "apps")
    }

    public func reconcile() -> Int {
        lock.withLock { _ in
            var owned: [String: [JSONValue]] = [:]
            for pod in store.allStored(pods) {
                if let uid = pod.value.simControllerUID { owned[uid, default: []].append(pod.value) }
            }
            var writes = 0
            for rs in store.allStored(replicaSets) {
                writes += reconcile(rs.value, pods: owned[rs.value.simUID] ?? [])
            }
            return writes
        }
    }

    private func reconcile(_ rs: JSONValue, pods mine: [JSONValue]) -> Int {
        if rs.simIsTerminating { return 0 }
        let namespace = rs.simNamespace
        let wanted = Int(rs[path: ["spec", "replicas"]]?.intValue ?? 1)
        let active = mine.filter(PodTemplate.isActive)
        var writes = 0
        if active.count < wanted {
            for _ in active.count..<wanted {
                if (try? actor.create(pods, namespace: namespace, object: PodTemplate.pod(from: rs, kind: "ReplicaSet"))) != nil {
                    writes += 1
                }
            }
        } else if active.count > wanted {
            let ranked = active.sorted { a, b in
                let (ua, ub) = (a.simNodeName.isEmpty, b.simNodeName.isEmpty)
                if ua != ub { return ua }
                let (ra, rb) = (PodTemplate.isReady(a), PodTemplate.isReady(b))
                if ra != rb { return !ra }
                let (ca, cb) = (a[path: ["metadata", "creationTimestamp"]]?.stringValue ?? "",
                                b[path: ["metadata", "creationTimestamp"]]?.stringValue ?? "")
                if ca != cb { return ca > cb }
                return a.simName > b.simName
            }
            for pod in ranked.prefix(active.count - wanted) {
                if (try? actor.delete(pods, namespace: namespace, name: pod.simName)) != nil { writes += 1 }
            }
        }
        writes += updateStatus(rs, active: active)
        return writes
    }

    private func updateStatus(_ rs: JSONValue, active: [JSONValue]) -> Int {
        let selector = PodTemplate.selector(of: rs)
        let templateLabels = rs[path: ["spec", "template", "metadata", "labels"]]?.objectValue ?? [:]
        let fullyLabeled = active.filter { pod in
            let labels = pod.simLabels
            return templateLabels.allSatisfy { labels[$0.key] == $0.value.stringValue } && (selector?.matches(labels) ?? true)
        }.count
        let ready = active.filter(PodTemplate.isReady).count
        var status = rs["status"]?.objectValue ?? [:]
        status["replicas"] = .int(Int64(active.count))
        status["fullyLabeledReplicas"] = .int(Int64(fullyLabeled))
        status["readyReplicas"] = .int(Int64(ready))
        status["availableReplicas"] = .int(Int64(ready))
        status["observedGeneration"] = rs[path: ["metadata", "generation"]] ?? 1
        guard JSONValue.object(status) != rs["status"] else { return 0 }
        let written = try? actor.modify(replicaSets, namespace: rs.simNamespace, name: rs.simName, subresource: .status) {
            (current) throws(APIError) -> JSONValue in
            var updated = current
            updated["status"] = .object(status)
            return updated
        }
        return written == nil ? 0 : 1
    }
}
