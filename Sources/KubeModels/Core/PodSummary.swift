#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import Synchronization

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
    /// Everything else, behind one reference: a summary is three words wherever it is stored
    /// (an informer's dictionary, arrays of candidates), and copies share the fields.
    private var box: Box

    /// `metadata.uid` (stored as 16 bytes when it is a UUID, as the API server makes them).
    public var uid: String {
        get { box.fields.compactUID.string }
        set { update { $0.compactUID = CompactUID(newValue) } }
    }
    public var resourceVersion: String? {
        get { box.fields.resourceVersion }
        set { update { $0.resourceVersion = newValue } }
    }
    public var labels: [String: String] {
        get { box.fields.labels }
        set { update { $0.labels = newValue } }
    }
    /// The kind of the controlling owner (`ReplicaSet`, `DaemonSet`, `StatefulSet`, `Job`, `Node`...).
    public var controllerKind: String? {
        get { box.fields.controllerKind }
        set { update { $0.controllerKind = newValue } }
    }
    /// The name of the controlling owner.
    public var controllerName: String? {
        get { box.fields.controllerName }
        set { update { $0.controllerName = newValue } }
    }
    public var nodeName: String? {
        get { box.fields.nodeName }
        set { update { $0.nodeName = newValue } }
    }
    public var phase: PodPhase? {
        get { box.fields.phase }
        set { update { $0.phase = newValue } }
    }
    /// Whether the `Ready` condition is `True`.
    public var isReady: Bool {
        get { box.fields.isReady }
        set { update { $0.isReady = newValue } }
    }
    /// `spec.priority` (0 when absent, as the scheduler treats it).
    public var priority: Int32 {
        get { box.fields.priority }
        set { update { $0.priority = newValue } }
    }
    /// The scheduler's effective request (see ``PodResources``) in fixed units.
    public var requests: ResourceVector {
        get { box.fields.requests }
        set { update { $0.requests = newValue } }
    }
    public var tolerations: [Toleration] {
        get { box.fields.tolerations }
        set { update { $0.tolerations = newValue } }
    }
    public var nodeSelector: [String: String] {
        get { box.fields.nodeSelector }
        set { update { $0.nodeSelector = newValue } }
    }
    /// `affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`.
    public var requiredNodeAffinity: NodeSelector? {
        get { box.fields.requiredNodeAffinity }
        set { update { $0.requiredNodeAffinity = newValue } }
    }
    /// `affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution`.
    public var requiredAntiAffinity: [PodAffinityTerm] {
        get { box.fields.requiredAntiAffinity }
        set { update { $0.requiredAntiAffinity = newValue } }
    }
    /// Whether the pod has required pod *affinity* terms (not evaluated by ``Scheduling``).
    public var hasRequiredPodAffinity: Bool {
        get { box.fields.hasRequiredPodAffinity }
        set { update { $0.hasRequiredPodAffinity = newValue } }
    }
    public var hostPorts: [HostPort] {
        get { box.fields.hostPorts }
        set { update { $0.hostPorts = newValue } }
    }
    /// The `cluster-autoscaler.kubernetes.io/safe-to-evict` annotation (`true`/`false`, nil otherwise).
    public var safeToEvict: Bool? {
        get { box.fields.safeToEvict }
        set { update { $0.safeToEvict = newValue } }
    }
    /// Whether the `kubernetes.io/config.mirror` annotation is present.
    public var isMirrorPod: Bool {
        get { box.fields.isMirrorPod }
        set { update { $0.isMirrorPod = newValue } }
    }
    /// Whether any volume is an `emptyDir`.
    public var usesLocalStorage: Bool {
        get { box.fields.usesLocalStorage }
        set { update { $0.usesLocalStorage = newValue } }
    }
    public var deletionTimestamp: KubeTime? {
        get { box.fields.deletionTimestamp }
        set { update { $0.deletionTimestamp = newValue } }
    }
    public var creationTimestamp: KubeTime? {
        get { box.fields.creationTimestamp }
        set { update { $0.creationTimestamp = newValue } }
    }
    /// `spec.schedulerName` (nil means the default scheduler).
    public var schedulerName: String? {
        get { box.fields.schedulerName }
        set { update { $0.schedulerName = newValue } }
    }
    /// `status.nominatedNodeName`: where preemption made room for the pod.
    public var nominatedNodeName: String? {
        get { box.fields.nominatedNodeName }
        set { update { $0.nominatedNodeName = newValue } }
    }
    /// Whether `PodScheduled` is `False` with reason `Unschedulable`.
    public var isUnschedulable: Bool {
        get { box.fields.isUnschedulable }
        set { update { $0.isUnschedulable = newValue } }
    }

    /// When `PodScheduled` last turned `False` (its `lastTransitionTime`), if the pod carries
    /// that condition with a time.
    public var unschedulableSince: KubeTime? {
        get { box.fields.unschedulableSince }
        set { update { $0.unschedulableSince = newValue } }
    }

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
        var f = Fields()
        let namespace = pod.metadata.namespace ?? ""
        let name = pod.metadata.name ?? ""
        f.compactUID = CompactUID(pod.metadata.uid ?? "")
        f.resourceVersion = pod.metadata.resourceVersion
        f.labels = WellKnown.internKeys(pod.metadata.labels ?? [:])
        let owner = pod.controllerReference
        f.controllerKind = owner?.kind
        f.controllerName = owner?.name
        f.nodeName = pod.spec.nodeName
        f.phase = pod.status.phase
        f.isReady = pod.isReady
        f.priority = pod.spec.priority ?? 0
        f.requests = ResourceVector(pod.effectiveRequests)
        f.tolerations = pod.spec.tolerations ?? []
        f.nodeSelector = pod.spec.nodeSelector ?? [:]
        f.requiredNodeAffinity = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
        f.requiredAntiAffinity = pod.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []
        f.hasRequiredPodAffinity =
            !(pod.spec.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.isEmpty ?? true)
        f.hostPorts = pod.hostPorts
        f.safeToEvict = pod.safeToEvict
        f.isMirrorPod = pod.isMirrorPod
        f.usesLocalStorage = pod.usesLocalStorage
        f.deletionTimestamp = pod.metadata.deletionTimestamp
        f.creationTimestamp = pod.metadata.creationTimestamp
        f.schedulerName = pod.spec.schedulerName
        f.nominatedNodeName = pod.status.nominatedNodeName
        f.isUnschedulable = pod.isUnschedulable
        f.unschedulableSince = pod.status.conditions?.first {
            $0.type == .podScheduled && $0.status == .false
        }?.lastTransitionTime
        self.init(namespace: namespace, name: name, fields: f)
    }

    /// The stored fields (all but namespace and name).
    struct Fields: Sendable, Hashable {
        var compactUID = CompactUID("")
        var resourceVersion: String? = nil
        var labels: [String: String] = [:]
        var controllerKind: String? = nil
        var controllerName: String? = nil
        var nodeName: String? = nil
        var phase: PodPhase? = nil
        var isReady: Bool = false
        var priority: Int32 = 0
        var requests: ResourceVector = .zero
        var tolerations: [Toleration] = []
        var nodeSelector: [String: String] = [:]
        var requiredNodeAffinity: NodeSelector? = nil
        var requiredAntiAffinity: [PodAffinityTerm] = []
        var hasRequiredPodAffinity: Bool = false
        var hostPorts: [HostPort] = []
        var safeToEvict: Bool? = nil
        var isMirrorPod: Bool = false
        var usesLocalStorage: Bool = false
        var deletionTimestamp: KubeTime? = nil
        var creationTimestamp: KubeTime? = nil
        var schedulerName: String? = nil
        var nominatedNodeName: String? = nil
        var isUnschedulable: Bool = false
        var unschedulableSince: KubeTime? = nil
    }

    final class Box: Sendable {
        let fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    init(namespace: String, name: String, fields: Fields) {
        self.namespace = namespace
        self.name = name
        self.box = Box(fields)
    }

    private mutating func update(_ change: (inout Fields) -> Void) {
        var fields = box.fields
        change(&fields)
        box = Box(fields)
    }

    public static func == (a: PodSummary, b: PodSummary) -> Bool {
        a.namespace == b.namespace && a.name == b.name && (a.box === b.box || a.box.fields == b.box.fields)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(namespace)
        hasher.combine(name)
        hasher.combine(box.fields)
    }
}

extension PodSummary: Decodable {
    // The members a summary reads, level by level: the one list both decoders (this
    // `Decoder`-protocol one and the tape reader in `PodSummary+Tape.swift`) work from.
    enum TopKeys: String, CodingKey, CaseIterable { case metadata, spec, status }
    enum MetaKeys: String, CodingKey, CaseIterable {
        case namespace, name, uid, resourceVersion, labels, annotations, ownerReferences, deletionTimestamp
        case creationTimestamp
    }
    enum AnnotationKeys: String, CodingKey, CaseIterable {
        case mirror = "kubernetes.io/config.mirror"
        case safeToEvict = "cluster-autoscaler.kubernetes.io/safe-to-evict"
    }
    enum OwnerKeys: String, CodingKey, CaseIterable { case kind, name, controller }
    enum SpecKeys: String, CodingKey, CaseIterable {
        case nodeName, priority, tolerations, nodeSelector, affinity, containers, initContainers, overhead, volumes
        case schedulerName
    }
    enum AffinityKeys: String, CodingKey, CaseIterable { case nodeAffinity, podAffinity, podAntiAffinity }
    enum RequiredKeys: String, CodingKey, CaseIterable {
        case required = "requiredDuringSchedulingIgnoredDuringExecution"
    }
    enum ContainerKeys: String, CodingKey, CaseIterable { case resources, ports, restartPolicy }
    enum ResourceKeys: String, CodingKey, CaseIterable { case requests, limits }
    enum VolumeKeys: String, CodingKey, CaseIterable { case emptyDir }
    enum StatusKeys: String, CodingKey, CaseIterable { case phase, conditions, nominatedNodeName }
    enum ConditionKeys: String, CodingKey, CaseIterable { case type, status, reason, lastTransitionTime }

    private struct SlimOwner: Decodable {
        var kind: String
        var name: String
        var controller: Bool?
        typealias CodingKeys = OwnerKeys
    }

    private struct SlimContainer: Decodable {
        var resources: ResourceRequirementsSlim?
        var ports: [ContainerPort]?
        var restartPolicy: String?
        typealias CodingKeys = ContainerKeys
    }

    private struct ResourceRequirementsSlim: Decodable {
        var requests: [String: Quantity]?
        var limits: [String: Quantity]?
        typealias CodingKeys = ResourceKeys
    }

    private struct SlimVolume: Decodable {
        var isEmptyDir: Bool
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: VolumeKeys.self)
            isEmptyDir = c.contains(.emptyDir) && !((try? c.decodeNil(forKey: .emptyDir)) ?? true)
        }
    }

    private struct SlimCondition: Decodable {
        var type: String
        var status: String
        var reason: String?
        var lastTransitionTime: KubeTime?
        typealias CodingKeys = ConditionKeys
    }

    public init(from decoder: any Decoder) throws {
        if let tape = decoder as? TapeDecoder {
            self = try tape.tape.podSummary(at: tape.index)
            return
        }
        var f = Fields()
        let top = try decoder.container(keyedBy: TopKeys.self)

        let meta = try top.nestedContainer(keyedBy: MetaKeys.self, forKey: .metadata)
        let namespace = try meta.decodeIfPresent(String.self, forKey: .namespace) ?? ""
        let name = try meta.decodeIfPresent(String.self, forKey: .name) ?? ""
        f.compactUID = CompactUID(try meta.decodeIfPresent(String.self, forKey: .uid) ?? "")
        f.resourceVersion = try meta.decodeIfPresent(String.self, forKey: .resourceVersion)
        f.labels = WellKnown.internKeys(try meta.decodeIfPresent([String: String].self, forKey: .labels) ?? [:])
        if let annotations = try? meta.nestedContainer(keyedBy: AnnotationKeys.self, forKey: .annotations) {
            f.isMirrorPod = annotations.contains(.mirror)
            switch try annotations.decodeIfPresent(String.self, forKey: .safeToEvict) {
            case "true": f.safeToEvict = true
            case "false": f.safeToEvict = false
            default: f.safeToEvict = nil
            }
        } else {
            f.isMirrorPod = false
            f.safeToEvict = nil
        }
        let owner = try meta.decodeIfPresent([SlimOwner].self, forKey: .ownerReferences)?.first {
            $0.controller == true
        }
        f.controllerKind = owner.map { WellKnown.intern($0.kind) }
        f.controllerName = owner.map { SharedValues.strings.intern($0.name) }
        f.deletionTimestamp = try meta.decodeIfPresent(KubeTime.self, forKey: .deletionTimestamp)
        f.creationTimestamp = try meta.decodeIfPresent(KubeTime.self, forKey: .creationTimestamp)

        if let spec = try? top.nestedContainer(keyedBy: SpecKeys.self, forKey: .spec) {
            f.nodeName = try spec.decodeIfPresent(String.self, forKey: .nodeName).map(SharedValues.strings.intern)
            f.schedulerName = try spec.decodeIfPresent(String.self, forKey: .schedulerName).map(WellKnown.intern)
            f.priority = try spec.decodeIfPresent(Int32.self, forKey: .priority) ?? 0
            f.tolerations = SharedValues.tolerations.intern(
                (try spec.decodeIfPresent([Toleration].self, forKey: .tolerations) ?? []).map(WellKnown.intern))
            f.nodeSelector = SharedValues.selectors.intern(
                WellKnown.internKeys(try spec.decodeIfPresent([String: String].self, forKey: .nodeSelector) ?? [:]))
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
            f.requiredNodeAffinity = nodeAffinity
            f.requiredAntiAffinity = antiAffinity
            f.hasRequiredPodAffinity = podAffinity

            let containers = try spec.decodeIfPresent([SlimContainer].self, forKey: .containers) ?? []
            let initContainers = try spec.decodeIfPresent([SlimContainer].self, forKey: .initContainers) ?? []
            let overhead = try spec.decodeIfPresent([String: Quantity].self, forKey: .overhead)
            f.requests = ResourceVector(
                PodResources.effectiveRequests(
                    regular: containers.map {
                        PodResources.requests($0.resources?.requests, limits: $0.resources?.limits)
                    },
                    initContainers: initContainers.map {
                        (
                            PodResources.requests($0.resources?.requests, limits: $0.resources?.limits),
                            $0.restartPolicy == "Always"
                        )
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
            f.hostPorts = ports
            f.usesLocalStorage =
                try spec.decodeIfPresent([SlimVolume].self, forKey: .volumes)?.contains { $0.isEmptyDir } ?? false
        } else {
            f.nodeName = nil
            f.schedulerName = nil
            f.priority = 0
            f.tolerations = []
            f.nodeSelector = [:]
            f.requiredNodeAffinity = nil
            f.requiredAntiAffinity = []
            f.hasRequiredPodAffinity = false
            f.requests = .zero
            f.hostPorts = []
            f.usesLocalStorage = false
        }

        if let status = try? top.nestedContainer(keyedBy: StatusKeys.self, forKey: .status) {
            f.phase = try status.decodeIfPresent(PodPhase.self, forKey: .phase).map { WellKnown.intern($0) }
            let conditions = try status.decodeIfPresent([SlimCondition].self, forKey: .conditions) ?? []
            f.isReady = conditions.contains { $0.type == "Ready" && $0.status == "True" }
            f.isUnschedulable = conditions.contains {
                $0.type == "PodScheduled" && $0.status == "False" && $0.reason == PodConditionReason.unschedulable
            }
            f.unschedulableSince = conditions.first { $0.type == "PodScheduled" && $0.status == "False" }?
                .lastTransitionTime
            f.nominatedNodeName = try status.decodeIfPresent(String.self, forKey: .nominatedNodeName)
                .map(SharedValues.strings.intern)
        } else {
            f.phase = nil
            f.isReady = false
            f.isUnschedulable = false
            f.unschedulableSince = nil
            f.nominatedNodeName = nil
        }
        self.init(namespace: namespace, name: name, fields: f)
    }
}

/// A UID kept in 16 bytes when it is a UUID (lower-case, as the API server writes them).
enum CompactUID: Sendable, Hashable {
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

/// Values many pods repeat (node names, owner names, the default tolerations, node selectors),
/// shared between decoded summaries so each is held once. Bounded: a pool that fills up starts
/// over, so an unusual cluster costs a little sharing, never unbounded memory.
enum SharedValues {
    static let strings = InternPool<String>(limit: 65_536)
    static let tolerations = InternPool<[Toleration]>(limit: 1_024)
    static let selectors = InternPool<[String: String]>(limit: 1_024)
}

/// A thread-safe, bounded set of canonical values: ``intern(_:)`` returns an equal value
/// already in the pool (sharing its storage) or adds this one.
final class InternPool<Value: Hashable & Sendable>: Sendable {
    private let table: Mutex<[Value: Value]>
    private let limit: Int

    init(limit: Int) {
        self.limit = limit
        self.table = Mutex([:])
    }

    func intern(_ value: Value) -> Value {
        table.withLock { table in
            if let existing = table[value] { return existing }
            if table.count >= limit { table.removeAll(keepingCapacity: true) }
            table[value] = value
            return value
        }
    }
}
