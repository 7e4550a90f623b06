/// `core/v1.PodSpec`. Members Mend does not interpret but must not lose on a round trip
/// (probes, security contexts, topology spread) are kept as ``JSONValue``.
public struct PodSpec: Codable, Sendable, Hashable, DefaultDecodable {
    public var volumes: [Volume]?
    public var initContainers: [Container]?
    public var containers: [Container]
    public var ephemeralContainers: [JSONValue]?
    public var restartPolicy: String?
    public var terminationGracePeriodSeconds: Int64?
    public var activeDeadlineSeconds: Int64?
    public var dnsPolicy: String?
    public var nodeSelector: [String: String]?
    public var serviceAccountName: String?
    public var serviceAccount: String?
    public var automountServiceAccountToken: Bool?
    public var nodeName: String?
    public var hostNetwork: Bool?
    public var hostPID: Bool?
    public var hostIPC: Bool?
    public var shareProcessNamespace: Bool?
    public var securityContext: JSONValue?
    public var imagePullSecrets: [JSONValue]?
    public var hostname: String?
    public var subdomain: String?
    public var affinity: Affinity?
    public var schedulerName: String?
    public var tolerations: [Toleration]?
    public var hostAliases: [JSONValue]?
    public var priorityClassName: String?
    public var priority: Int32?
    public var dnsConfig: JSONValue?
    public var readinessGates: [JSONValue]?
    public var runtimeClassName: String?
    public var enableServiceLinks: Bool?
    public var preemptionPolicy: String?
    /// Resources the runtime uses on top of the containers' (from the RuntimeClass).
    public var overhead: [String: Quantity]?
    public var topologySpreadConstraints: [JSONValue]?
    public var os: JSONValue?
    /// While non-empty, the scheduler leaves the pod alone (`SchedulingGated`).
    public var schedulingGates: [JSONValue]?

    /// The member names (also read by the tape reader behind ``KubeJSONDecoder``).
    enum CodingKeys: String, CodingKey, CaseIterable {
        case volumes, initContainers, containers, ephemeralContainers, restartPolicy, terminationGracePeriodSeconds,
            activeDeadlineSeconds, dnsPolicy, nodeSelector, serviceAccountName, serviceAccount,
            automountServiceAccountToken, nodeName, hostNetwork, hostPID, hostIPC, shareProcessNamespace,
            securityContext, imagePullSecrets, hostname, subdomain, affinity, schedulerName, tolerations, hostAliases,
            priorityClassName, priority, dnsConfig, readinessGates, runtimeClassName, enableServiceLinks,
            preemptionPolicy, overhead, topologySpreadConstraints, os, schedulingGates
    }

    public init(
        containers: [Container] = [], initContainers: [Container]? = nil, volumes: [Volume]? = nil,
        nodeName: String? = nil, nodeSelector: [String: String]? = nil, affinity: Affinity? = nil,
        tolerations: [Toleration]? = nil, priority: Int32? = nil, priorityClassName: String? = nil,
        schedulerName: String? = nil, overhead: [String: Quantity]? = nil,
        terminationGracePeriodSeconds: Int64? = nil, serviceAccountName: String? = nil, hostNetwork: Bool? = nil,
        restartPolicy: String? = nil
    ) {
        self.containers = containers
        self.initContainers = initContainers
        self.volumes = volumes
        self.nodeName = nodeName
        self.nodeSelector = nodeSelector
        self.affinity = affinity
        self.tolerations = tolerations
        self.priority = priority
        self.priorityClassName = priorityClassName
        self.schedulerName = schedulerName
        self.overhead = overhead
        self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
        self.serviceAccountName = serviceAccountName
        self.hostNetwork = hostNetwork
        self.restartPolicy = restartPolicy
    }

    public init() { self.init(containers: []) }
}

/// `core/v1.Container` (also used for init containers).
public struct Container: Codable, Sendable, Hashable {
    public var name: String
    public var image: String?
    public var command: [String]?
    public var args: [String]?
    public var workingDir: String?
    public var ports: [ContainerPort]?
    public var envFrom: [JSONValue]?
    public var env: [JSONValue]?
    public var resources: ResourceRequirements?
    public var resizePolicy: [JSONValue]?
    /// `Always` on an init container makes it a sidecar that runs for the pod's lifetime.
    public var restartPolicy: String?
    public var volumeMounts: [JSONValue]?
    public var volumeDevices: [JSONValue]?
    public var livenessProbe: JSONValue?
    public var readinessProbe: JSONValue?
    public var startupProbe: JSONValue?
    public var lifecycle: JSONValue?
    public var terminationMessagePath: String?
    public var terminationMessagePolicy: String?
    public var imagePullPolicy: String?
    public var securityContext: JSONValue?
    public var stdin: Bool?
    public var stdinOnce: Bool?
    public var tty: Bool?

    /// The member names (also read by the tape reader behind ``KubeJSONDecoder``).
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, image, command, args, workingDir, ports, envFrom, env, resources, resizePolicy, restartPolicy,
            volumeMounts, volumeDevices, livenessProbe, readinessProbe, startupProbe, lifecycle, terminationMessagePath,
            terminationMessagePolicy, imagePullPolicy, securityContext, stdin, stdinOnce, tty
    }

    public init(
        name: String, image: String? = nil, resources: ResourceRequirements? = nil, ports: [ContainerPort]? = nil,
        restartPolicy: String? = nil
    ) {
        self.name = name
        self.image = image
        self.resources = resources
        self.ports = ports
        self.restartPolicy = restartPolicy
    }

    /// Whether this (init) container is a sidecar: `restartPolicy: Always`.
    public var isSidecar: Bool { restartPolicy == "Always" }
}

/// `core/v1.ResourceRequirements`.
public struct ResourceRequirements: Codable, Sendable, Hashable {
    public var requests: [String: Quantity]?
    public var limits: [String: Quantity]?
    public var claims: [JSONValue]?

    /// The member names (also read by the tape reader behind ``KubeJSONDecoder``).
    enum CodingKeys: String, CodingKey, CaseIterable {
        case requests, limits, claims
    }

    public init(requests: [String: Quantity]? = nil, limits: [String: Quantity]? = nil) {
        self.requests = requests
        self.limits = limits
    }
}

/// `core/v1.ContainerPort`.
public struct ContainerPort: Codable, Sendable, Hashable {
    public var containerPort: Int32
    public var hostPort: Int32?
    /// `TCP` (the default when absent), `UDP` or `SCTP`.
    public var `protocol`: String?
    public var hostIP: String?
    public var name: String?

    /// The member names (also read by the tape readers behind ``KubeJSONDecoder``).
    enum CodingKeys: String, CodingKey, CaseIterable { case containerPort, hostPort, `protocol`, hostIP, name }

    public init(
        containerPort: Int32, hostPort: Int32? = nil, protocol: String? = nil, hostIP: String? = nil,
        name: String? = nil
    ) {
        self.containerPort = containerPort
        self.hostPort = hostPort
        self.protocol = `protocol`
        self.hostIP = hostIP
        self.name = name
    }
}

/// A port a pod takes on its node: protocol, host IP (`0.0.0.0` means every address) and port.
public struct HostPort: Sendable, Hashable, CustomStringConvertible {
    public var port: Int32
    public var `protocol`: String
    public var hostIP: String

    public init(port: Int32, protocol: String = "TCP", hostIP: String = "0.0.0.0") {
        self.port = port
        self.protocol = `protocol`
        self.hostIP = hostIP
    }

    /// The host port of a container port, or nil when it asks for none (`hostPort` 0 or absent).
    /// Empty protocol and host IP default to `TCP` and `0.0.0.0`, as the scheduler does.
    public init?(_ port: ContainerPort) {
        guard let hostPort = port.hostPort, hostPort > 0 else { return nil }
        let proto = port.protocol ?? ""
        let ip = port.hostIP ?? ""
        self.init(port: hostPort, protocol: proto.isEmpty ? "TCP" : proto, hostIP: ip.isEmpty ? "0.0.0.0" : ip)
    }

    /// Whether two host ports cannot both be bound on one node: same protocol and port, and
    /// the same IP or either one the wildcard `0.0.0.0`.
    public func conflicts(with other: HostPort) -> Bool {
        port == other.port && self.protocol == other.protocol
            && (hostIP == other.hostIP || hostIP == "0.0.0.0" || other.hostIP == "0.0.0.0")
    }

    public var description: String { "\(hostIP):\(port)/\(self.protocol)" }
}
