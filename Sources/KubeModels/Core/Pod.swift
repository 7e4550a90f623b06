/// A core/v1 Pod.
public struct Pod: KubernetesObject, Hashable {
    public static let resourceType = ResourceType.pods

    public var apiVersion = APIVersionField<Pod>()
    public var kind = KindField<Pod>()
    public var metadata: ObjectMeta
    public var spec: PodSpec
    public var status: PodStatus

    /// The member names (also read by the tape reader behind ``KubeJSONDecoder``).
    enum CodingKeys: String, CodingKey, CaseIterable {
        case apiVersion, kind, metadata, spec, status
    }

    public init(metadata: ObjectMeta, spec: PodSpec = PodSpec(), status: PodStatus = PodStatus()) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// Annotation and label names Mend reads on pods.
public enum PodAnnotations {
    /// Present on mirror pods (static pods the kubelet reflects into the API).
    public static let mirror = "kubernetes.io/config.mirror"
    /// `"true"` / `"false"`: cluster-autoscaler's per-pod override of its eviction rules.
    public static let safeToEvict = "cluster-autoscaler.kubernetes.io/safe-to-evict"
}

extension Pod {
    /// Whether the `Ready` condition is `True`.
    public var isReady: Bool {
        status.conditions?.contains { $0.type == .ready && $0.status == .true } ?? false
    }

    /// Whether the pod has finished for good (`Succeeded` or `Failed`).
    public var isTerminal: Bool { status.phase?.isTerminal ?? false }

    /// Whether the scheduler has tried and failed to place the pod: condition `PodScheduled`
    /// is `False` with reason `Unschedulable` (what cluster-autoscaler reacts to; pods held by
    /// scheduling gates have reason `SchedulingGated` instead).
    public var isUnschedulable: Bool {
        status.conditions?.contains {
            $0.type == .podScheduled && $0.status == .false && $0.reason == PodConditionReason.unschedulable
        } ?? false
    }

    /// The owner reference marked `controller: true`, if any.
    public var controllerReference: OwnerReference? { metadata.controllerReference }

    /// Whether a DaemonSet controls this pod.
    public var isDaemonSetPod: Bool { controllerReference?.kind == "DaemonSet" }

    /// Whether this is a mirror pod (annotation `kubernetes.io/config.mirror`); such pods
    /// cannot be evicted through the API.
    public var isMirrorPod: Bool { metadata.annotations?[PodAnnotations.mirror] != nil }

    /// Whether any volume is an `emptyDir`, whose data dies with the pod (as `kubectl drain`
    /// counts local storage).
    public var usesLocalStorage: Bool { spec.volumes?.contains { $0.emptyDir != nil } ?? false }

    /// The `cluster-autoscaler.kubernetes.io/safe-to-evict` annotation: `true`, `false`, or nil
    /// when absent or any other value.
    public var safeToEvict: Bool? {
        switch metadata.annotations?[PodAnnotations.safeToEvict] {
        case "true": true
        case "false": false
        default: nil
        }
    }

    /// The resources the scheduler reserves for this pod (see ``PodResources/effectiveRequests(containers:initContainers:overhead:)``).
    public var effectiveRequests: [String: Quantity] {
        PodResources.effectiveRequests(
            containers: spec.containers, initContainers: spec.initContainers ?? [], overhead: spec.overhead)
    }

    /// The host ports the pod's containers (and init containers) ask for; `hostPort` 0 or
    /// absent means none.
    public var hostPorts: [HostPort] {
        var ports: [HostPort] = []
        for container in (spec.initContainers ?? []) + spec.containers {
            for port in container.ports ?? [] {
                if let p = HostPort(port) { ports.append(p) }
            }
        }
        return ports
    }
}

/// `core/v1.PodStatus`.
public struct PodStatus: Codable, Sendable, Hashable, DefaultDecodable {
    public var phase: PodPhase?
    public var conditions: [PodCondition]?
    public var message: String?
    public var reason: String?
    public var nominatedNodeName: String?
    public var hostIP: String?
    public var hostIPs: [PodIP]?
    public var podIP: String?
    public var podIPs: [PodIP]?
    public var startTime: KubeTime?
    public var initContainerStatuses: [ContainerStatus]?
    public var containerStatuses: [ContainerStatus]?
    public var qosClass: String?

    /// The member names (also read by the tape reader behind ``KubeJSONDecoder``).
    enum CodingKeys: String, CodingKey, CaseIterable {
        case phase, conditions, message, reason, nominatedNodeName, hostIP, hostIPs, podIP, podIPs, startTime,
            initContainerStatuses, containerStatuses, qosClass
    }

    public init(
        phase: PodPhase? = nil, conditions: [PodCondition]? = nil, message: String? = nil, reason: String? = nil,
        nominatedNodeName: String? = nil, hostIP: String? = nil, hostIPs: [PodIP]? = nil, podIP: String? = nil,
        podIPs: [PodIP]? = nil, startTime: KubeTime? = nil, initContainerStatuses: [ContainerStatus]? = nil,
        containerStatuses: [ContainerStatus]? = nil, qosClass: String? = nil
    ) {
        self.phase = phase
        self.conditions = conditions
        self.message = message
        self.reason = reason
        self.nominatedNodeName = nominatedNodeName
        self.hostIP = hostIP
        self.hostIPs = hostIPs
        self.podIP = podIP
        self.podIPs = podIPs
        self.startTime = startTime
        self.initContainerStatuses = initContainerStatuses
        self.containerStatuses = containerStatuses
        self.qosClass = qosClass
    }

    public init() { self.init(phase: nil) }
}

/// `Pending`, `Running`, `Succeeded`, `Failed` or `Unknown`.
public struct PodPhase: OpenEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let pending: PodPhase = "Pending"
    public static let running: PodPhase = "Running"
    public static let succeeded: PodPhase = "Succeeded"
    public static let failed: PodPhase = "Failed"
    public static let unknown: PodPhase = "Unknown"

    /// `Succeeded` or `Failed`.
    public var isTerminal: Bool { self == .succeeded || self == .failed }
}

/// `core/v1.PodIP` (also used for `hostIPs`).
public struct PodIP: Codable, Sendable, Hashable {
    public var ip: String

    /// The member names (also read by the tape reader behind ``KubeJSONDecoder``).
    enum CodingKeys: String, CodingKey, CaseIterable {
        case ip
    }

    public init(ip: String) { self.ip = ip }
}

/// `core/v1.PodCondition`.
public struct PodCondition: Codable, Sendable, Hashable {
    public var type: PodConditionType
    public var status: ConditionStatus
    public var lastProbeTime: KubeTime?
    public var lastTransitionTime: KubeTime?
    public var reason: String?
    public var message: String?

    /// The member names (also read by the tape reader behind ``KubeJSONDecoder``).
    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, status, lastProbeTime, lastTransitionTime, reason, message
    }

    public init(
        type: PodConditionType, status: ConditionStatus, lastProbeTime: KubeTime? = nil,
        lastTransitionTime: KubeTime? = nil, reason: String? = nil, message: String? = nil
    ) {
        self.type = type
        self.status = status
        self.lastProbeTime = lastProbeTime
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}

/// A pod condition type.
public struct PodConditionType: OpenEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let podScheduled: PodConditionType = "PodScheduled"
    public static let ready: PodConditionType = "Ready"
    public static let containersReady: PodConditionType = "ContainersReady"
    public static let initialized: PodConditionType = "Initialized"
    public static let disruptionTarget: PodConditionType = "DisruptionTarget"
    public static let podReadyToStartContainers: PodConditionType = "PodReadyToStartContainers"
}

/// Reasons the scheduler writes on the `PodScheduled` condition.
public enum PodConditionReason {
    /// The scheduler found no node for the pod.
    public static let unschedulable = "Unschedulable"
    /// The pod has scheduling gates and is not considered yet.
    public static let schedulingGated = "SchedulingGated"
}

/// `core/v1.ContainerStatus`.
public struct ContainerStatus: Codable, Sendable, Hashable {
    public var name: String
    public var state: ContainerState?
    public var lastState: ContainerState?
    public var ready: Bool
    public var restartCount: Int32
    public var image: String?
    public var imageID: String?
    public var containerID: String?
    public var started: Bool?

    /// The member names (also read by the tape reader behind ``KubeJSONDecoder``).
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, state, lastState, ready, restartCount, image, imageID, containerID, started
    }

    public init(
        name: String, state: ContainerState? = nil, lastState: ContainerState? = nil, ready: Bool,
        restartCount: Int32 = 0, image: String? = nil, imageID: String? = nil, containerID: String? = nil,
        started: Bool? = nil
    ) {
        self.name = name
        self.state = state
        self.lastState = lastState
        self.ready = ready
        self.restartCount = restartCount
        self.image = image
        self.imageID = imageID
        self.containerID = containerID
        self.started = started
    }
}

/// `core/v1.ContainerState`: at most one member is set.
public struct ContainerState: Codable, Sendable, Hashable {
    public var waiting: Waiting?
    public var running: Running?
    public var terminated: Terminated?

    /// The member names (also read by the tape reader behind ``KubeJSONDecoder``).
    enum CodingKeys: String, CodingKey, CaseIterable {
        case waiting, running, terminated
    }

    public init(waiting: Waiting? = nil, running: Running? = nil, terminated: Terminated? = nil) {
        self.waiting = waiting
        self.running = running
        self.terminated = terminated
    }

    public struct Waiting: Codable, Sendable, Hashable {
        public var reason: String?
        public var message: String?

        /// The member names (also read by the tape reader behind ``KubeJSONDecoder``).
        enum CodingKeys: String, CodingKey, CaseIterable {
            case reason, message
        }

        public init(reason: String? = nil, message: String? = nil) {
            self.reason = reason
            self.message = message
        }
    }

    public struct Running: Codable, Sendable, Hashable {
        public var startedAt: KubeTime?

        /// The member names (also read by the tape reader behind ``KubeJSONDecoder``).
        enum CodingKeys: String, CodingKey, CaseIterable {
            case startedAt
        }

        public init(startedAt: KubeTime? = nil) { self.startedAt = startedAt }
    }

    public struct Terminated: Codable, Sendable, Hashable {
        public var exitCode: Int32
        public var signal: Int32?
        public var reason: String?
        public var message: String?
        public var startedAt: KubeTime?
        public var finishedAt: KubeTime?
        public var containerID: String?

        /// The member names (also read by the tape reader behind ``KubeJSONDecoder``).
        enum CodingKeys: String, CodingKey, CaseIterable {
            case exitCode, signal, reason, message, startedAt, finishedAt, containerID
        }

        public init(
            exitCode: Int32, signal: Int32? = nil, reason: String? = nil, message: String? = nil,
            startedAt: KubeTime? = nil, finishedAt: KubeTime? = nil, containerID: String? = nil
        ) {
            self.exitCode = exitCode
            self.signal = signal
            self.reason = reason
            self.message = message
            self.startedAt = startedAt
            self.finishedAt = finishedAt
            self.containerID = containerID
        }
    }
}
