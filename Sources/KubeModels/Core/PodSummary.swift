#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A slim, read-only projection of a Pod holding only what Mend's programs use: identity,
/// owner, placement, readiness, the scheduler's view of its requests and constraints, and the
/// annotations Mend reads.
///
/// Decoded straight from pod JSON (`JSONDecoder().decode(PodSummary.self, ...)`, also inside
/// ``ObjectList`` and ``WatchEvent``) without building the full ``Pod``: members it does not
/// need are never materialized. Well-known strings (toleration keys, owner kinds, protocols)
/// are shared constants, so thousands of summaries stay small.
public struct PodSummary: Sendable, Hashable {
    public var namespace: String
    public var name: String
    /// `metadata.uid` (stored as 16 bytes when it is a UUID, as the API server makes them).
    public var uid: String {
        get { compactUID.string }
        set { compactUID = CompactUID(newValue) }
    }
    private var compactUID: CompactUID
    public var resourceVersion: String?
    public var labels: [String: String]
    /// The kind of the controlling owner (`ReplicaSet`, `DaemonSet`, `StatefulSet`, `Job`, `Node`...).
    public var controllerKind: String?
    /// The name of the controlling owner.
    public var controllerName: String?
    public var nodeName: String?
    public var phase: PodPhase?
    /// Whether the `Ready` condition is `True`.
    public var isReady: Bool
    /// `spec.priority` (0 when absent, as the scheduler treats it).
    public var priority: Int32
    /// The scheduler's effective request (see ``PodResources``) in fixed units.
    public var requests: ResourceVector
    public var tolerations: [Toleration]
    public var nodeSelector: [String: String]
    /// `affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`.
    public var requiredNodeAffinity: NodeSelector?
    /// `affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution`.
    public var requiredAntiAffinity: [PodAffinityTerm]
    /// Whether the pod has required pod *affinity* terms (not evaluated by ``Scheduling``).
    public var hasRequiredPodAffinity: Bool
    public var hostPorts: [HostPort]
    /// The `cluster-autoscaler.kubernetes.io/safe-to-evict` annotation (`true`/`false`, nil otherwise).
    public var safeToEvict: Bool?
    /// Whether the `kubernetes.io/config.mirror` annotation is present.
    public var isMirrorPod: Bool
    /// Whether any volume is an `emptyDir`.
    public var usesLocalStorage: Bool
    public var deletionTimestamp: KubeTime?
    public var creationTimestamp: KubeTime?
    /// `spec.schedulerName` (nil means the default scheduler).
    public var schedulerName: String?
    /// `status.nominatedNodeName`: where preemption made room for the pod.
    public var nominatedNodeName: String?
    /// Whether `PodScheduled` is `False` with reason `Unschedulable`.
    public var isUnschedulable: Bool

    /// `namespace/name`.
    public var key: String { "\(namespace)/\(name)" }
    /// Whether a DaemonSet controls this pod.
    public var isDaemonSetPod: Bool { controllerKind == "DaemonSet" }
    /// Whether the pod has finished for good (`Succeeded` or `Failed`).
    public var isTerminal: Bool { phase?.isTerminal ?? false }
    /// Whether a deletion has been requested.
    public var isBeingDeleted: Bool { deletionTimestamp != nil }

    /// The summary of a full ``Pod``.
    public init(_ pod: Pod) {
        namespace = pod.metadata.namespace ?? ""
        name = pod.metadata.name ?? ""
        compactUID = CompactUID(pod.metadata.uid ?? "")
        resourceVersion = pod.metadata.resourceVersion
        labels = WellKnown.internKeys(pod.metadata.labels ?? [:])
        let owner = pod.controllerReference
        controllerKind = owner?.kind
        controllerName = owner?.name
        nodeName = pod.spec.nodeName
        phase = pod.status.phase
        isReady = pod.isReady
        priority = pod.spec.priority ?? 0
        requests = ResourceVector(pod.effectiveRequests)
        tolerations = pod.spec.tolerations ?? []
        nodeSelector = pod.spec.nodeSelector ?? [:]
        requiredNodeAffinity = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
        requiredAntiAffinity = pod.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []
        hasRequiredPodAffinity =
            !(pod.spec.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.isEmpty ?? true)
        hostPorts = pod.hostPorts
        safeToEvict = pod.safeToEvict
        isMirrorPod = pod.isMirrorPod
        usesLocalStorage = pod.usesLocalStorage
        deletionTimestamp = pod.metadata.deletionTimestamp
        creationTimestamp = pod.metadata.creationTimestamp
        schedulerName = pod.spec.schedulerName
        nominatedNodeName = pod.status.nominatedNodeName
        isUnschedulable = pod.isUnschedulable
    }
}

extension PodSummary: Decodable {
    private enum TopKeys: String, CodingKey { case metadata, spec, status }
    private enum MetaKeys: String, CodingKey {
        case namespace, name, uid, resourceVersion, labels, annotations, ownerReferences, deletionTimestamp
        case creationTimestamp
    }
    private enum AnnotationKeys: String, CodingKey {
        case mirror = "kubernetes.io/config.mirror"
        case safeToEvict = "cluster-autoscaler.kubernetes.io/safe-to-evict"
    }
    private enum SpecKeys: String, CodingKey {
        case nodeName, priority, tolerations, nodeSelector, affinity, containers, initContainers, overhead, volumes
        case schedulerName
    }
    private enum AffinityKeys: String, CodingKey { case nodeAffinity, podAffinity, podAntiAffinity }
    private enum RequiredKeys: String, CodingKey { case required = "requiredDuringSchedulingIgnoredDuringExecution" }
    private enum StatusKeys: String, CodingKey { case phase, conditions, nominatedNodeName }

    private struct SlimOwner: Decodable {
        var kind: String
        var name: String
        var controller: Bool?
    }

    private struct SlimContainer: Decodable {
        var resources: ResourceRequirementsSlim?
        var ports: [ContainerPort]?
        var restartPolicy: String?
    }

    private struct ResourceRequirementsSlim: Decodable {
        var requests: [String: Quantity]?
        var limits: [String: Quantity]?
    }

    private struct SlimVolume: Decodable {
        var isEmptyDir: Bool
        private enum Keys: String, CodingKey { case emptyDir }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            isEmptyDir = c.contains(.emptyDir) && !((try? c.decodeNil(forKey: .emptyDir)) ?? true)
        }
    }

    private struct SlimCondition: Decodable {
        var type: String
        var status: String
        var reason: String?
    }

    public init(from decoder: any Decoder) throws {
        let top = try decoder.container(keyedBy: TopKeys.self)

        let meta = try top.nestedContainer(keyedBy: MetaKeys.self, forKey: .metadata)
        namespace = try meta.decodeIfPresent(String.self, forKey: .namespace) ?? ""
        name = try meta.decodeIfPresent(String.self, forKey: .name) ?? ""
        compactUID = CompactUID(try meta.decodeIfPresent(String.self, forKey: .uid) ?? "")
        resourceVersion = try meta.decodeIfPresent(String.self, forKey: .resourceVersion)
        labels = WellKnown.internKeys(try meta.decodeIfPresent([String: String].self, forKey: .labels) ?? [:])
        if let annotations = try? meta.nestedContainer(keyedBy: AnnotationKeys.self, forKey: .annotations) {
            isMirrorPod = annotations.contains(.mirror)
            switch try annotations.decodeIfPresent(String.self, forKey: .safeToEvict) {
            case "true": safeToEvict = true
            case "false": safeToEvict = false
            default: safeToEvict = nil
            }
        } else {
            isMirrorPod = false
            safeToEvict = nil
        }
        let owner = try meta.decodeIfPresent([SlimOwner].self, forKey: .ownerReferences)?.first { $0.controller == true }
        controllerKind = owner.map { WellKnown.intern($0.kind) }
        controllerName = owner?.name
        deletionTimestamp = try meta.decodeIfPresent(KubeTime.self, forKey: .deletionTimestamp)
        creationTimestamp = try meta.decodeIfPresent(KubeTime.self, forKey: .creationTimestamp)

        if let spec = try? top.nestedContainer(keyedBy: SpecKeys.self, forKey: .spec) {
            nodeName = try spec.decodeIfPresent(String.self, forKey: .nodeName)
            schedulerName = try spec.decodeIfPresent(String.self, forKey: .schedulerName).map(WellKnown.intern)
            priority = try spec.decodeIfPresent(Int32.self, forKey: .priority) ?? 0
            tolerations = (try spec.decodeIfPresent([Toleration].self, forKey: .tolerations) ?? []).map(WellKnown.intern)
            nodeSelector = WellKnown.internKeys(
                try spec.decodeIfPresent([String: String].self, forKey: .nodeSelector) ?? [:])
            var nodeAffinity: NodeSelector?
            var antiAffinity: [PodAffinityTerm] = []
            var podAffinity = false
            if let affinity = try? spec.nestedContainer(keyedBy: AffinityKeys.self, forKey: .affinity) {
                if let node = try? affinity.nestedContainer(keyedBy: RequiredKeys.self, forKey: .nodeAffinity) {
                    nodeAffinity = try node.decodeIfPresent(NodeSelector.self, forKey: .required)
                }
                if let anti = try? affinity.nestedContainer(keyedBy: RequiredKeys.self, forKey: .podAntiAffinity) {
                    antiAffinity = try anti.decodeIfPresent([PodAffinityTerm].self, forKey: .required) ?? []
                }
                if let pa = try? affinity.nestedContainer(keyedBy: RequiredKeys.self, forKey: .podAffinity) {
                    podAffinity = !(try pa.decodeIfPresent([PodAffinityTerm].self, forKey: .required)?.isEmpty ?? true)
                }
            }
            requiredNodeAffinity = nodeAffinity
            requiredAntiAffinity = antiAffinity
            hasRequiredPodAffinity = podAffinity

            let containers = try spec.decodeIfPresent([SlimContainer].self, forKey: .containers) ?? []
            let initContainers = try spec.decodeIfPresent([SlimContainer].self, forKey: .initContainers) ?? []
            let overhead = try spec.decodeIfPresent([String: Quantity].self, forKey: .overhead)
            requests = ResourceVector(
                PodResources.effectiveRequests(
                    regular: containers.map { PodResources.requests($0.resources?.requests, limits: $0.resources?.limits) },
                    initContainers: initContainers.map {
                        (PodResources.requests($0.resources?.requests, limits: $0.resources?.limits),
                            $0.restartPolicy == "Always")
                    },
                    overhead: overhead))
            var ports: [HostPort] = []
            for container in initContainers + containers {
                for port in container.ports ?? [] {
                    if var p = HostPort(port) {
                        p.protocol = WellKnown.intern(p.protocol)
                        p.hostIP = WellKnown.intern(p.hostIP)
                        ports.append(p)
                    }
                }
            }
            hostPorts = ports
            usesLocalStorage = try spec.decodeIfPresent([SlimVolume].self, forKey: .volumes)?.contains { $0.isEmptyDir } ?? false
        } else {
            nodeName = nil
            schedulerName = nil
            priority = 0
            tolerations = []
            nodeSelector = [:]
            requiredNodeAffinity = nil
            requiredAntiAffinity = []
            hasRequiredPodAffinity = false
            requests = .zero
            hostPorts = []
            usesLocalStorage = false
        }

        if let status = try? top.nestedContainer(keyedBy: StatusKeys.self, forKey: .status) {
            phase = try status.decodeIfPresent(PodPhase.self, forKey: .phase).map { WellKnown.intern($0) }
            let conditions = try status.decodeIfPresent([SlimCondition].self, forKey: .conditions) ?? []
            isReady = conditions.contains { $0.type == "Ready" && $0.status == "True" }
            isUnschedulable = conditions.contains {
                $0.type == "PodScheduled" && $0.status == "False" && $0.reason == PodConditionReason.unschedulable
            }
            nominatedNodeName = try status.decodeIfPresent(String.self, forKey: .nominatedNodeName)
        } else {
            phase = nil
            isReady = false
            isUnschedulable = false
            nominatedNodeName = nil
        }
    }
}

/// A UID kept in 16 bytes when it is a UUID (lower-case, as the API server writes them).
private enum CompactUID: Sendable, Hashable {
    case uuid(UUID)
    case other(String)

    init(_ text: String) {
        if text.utf8.count == 36, let uuid = UUID(uuidString: text), uuid.uuidString.lowercased() == text {
            self = .uuid(uuid)
        } else {
            self = .other(text)
        }
    }

    var string: String {
        switch self {
        case .uuid(let u): u.uuidString.lowercased()
        case .other(let s): s
        }
    }
}

/// Replaces common decoded strings with static literals (which never allocate), so many
/// decoded summaries share them instead of each holding a heap copy.
enum WellKnown {
    static func intern(_ s: String) -> String {
        switch s {
        case "node.kubernetes.io/not-ready": "node.kubernetes.io/not-ready"
        case "node.kubernetes.io/unreachable": "node.kubernetes.io/unreachable"
        case "node.kubernetes.io/unschedulable": "node.kubernetes.io/unschedulable"
        case "node.kubernetes.io/disk-pressure": "node.kubernetes.io/disk-pressure"
        case "node.kubernetes.io/memory-pressure": "node.kubernetes.io/memory-pressure"
        case "node.kubernetes.io/pid-pressure": "node.kubernetes.io/pid-pressure"
        case "node.kubernetes.io/network-unavailable": "node.kubernetes.io/network-unavailable"
        case "node-role.kubernetes.io/control-plane": "node-role.kubernetes.io/control-plane"
        case "NoSchedule": "NoSchedule"
        case "NoExecute": "NoExecute"
        case "PreferNoSchedule": "PreferNoSchedule"
        case "Exists": "Exists"
        case "Equal": "Equal"
        case "ReplicaSet": "ReplicaSet"
        case "DaemonSet": "DaemonSet"
        case "StatefulSet": "StatefulSet"
        case "Job": "Job"
        case "Node": "Node"
        case "TCP": "TCP"
        case "UDP": "UDP"
        case "0.0.0.0": "0.0.0.0"
        case "default-scheduler": "default-scheduler"
        case "app.kubernetes.io/name": "app.kubernetes.io/name"
        case "app.kubernetes.io/instance": "app.kubernetes.io/instance"
        case "app.kubernetes.io/component": "app.kubernetes.io/component"
        case "app.kubernetes.io/part-of": "app.kubernetes.io/part-of"
        case "app.kubernetes.io/managed-by": "app.kubernetes.io/managed-by"
        case "app.kubernetes.io/version": "app.kubernetes.io/version"
        case "pod-template-hash": "pod-template-hash"
        case "controller-revision-hash": "controller-revision-hash"
        case "pod-template-generation": "pod-template-generation"
        case "statefulset.kubernetes.io/pod-name": "statefulset.kubernetes.io/pod-name"
        case "apps.kubernetes.io/pod-index": "apps.kubernetes.io/pod-index"
        case "batch.kubernetes.io/job-name": "batch.kubernetes.io/job-name"
        case "batch.kubernetes.io/controller-uid": "batch.kubernetes.io/controller-uid"
        case "kubernetes.io/hostname": "kubernetes.io/hostname"
        case "kubernetes.io/os": "kubernetes.io/os"
        case "kubernetes.io/arch": "kubernetes.io/arch"
        case "topology.kubernetes.io/zone": "topology.kubernetes.io/zone"
        case "node.kubernetes.io/instance-type": "node.kubernetes.io/instance-type"
        default: s
        }
    }

    /// The same dictionary with well-known keys interned.
    static func internKeys(_ labels: [String: String]) -> [String: String] {
        guard !labels.isEmpty else { return labels }
        var out = [String: String](minimumCapacity: labels.count)
        for (key, value) in labels { out[intern(key)] = value }
        return out
    }

    static func intern<T: OpenEnum>(_ value: T) -> T { T(rawValue: intern(value.rawValue)) }

    static func intern(_ t: Toleration) -> Toleration {
        Toleration(
            key: t.key.map(intern), operator: t.operator.map(intern), value: t.value,
            effect: t.effect.map(intern), tolerationSeconds: t.tolerationSeconds)
    }
}
