import Foundation
import KubeModels
import MendTime
import Scheduling
import Synchronization

/// kube-scheduler, on the shared `Scheduling` predicates.
///
/// Each pass takes the pending pods of `default-scheduler` (no `spec.nodeName`, not being
/// deleted), highest priority first then oldest, and binds each through the binding
/// subresource to the feasible node with the best `Scoring.leastAllocated` score (ties by name).
/// A pod that fits nowhere gets `PodScheduled=False, reason=Unschedulable` with the
/// scheduler's `FailedScheduling` message, and a `FailedScheduling` Warning Event; both are
/// written again only when the message changes. Because every change to pods or nodes triggers
/// a pass, unschedulable pods are retried as soon as the cluster changes.
///
/// Limits: required pod affinity and anti-affinity over topology keys other than
/// `kubernetes.io/hostname` are not evaluated (the `Scheduling` module reports them as
/// unsupported); there is no preemption.
public final class SimulatedScheduler: SimulationPart {
    public static let schedulerName = "default-scheduler"

    public let name = "scheduler"
    public var triggers: [ResourceDescriptor] { [pods, nodes] }
    public let tickInterval: Duration = .seconds(10)

    private let store: ClusterStore
    private let clock: any MendClock
    private let actor: SimulationActor
    private let pods: ResourceDescriptor
    private let nodes: ResourceDescriptor
    private let events: ResourceDescriptor
    private let namespaces: ResourceDescriptor
    private let lock = Mutex(UInt64(0))

    init(store: ClusterStore, audit: AuditLog?, clock: any MendClock) {
        self.store = store
        self.clock = clock
        self.actor = SimulationActor(user: "system:kube-scheduler", userAgent: "clustersim/kube-scheduler",
                                     store: store, audit: audit)
        self.pods = store.descriptor("pods")
        self.nodes = store.descriptor("nodes")
        self.events = store.descriptor("events")
        self.namespaces = store.descriptor("namespaces")
    }

    public func reconcile() -> Int {
        lock.withLock { eventCounter in
            let now = clock.now
            var states: [NodeState] = []
            var indexByName: [String: Int] = [:]
            for stored in store.allStored(nodes) {
                guard let node = stored.decode(Node.self) else { continue }
                indexByName[stored.name] = states.count
                states.append(NodeState(node: SchedulingNode(node)))
            }
            var namespaceLabels: [String: [String: String]] = [:]
            for ns in store.allStored(namespaces) { namespaceLabels[ns.name] = ns.labels }
            let allNamespaces = namespaceLabels.keys.sorted()
            let labelsOf: (String) -> [String: String]? = { namespaceLabels[$0] }

            var pending: [(summary: PodSummary, value: JSONValue, created: String)] = []
            for stored in store.allStored(pods) {
                guard let summary = stored.decode(PodSummary.self) else { continue }
                if summary.isTerminal { continue }
                if let nodeName = summary.nodeName, !nodeName.isEmpty {
                    if let index = indexByName[nodeName] {
                        states[index].add(SchedulingPod(summary, namespaceLabels: labelsOf, allNamespaces: allNamespaces))
                    }
                    continue
                }
                let value = stored.value
                if summary.isBeingDeleted { continue }
                let scheduler = value[path: ["spec", "schedulerName"]]?.stringValue ?? Self.schedulerName
                guard scheduler == Self.schedulerName else { continue }
                let created = value[path: ["metadata", "creationTimestamp"]]?.stringValue ?? ""
                pending.append((summary, value, created))
            }
            pending.sort {
                if $0.summary.priority != $1.summary.priority { return $0.summary.priority > $1.summary.priority }
                if $0.created != $1.created { return $0.created < $1.created }
                return $0.summary.key < $1.summary.key
            }

            var writes = 0
            for (summary, value, _) in pending {
                let pod = SchedulingPod(summary, namespaceLabels: labelsOf, allNamespaces: allNamespaces)
                var best: (index: Int, score: Int64, name: String)?
                var failures: [[SchedulingFailure]] = []
                for (index, state) in states.enumerated() {
                    let reasons = state.failures(pod)
                    if !reasons.isEmpty {
                        failures.append(reasons)
                        continue
                    }
                    let score = Scoring.leastAllocated(pod, state)
                    if best == nil || score > best!.score || (score == best!.score && state.node.name < best!.name) {
                        best = (index, score, state.node.name)
                    }
                }
                if let best {
                    do {
                        try actor.bind(namespace: summary.namespace, name: summary.name, nodeName: best.name)
                        states[best.index].add(pod)
                        writes += 1
                    } catch {
                        continue  // Changed under us (deleted, bound elsewhere): the next pass sees it.
                    }
                } else {
                    let message = FailedScheduling.message(totalNodes: states.count, nodeFailures: failures)
                    writes += markUnschedulable(value, message: message, now: now, counter: &eventCounter)
                }
            }
            return writes
        }
    }

    private func markUnschedulable(_ pod: JSONValue, message: String, now: Date, counter: inout UInt64) -> Int {
        let current = pod.simCondition("PodScheduled")
        if current?["status"]?.stringValue == "False", current?["reason"]?.stringValue == "Unschedulable",
           current?["message"]?.stringValue == message {
            return 0
        }
        let namespace = pod.simNamespace
        let name = pod.simName
        var writes = 0
        let stamp = JSONValue.string(Timestamps.format(now))
        if (try? actor.modify(pods, namespace: namespace, name: name, subresource: .status, {
            (current) throws(APIError) -> JSONValue in
            var pod = current
            pod.simSetCondition(["type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                                 "message": .string(message), "lastProbeTime": .null, "lastTransitionTime": stamp])
            return pod
        })) != nil { writes += 1 }
        counter += 1
        let suffix = String(UInt64(now.timeIntervalSince1970 * 1_000_000_000) &+ counter, radix: 16)
        let event: JSONValue = [
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["name": .string("\(name).\(suffix)"), "namespace": .string(namespace)],
            "involvedObject": [
                "apiVersion": "v1", "kind": "Pod", "namespace": .string(namespace), "name": .string(name),
                "uid": .string(pod.simUID),
                "resourceVersion": pod[path: ["metadata", "resourceVersion"]] ?? "",
            ],
            "reason": "FailedScheduling", "message": .string(message), "type": "Warning",
            "source": ["component": .string(Self.schedulerName)],
            "reportingComponent": .string(Self.schedulerName), "reportingInstance": .string(Self.schedulerName),
            "firstTimestamp": stamp, "lastTimestamp": stamp, "count": 1,
            "eventTime": .null, "action": "Scheduling",
        ]
        if (try? actor.create(events, namespace: namespace, object: event)) != nil { writes += 1 }
        return writes
    }
}
