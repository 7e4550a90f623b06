#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One node group (an AWS Auto Scaling Group, or a simulated one) as its provider sees it now.
public struct NodeGroup: Sendable, Hashable, Identifiable {
    /// The group's name (the ASG name).
    public var id: String
    /// The smallest size the autoscaler may shrink the group to.
    public var minSize: Int
    /// The largest size the autoscaler may grow the group to.
    public var maxSize: Int
    /// The capacity the group is asked to have now.
    public var desiredCapacity: Int
    /// The instances the group holds (running or starting).
    public var instances: [GroupInstance]
    /// What a new node of the group looks like, when no live node can show it.
    public var templateSource: TemplateSource

    /// A group snapshot.
    public init(
        id: String, minSize: Int, maxSize: Int, desiredCapacity: Int, instances: [GroupInstance] = [],
        templateSource: TemplateSource = TemplateSource()
    ) {
        self.id = id
        self.minSize = minSize
        self.maxSize = maxSize
        self.desiredCapacity = desiredCapacity
        self.instances = instances
        self.templateSource = templateSource
    }
}

/// One instance of a node group.
public struct GroupInstance: Sendable, Hashable {
    /// The cloud's instance id (`i-0abc...`).
    public var id: String
    /// The availability zone, when known.
    public var zone: String?

    /// An instance of a group.
    public init(id: String, zone: String? = nil) {
        self.id = id
        self.zone = zone
    }

    /// The `spec.providerID` a node on this instance carries (`aws:///<zone>/<instance-id>`).
    public var providerID: String { ProviderID(zone: zone ?? "", instanceID: id).description }
}

/// What the provider knows about the nodes a group would launch: the instance types it may
/// launch (all of them, for a mixed-instances policy) and its node-template tags.
public struct TemplateSource: Sendable, Hashable {
    /// Every instance type the group may launch.
    public var instanceTypes: [InstanceShape]
    /// Labels, taints and resources from `k8s.io/cluster-autoscaler/node-template/...` tags.
    public var tags: NodeTemplateTags
    /// The zones the group launches into, sorted.
    public var zones: [String]

    /// A template source.
    public init(instanceTypes: [InstanceShape] = [], tags: NodeTemplateTags = NodeTemplateTags(), zones: [String] = [])
    {
        self.instanceTypes = instanceTypes
        self.tags = tags
        self.zones = zones
    }
}

/// What a template needs of an instance type (from `DescribeInstanceTypes` or a test).
public struct InstanceShape: Sendable, Hashable {
    /// The instance type name (`m5.large`).
    public var name: String
    /// Virtual CPUs.
    public var vCPUs: Int64
    /// Memory in MiB.
    public var memoryMiB: Int64
    /// GPUs (as `nvidia.com/gpu`).
    public var gpus: Int64
    /// The most pods the instance runs (from ENIs and IPs per ENI when known), else nil.
    public var maxPods: Int64?
    /// `amd64` or `arm64`, when known.
    public var architecture: String?

    /// An instance type.
    public init(
        name: String, vCPUs: Int64, memoryMiB: Int64, gpus: Int64 = 0, maxPods: Int64? = nil,
        architecture: String? = nil
    ) {
        self.name = name
        self.vCPUs = vCPUs
        self.memoryMiB = memoryMiB
        self.gpus = gpus
        self.maxPods = maxPods
        self.architecture = architecture
    }

    /// The EKS formula for pods per node with the VPC CNI: `ENIs × (IPv4 per ENI − 1) + 2`.
    public static func eniMaxPods(enis: Int64, ipv4PerENI: Int64) -> Int64 { enis * (ipv4PerENI - 1) + 2 }
}

/// A launch failure a provider read from the group's scaling activities.
public struct LaunchFailure: Sendable, Hashable {
    /// The group.
    public var group: String
    /// When the failed activity started.
    public var time: Date
    /// The provider's status message (e.g. `InsufficientInstanceCapacity`).
    public var message: String

    /// A launch failure.
    public init(group: String, time: Date, message: String) {
        self.group = group
        self.time = time
        self.message = message
    }
}
