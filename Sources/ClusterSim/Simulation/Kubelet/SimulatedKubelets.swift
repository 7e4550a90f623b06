import Foundation
import KubeModels
import MendTime
import Synchronization

/// The kubelets of every Node in the store, plus the node-lifecycle and pod-GC duties of the
/// controller manager that go with them.
///
/// - Pods bound to a node become `Running` with ready containers after ``Configuration/podStartDelay``.
/// - A pod's graceful deletion is finished (``ClusterStore/finalizeDeletion(_:namespace:name:)``)
///   once its grace period, scaled by ``Configuration/gracePeriodScale``, has passed.
/// - Node status is posted: `Ready=True` and the pressure conditions with a `lastHeartbeatTime`
///   every ``Configuration/heartbeatInterval``, capacity and allocatable when missing. Other
///   conditions (a problem detector's) are left alone.
/// - ``stopKubelet(node:)`` stops a node's kubelet: after ``Configuration/nodeMonitorGracePeriod``
///   without a heartbeat the node goes `Ready=Unknown` and gets the `unreachable` taint, as the
///   node-lifecycle controller does. ``startKubelet(node:)`` brings it back.
/// - Each node has a simulated kernel log (``kernelLog(node:)``).
/// - Pods bound to a Node that no longer exists are deleted (the pod garbage collector).
public final class SimulatedKubelets: SimulationPart {
    /// Timing of the kubelets.
    public struct Configuration: Sendable {
        /// From binding to `Running` and ready.
        public var podStartDelay: Duration = .seconds(2)
        /// Multiplies every pod's grace period (0 ends deletions at once, as benchmarks want).
        public var gracePeriodScale: Double = 1
        /// How often a node's `Ready` condition heartbeat is renewed.
        public var heartbeatInterval: Duration = .seconds(10)
        /// How long without a heartbeat before a node is marked `Ready=Unknown`.
        public var nodeMonitorGracePeriod: Duration = .seconds(40)
        /// Capacity posted for a node that registered without one.
        public var defaultCapacity: [String: String] = [
            "cpu": "4", "memory": "16Gi", "pods": "110", "ephemeral-storage": "100Gi",
        ]

        public init() {}
    }

    /// The taint the node-lifecycle controller puts on a node whose kubelet stopped reporting.
    public static let unreachableTaintKey = "node.kubernetes.io/unreachable"

    public let name = "kubelets"
    public let configuration: Configuration
    public var triggers: [ResourceDescriptor] { [pods, nodes] }
    public var tickInterval: Duration {
        min(configuration.podStartDelay == .zero ? .seconds(1) : configuration.podStartDelay, .seconds(1))
    }

    private struct State {
        var stopped: Set<String> = []
        var firstSeen: [String: Date] = [:]
        var logs: [String: KernelLog] = [:]
        var nodeIndex: [String: Int] = [:]
        var podCounter: [String: Int] = [:]
    }

    private let store: ClusterStore
    private let clock: any MendClock
    private let actor: SimulationActor
    private let controllerActor: SimulationActor
    private let pods: ResourceDescriptor
    private let nodes: ResourceDescriptor
    private let state = Mutex(State())

    init(store: ClusterStore, audit: AuditLog?, clock: any MendClock, configuration: Configuration) {
        self.store = store
        self.clock = clock
        self.configuration = configuration
        self.actor = SimulationActor(user: "system:node", userAgent: "clustersim/kubelet", store: store, audit: audit)
        self.controllerActor = SimulationActor(user: "system:serviceaccount:kube-system:node-controller",
                                               userAgent: "clustersim/kube-controller-manager", store: store, audit: audit)
        self.pods = store.descriptor("pods")
        self.nodes = store.descriptor("nodes")
    }

    // MARK: Test controls

    /// Stops the kubelet of `node`: no more heartbeats, pod starts or deletions there.
    public func stopKubelet(node: String) { _ = state.withLock { $0.stopped.insert(node) } }

    /// Starts the kubelet of `node` again.
    public func startKubelet(node: String) { _ = state.withLock { $0.stopped.remove(node) } }

    /// Whether the kubelet of `node` runs.
    public func isKubeletRunning(node: String) -> Bool { state.withLock { !$0.stopped.contains(node) } }

    /// The kernel log of `node` (created on first use, booted now).
    public func kernelLog(node: String) -> KernelLog {
        let now = clock.now
        return state.withLock { s in
            if let log = s.logs[node] { return log }
            let log = KernelLog(bootTime: now)
            s.logs[node] = log
            return log
        }
    }

    /// Appends `line` to the kernel log of `node` now, e.g.
    /// `INFO: task kworker/0:1:123 blocked for more than 120 seconds.`
    @discardableResult
    public func inject(node: String, line: String, level: KernelLog.Level = .error) -> KernelLogRecord {
        kernelLog(node: node).inject(line: line, level: level, at: clock.now)
    }

    // MARK: Reconcile

    public func reconcile() -> Int {
        let now = clock.now
        return state.withLock { s in
            var writes = 0
            let nodeObjects = store.allStored(nodes)
            var known: Set<String> = []
            var internalIPs: [String: String] = [:]
            for node in nodeObjects {
                known.insert(node.name)
                for address in node.value[path: ["status", "addresses"]]?.arrayValue ?? []
                where address["type"]?.stringValue == "InternalIP" {
                    internalIPs[node.name] = address["address"]?.stringValue
                }
                if s.logs[node.name] == nil {
                    let boot = node.value[path: ["metadata", "creationTimestamp"]]?.stringValue.flatMap(Timestamps.parse) ?? now
                    s.logs[node.name] = KernelLog(bootTime: boot)
                }
                if s.nodeIndex[node.name] == nil { s.nodeIndex[node.name] = s.nodeIndex.count }
                if s.stopped.contains(node.name) {
                    writes += markUnreachableIfSilent(node.value, now: now)
                } else {
                    writes += postStatusIfDue(node.value, index: s.nodeIndex[node.name] ?? 0, now: now)
                }
            }
            var seen: Set<String> = []
            for pod in store.allStored(pods) {
                let value = pod.value
                let nodeName = value.simNodeName
                guard !nodeName.isEmpty else { continue }
                guard known.contains(nodeName) else {
                    // The pod garbage collector: pods of a deleted node go.
                    if (try? controllerActor.acting(as: "system:serviceaccount:kube-system:pod-garbage-collector")
                        .delete(pods, namespace: pod.namespace, name: pod.name,
                                options: DeleteOptions(gracePeriodSeconds: 0))) != nil { writes += 1 }
                    continue
                }
                if s.stopped.contains(nodeName) { continue }
                let kubelet = actor.acting(as: "system:node:\(nodeName)")
                if value.simIsTerminating {
                    if deletionDue(value, now: now),
                       (try? kubelet.finishDeletion(pods, namespace: pod.namespace, name: pod.name)) != nil {
                        writes += 1
                    }
                    continue
                }
                guard value.simPhase == "Pending" || value.simPhase.isEmpty else { continue }
                let uid = value.simUID
                seen.insert(uid)
                let first = s.firstSeen[uid] ?? now
                s.firstSeen[uid] = first
                guard now.timeIntervalSince(first) >= configuration.podStartDelay.seconds else { continue }
                let index = s.podCounter[nodeName, default: 0] + 1
                s.podCounter[nodeName] = index
                let hostIP = internalIPs[nodeName] ?? Self.hostIP(nodeIndex: s.nodeIndex[nodeName] ?? 0)
                let podIP = Self.podIP(nodeIndex: s.nodeIndex[nodeName] ?? 0, pod: index)
                if (try? kubelet.modify(pods, namespace: pod.namespace, name: pod.name, subresource: .status, {
                    (current) throws(APIError) -> JSONValue in
                    Self.running(current, hostIP: hostIP, podIP: podIP, now: now)
                })) != nil { writes += 1 }
                s.firstSeen[uid] = nil
            }
            s.firstSeen = s.firstSeen.filter { seen.contains($0.key) }
            return writes
        }
    }

    private func deletionDue(_ pod: JSONValue, now: Date) -> Bool {
        guard let text = pod[path: ["metadata", "deletionTimestamp"]]?.stringValue,
              let deadline = Timestamps.parse(text) else { return true }
        let grace = Double(pod[path: ["metadata", "deletionGracePeriodSeconds"]]?.intValue ?? 0)
        let started = deadline.addingTimeInterval(-grace)
        return now.timeIntervalSince(started) >= grace * configuration.gracePeriodScale
    }

    /// The pod as a kubelet reports it once its containers run.
    static func running(_ current: JSONValue, hostIP: String, podIP: String, now: Date) -> JSONValue {
        var pod = current
        let stamp = JSONValue.string(Timestamps.format(now))
        if pod["status"] == nil || pod["status"]?.isNull == true { pod["status"] = .object([:]) }
        pod["status"]?["phase"] = "Running"
        pod["status"]?["hostIP"] = .string(hostIP)
        pod["status"]?["hostIPs"] = [["ip": .string(hostIP)]]
        pod["status"]?["podIP"] = .string(podIP)
        pod["status"]?["podIPs"] = [["ip": .string(podIP)]]
        if pod[path: ["status", "startTime"]] == nil { pod["status"]?["startTime"] = stamp }
        for type in ["PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready", "PodScheduled"] {
            pod.simSetCondition(["type": .string(type), "status": "True", "lastProbeTime": .null, "lastTransitionTime": stamp])
        }
        var statuses: [JSONValue] = []
        for container in pod[path: ["spec", "containers"]]?.arrayValue ?? [] {
            let name = container["name"]?.stringValue ?? ""
            statuses.append([
                "name": .string(name), "image": container["image"] ?? "", "imageID": "",
                "containerID": .string("containerd://" + Self.containerID(pod.simUID, name)),
                "ready": true, "started": true, "restartCount": 0,
                "state": ["running": ["startedAt": stamp]],
            ])
        }
        pod["status"]?["containerStatuses"] = .array(statuses)
        return pod
    }

    private static func containerID(_ uid: String, _ name: String) -> String {
        var hasher = FNV1a()
        hasher.add(uid)
        hasher.add(name)
        let a = String(hasher.value, radix: 16)
        hasher.add("container")
        return (a + String(hasher.value, radix: 16)).padding(toLength: 32, withPad: "0", startingAt: 0)
    }

    static func hostIP(nodeIndex: Int) -> String { "10.0.\(nodeIndex / 250 % 250).\(nodeIndex % 250 + 2)" }

    static func podIP(nodeIndex: Int, pod: Int) -> String {
        "10.\(100 + nodeIndex / 250 % 150).\(nodeIndex % 250).\(pod % 250 + 2)"
    }

    // MARK: Node status

    private static let kubeletConditions: [(type: String, status: String, reason: String, message: String)] = [
        ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
    ]

    private func postStatusIfDue(_ node: JSONValue, index: Int, now: Date) -> Int {
        var writes = 0
        let name = node.simName
        let ready = node.simCondition("Ready")
        let beat = ready?["lastHeartbeatTime"]?.stringValue.flatMap(Timestamps.parse)
        let due = ready?["status"]?.stringValue != "True" || beat == nil
            || now.timeIntervalSince(beat!) >= configuration.heartbeatInterval.seconds
            || node[path: ["status", "allocatable"]] == nil
        let kubelet = actor.acting(as: "system:node:\(name)")
        if due {
            let defaults = configuration.defaultCapacity
            if (try? kubelet.modify(nodes, namespace: nil, name: name, subresource: .status, {
                (current) throws(APIError) -> JSONValue in
                var node = current
                let stamp = JSONValue.string(Timestamps.format(now))
                if node["status"] == nil || node["status"]?.isNull == true { node["status"] = .object([:]) }
                if node[path: ["status", "capacity"]] == nil {
                    node["status"]?["capacity"] = .object(defaults.mapValues { .string($0) })
                }
                if node[path: ["status", "allocatable"]] == nil {
                    let capacity = node[path: ["status", "capacity"]]
                    node["status"]?["allocatable"] = capacity
                }
                if node[path: ["status", "addresses"]] == nil {
                    node["status"]?["addresses"] = [
                        ["type": "InternalIP", "address": .string(Self.hostIP(nodeIndex: index))],
                        ["type": "Hostname", "address": .string(name)],
                    ]
                }
                if node[path: ["status", "nodeInfo"]] == nil {
                    node["status"]?["nodeInfo"] = [
                        "kubeletVersion": "v1.32.0", "kubeProxyVersion": "v1.32.0", "containerRuntimeVersion": "containerd://1.7.22",
                        "operatingSystem": "linux", "architecture": "amd64", "osImage": "ClusterSim",
                        "kernelVersion": "6.1.0-clustersim", "machineID": "", "systemUUID": "", "bootID": "",
                    ]
                }
                for c in Self.kubeletConditions {
                    node.simSetCondition(["type": .string(c.type), "status": .string(c.status), "reason": .string(c.reason),
                                          "message": .string(c.message), "lastHeartbeatTime": stamp, "lastTransitionTime": stamp])
                }
                node["status"]?["phase"] = nil
                return node
            })) != nil { writes += 1 }
        }
        // The node-lifecycle controller lifts the unreachable taint once the kubelet reports again.
        if Self.hasTaint(node, key: Self.unreachableTaintKey) {
            if (try? controllerActor.modify(nodes, namespace: nil, name: name, {
                (current) throws(APIError) -> JSONValue in
                Self.withoutTaint(current, key: Self.unreachableTaintKey)
            })) != nil { writes += 1 }
        }
        return writes
    }

    private func markUnreachableIfSilent(_ node: JSONValue, now: Date) -> Int {
        let name = node.simName
        let ready = node.simCondition("Ready")
        if ready?["status"]?.stringValue == "Unknown", Self.hasTaint(node, key: Self.unreachableTaintKey) { return 0 }
        let beat = ready?["lastHeartbeatTime"]?.stringValue.flatMap(Timestamps.parse)
        if let beat, now.timeIntervalSince(beat) < configuration.nodeMonitorGracePeriod.seconds { return 0 }
        var writes = 0
        if ready?["status"]?.stringValue != "Unknown" {
            if (try? controllerActor.modify(nodes, namespace: nil, name: name, subresource: .status, {
                (current) throws(APIError) -> JSONValue in
                var node = current
                let stamp = JSONValue.string(Timestamps.format(now))
                for type in ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"] {
                    var condition = node.simCondition(type) ?? ["type": .string(type)]
                    condition["status"] = "Unknown"
                    condition["reason"] = "NodeStatusUnknown"
                    condition["message"] = "Kubelet stopped posting node status."
                    condition["lastTransitionTime"] = stamp
                    if condition["lastHeartbeatTime"] == nil { condition["lastHeartbeatTime"] = stamp }
                    node.simSetCondition(condition)
                }
                return node
            })) != nil { writes += 1 }
        }
        if !Self.hasTaint(node, key: Self.unreachableTaintKey) {
            if (try? controllerActor.modify(nodes, namespace: nil, name: name, {
                (current) throws(APIError) -> JSONValue in
                var node = current
                var taints = node[path: ["spec", "taints"]]?.arrayValue ?? []
                taints.append(["key": .string(Self.unreachableTaintKey), "effect": "NoSchedule",
                               "timeAdded": .string(Timestamps.format(now))])
                if node["spec"] == nil { node["spec"] = .object([:]) }
                node["spec"]?["taints"] = .array(taints)
                return node
            })) != nil { writes += 1 }
        }
        return writes
    }

    static func hasTaint(_ node: JSONValue, key: String) -> Bool {
        (node[path: ["spec", "taints"]]?.arrayValue ?? []).contains { $0["key"]?.stringValue == key }
    }

    static func withoutTaint(_ node: JSONValue, key: String) -> JSONValue {
        var node = node
        let kept = (node[path: ["spec", "taints"]]?.arrayValue ?? []).filter { $0["key"]?.stringValue != key }
        node["spec"]?["taints"] = kept.isEmpty ? nil : .array(kept)
        return node
    }
}

extension SimulationActor {
    /// Finishes a pod's graceful deletion (a delete with grace period 0), as a kubelet does.
    func finishDeletion(_ pods: ResourceDescriptor, namespace: String, name: String) throws(APIError) {
        _ = try delete(pods, namespace: namespace, name: name, options: DeleteOptions(gracePeriodSeconds: 0))
    }
}

/// A small stable hash (FNV-1a, 64 bit) for deterministic identifiers.
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ text: String) {
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value = value &* 0x100_0000_01b3
        }
    }
}
