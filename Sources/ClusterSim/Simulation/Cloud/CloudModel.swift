import Foundation
import KubeModels

/// What a node of a node group looks like: its instance type, zone, resources, labels, taints.
public struct NodeShape: Sendable, Hashable {
    /// EC2 instance type, e.g. `m5.large` (also the `node.kubernetes.io/instance-type` label).
    public var instanceType: String
    /// Availability zone, e.g. `us-east-1a` (the region is the zone without its last letter).
    public var zone: String
    /// `status.capacity`, as quantities (`cpu: "2"`, `memory: "8Gi"`, `pods: "29"`).
    public var capacity: [String: Quantity]
    /// `status.allocatable` (default: the capacity).
    public var allocatable: [String: Quantity]?
    /// Extra node labels (the well-known ones are added).
    public var labels: [String: String]
    /// Node taints.
    public var taints: [Taint]

    public init(instanceType: String, zone: String, capacity: [String: Quantity],
                allocatable: [String: Quantity]? = nil, labels: [String: String] = [:], taints: [Taint] = []) {
        self.instanceType = instanceType
        self.zone = zone
        self.capacity = capacity
        self.allocatable = allocatable
        self.labels = labels
        self.taints = taints
    }

    /// The zone's region (`us-east-1a` → `us-east-1`).
    public var region: String {
        guard let last = zone.last, last.isLetter, zone.count > 1 else { return zone }
        return String(zone.dropLast())
    }
}

/// A node group (an Auto Scaling group): its size limits, shape and boot delay.
public struct NodeGroupSpec: Sendable, Hashable {
    public var name: String
    public var minSize: Int
    public var maxSize: Int
    /// The desired capacity to start with.
    public var desiredCapacity: Int
    public var shape: NodeShape
    /// From launch to the Node registering.
    public var bootDelay: Duration

    public init(name: String, minSize: Int, maxSize: Int, desiredCapacity: Int, shape: NodeShape,
                bootDelay: Duration = .seconds(60)) {
        self.name = name
        self.minSize = minSize
        self.maxSize = maxSize
        self.desiredCapacity = desiredCapacity
        self.shape = shape
        self.bootDelay = bootDelay
    }
}

/// A node group as it is now.
public struct NodeGroup: Sendable, Hashable {
    public var spec: NodeGroupSpec
    public var name: String { spec.name }
    public var minSize: Int { spec.minSize }
    public var maxSize: Int { spec.maxSize }
    public var desiredCapacity: Int
    /// When set, every launch fails with this status message.
    public var launchFailure: String?
    /// The group's instances (not yet terminated), oldest first.
    public var instances: [CloudInstance]
}

/// One EC2 instance of a node group.
public struct CloudInstance: Sendable, Hashable {
    /// The life-cycle state, as Auto Scaling reports it.
    public enum State: String, Sendable, Hashable {
        /// Launched; the Node registers after the group's boot delay.
        case pending = "Pending"
        /// Its Node is registered.
        case inService = "InService"
        /// Being terminated: its Node and pods are removed.
        case terminating = "Terminating"
        case terminated = "Terminated"
    }

    /// `i-` and 17 hex digits.
    public var id: String
    public var group: String
    public var zone: String
    public var instanceType: String
    /// The name of its Node (`ip-10-0-1-23.us-east-1.compute.internal`).
    public var nodeName: String
    public var privateIP: String
    public var state: State
    public var launchTime: Date

    /// The Node's `spec.providerID`: `aws:///<zone>/<instance id>`.
    public var providerID: String { "aws:///\(zone)/\(id)" }
}

/// One scaling activity of a node group, as `DescribeScalingActivities` reports it.
public struct ScalingActivity: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case successful = "Successful"
        case failed = "Failed"
    }

    public var id: String
    public var group: String
    /// `Launching a new EC2 instance: i-...` / `Terminating EC2 instance: i-...`.
    public var description: String
    /// Why it happened.
    public var cause: String
    public var status: Status
    /// Set for failures: why the launch failed.
    public var statusMessage: String?
    public var startTime: Date
    public var endTime: Date
}

/// A refused cloud request.
public enum CloudError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownGroup(String)
    case duplicateGroup(String)
    case unknownInstance(String)
    /// A desired capacity outside the group's limits.
    case desiredCapacityOutOfRange(group: String, desired: Int, min: Int, max: Int)
    /// Size limits that contradict each other.
    case invalidLimits(group: String, min: Int, desired: Int, max: Int)
    /// Terminating with decrement would go below the group's minimum.
    case belowMinimum(group: String, minSize: Int)
    /// The cloud's API refused the call for its rate, as AWS answers `Throttling` (an injected
    /// fault: see ``SimulatedCloud/throttleNext(_:operation:)``).
    case throttled(operation: String)

    public var description: String {
        switch self {
        case .unknownGroup(let name): "node group \(name) does not exist"
        case .duplicateGroup(let name): "node group \(name) already exists"
        case .unknownInstance(let id): "instance \(id) is not in any node group"
        case .desiredCapacityOutOfRange(let group, let desired, let min, let max):
            "node group \(group): desired capacity \(desired) is outside the group's limits [\(min), \(max)]"
        case .invalidLimits(let group, let min, let desired, let max):
            "node group \(group): sizes must satisfy 0 <= min (\(min)) <= desired (\(desired)) <= max (\(max))"
        case .belowMinimum(let group, let minSize):
            "node group \(group): terminating without replacement would go below the group's minimum size (\(minSize))"
        case .throttled(let operation): "\(operation): Throttling: Rate exceeded"
        }
    }
}
