/// A core/v1 Node.
public struct Node: KubernetesObject, Hashable {
    public static let resourceType = ResourceType.nodes

    public var apiVersion = APIVersionField<Node>()
    public var kind = KindField<Node>()
    public var metadata: ObjectMeta
    public var spec: NodeSpec
    public var status: NodeStatus

    public init(metadata: ObjectMeta, spec: NodeSpec = NodeSpec(), status: NodeStatus = NodeStatus()) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// The condition of `type`, if the node reports it.
    public func condition(_ type: NodeConditionType) -> NodeCondition? {
        status.conditions?.first { $0.type == type }
    }

    /// Whether the `Ready` condition is `True`.
    public var isReady: Bool { condition(.ready)?.status == .true }

    /// Whether the node is cordoned (`spec.unschedulable`).
    public var isUnschedulable: Bool { spec.unschedulable ?? false }
}

/// `core/v1.NodeSpec`.
public struct NodeSpec: Codable, Sendable, Hashable, DefaultDecodable {
    public var podCIDR: String?
    public var podCIDRs: [String]?
    /// The cloud provider's ID, e.g. `aws:///us-east-1a/i-0123456789abcdef0`.
    public var providerID: String?
    /// `true` when the node is cordoned.
    public var unschedulable: Bool?
    public var taints: [Taint]?

    public init(
        podCIDR: String? = nil, podCIDRs: [String]? = nil, providerID: String? = nil, unschedulable: Bool? = nil,
        taints: [Taint]? = nil
    ) {
        self.podCIDR = podCIDR
        self.podCIDRs = podCIDRs
        self.providerID = providerID
        self.unschedulable = unschedulable
        self.taints = taints
    }

    public init() { self.init(podCIDR: nil) }
}

/// `core/v1.Taint`.
public struct Taint: Codable, Sendable, Hashable, CustomStringConvertible {
    public var key: String
    public var value: String?
    public var effect: TaintEffect
    public var timeAdded: KubeTime?

    public init(key: String, value: String? = nil, effect: TaintEffect, timeAdded: KubeTime? = nil) {
        self.key = key
        self.value = value
        self.effect = effect
        self.timeAdded = timeAdded
    }

    /// `key=value:Effect` (or `key:Effect`), as kubectl prints taints.
    public var description: String {
        if let value, !value.isEmpty { return "\(key)=\(value):\(effect)" }
        return "\(key):\(effect)"
    }
}

/// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
public struct TaintEffect: OpenEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let noSchedule: TaintEffect = "NoSchedule"
    public static let preferNoSchedule: TaintEffect = "PreferNoSchedule"
    public static let noExecute: TaintEffect = "NoExecute"
}

/// `core/v1.NodeStatus`.
public struct NodeStatus: Codable, Sendable, Hashable, DefaultDecodable {
    public var capacity: [String: Quantity]?
    public var allocatable: [String: Quantity]?
    public var phase: String?
    public var conditions: [NodeCondition]?
    public var addresses: [NodeAddress]?
    public var daemonEndpoints: NodeDaemonEndpoints?
    public var nodeInfo: NodeSystemInfo?

    public init(
        capacity: [String: Quantity]? = nil, allocatable: [String: Quantity]? = nil, phase: String? = nil,
        conditions: [NodeCondition]? = nil, addresses: [NodeAddress]? = nil,
        daemonEndpoints: NodeDaemonEndpoints? = nil, nodeInfo: NodeSystemInfo? = nil
    ) {
        self.capacity = capacity
        self.allocatable = allocatable
        self.phase = phase
        self.conditions = conditions
        self.addresses = addresses
        self.daemonEndpoints = daemonEndpoints
        self.nodeInfo = nodeInfo
    }

    public init() { self.init(capacity: nil) }
}

/// `core/v1.NodeCondition`.
public struct NodeCondition: Codable, Sendable, Hashable {
    public var type: NodeConditionType
    public var status: ConditionStatus
    public var lastHeartbeatTime: KubeTime?
    public var lastTransitionTime: KubeTime?
    public var reason: String?
    public var message: String?

    public init(
        type: NodeConditionType, status: ConditionStatus, lastHeartbeatTime: KubeTime? = nil,
        lastTransitionTime: KubeTime? = nil, reason: String? = nil, message: String? = nil
    ) {
        self.type = type
        self.status = status
        self.lastHeartbeatTime = lastHeartbeatTime
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}

/// A node condition type: the kubelet's (`Ready`, `MemoryPressure`, ...) or a problem
/// detector's (`KernelDeadlock`, `ReadonlyFilesystem`, ...).
public struct NodeConditionType: OpenEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let ready: NodeConditionType = "Ready"
    public static let memoryPressure: NodeConditionType = "MemoryPressure"
    public static let diskPressure: NodeConditionType = "DiskPressure"
    public static let pidPressure: NodeConditionType = "PIDPressure"
    public static let networkUnavailable: NodeConditionType = "NetworkUnavailable"
}

/// `core/v1.NodeAddress`.
public struct NodeAddress: Codable, Sendable, Hashable {
    /// `Hostname`, `InternalIP`, `ExternalIP`, `InternalDNS` or `ExternalDNS`.
    public var type: String
    public var address: String

    public init(type: String, address: String) {
        self.type = type
        self.address = address
    }
}

/// `core/v1.NodeDaemonEndpoints`.
public struct NodeDaemonEndpoints: Codable, Sendable, Hashable {
    public var kubeletEndpoint: DaemonEndpoint?

    public init(kubeletEndpoint: DaemonEndpoint? = nil) { self.kubeletEndpoint = kubeletEndpoint }

    /// `core/v1.DaemonEndpoint`.
    public struct DaemonEndpoint: Codable, Sendable, Hashable {
        /// The port (the API spells the JSON member `Port`).
        public var port: Int32

        public init(port: Int32) { self.port = port }

        private enum CodingKeys: String, CodingKey { case port = "Port" }
    }
}

/// `core/v1.NodeSystemInfo`.
public struct NodeSystemInfo: Codable, Sendable, Hashable {
    public var machineID: String?
    public var systemUUID: String?
    public var bootID: String?
    public var kernelVersion: String?
    public var osImage: String?
    public var containerRuntimeVersion: String?
    public var kubeletVersion: String?
    public var kubeProxyVersion: String?
    public var operatingSystem: String?
    public var architecture: String?

    public init(
        machineID: String? = nil, systemUUID: String? = nil, bootID: String? = nil, kernelVersion: String? = nil,
        osImage: String? = nil, containerRuntimeVersion: String? = nil, kubeletVersion: String? = nil,
        kubeProxyVersion: String? = nil, operatingSystem: String? = nil, architecture: String? = nil
    ) {
        self.machineID = machineID
        self.systemUUID = systemUUID
        self.bootID = bootID
        self.kernelVersion = kernelVersion
        self.osImage = osImage
        self.containerRuntimeVersion = containerRuntimeVersion
        self.kubeletVersion = kubeletVersion
        self.kubeProxyVersion = kubeProxyVersion
        self.operatingSystem = operatingSystem
        self.architecture = architecture
    }
}
