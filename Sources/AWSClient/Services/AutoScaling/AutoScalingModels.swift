import Foundation

/// A launch template reference: by id or name, with a version (`$Default`, `$Latest` or a number).
public struct LaunchTemplateReference: Sendable, Equatable, Hashable {
    public var id: String?
    public var name: String?
    public var version: String?

    public init(id: String? = nil, name: String? = nil, version: String? = nil) {
        self.id = id
        self.name = name
        self.version = version
    }
}

/// A tag on an Auto Scaling group.
public struct AutoScalingTag: Sendable, Equatable {
    public var key: String
    public var value: String
    public var propagateAtLaunch: Bool

    public init(key: String, value: String, propagateAtLaunch: Bool = false) {
        self.key = key
        self.value = value
        self.propagateAtLaunch = propagateAtLaunch
    }
}

/// An instance as an Auto Scaling group lists it.
public struct AutoScalingGroupInstance: Sendable, Equatable {
    public var instanceID: String
    public var availabilityZone: String
    /// `Pending`, `InService`, `Terminating`, `Terminated`, `Standby`, ... (as AWS spells it).
    public var lifecycleState: String
    /// `Healthy` or `Unhealthy`.
    public var healthStatus: String
    public var instanceType: String?
    public var launchTemplate: LaunchTemplateReference?
    public var launchConfigurationName: String?
    public var protectedFromScaleIn: Bool
}

/// One instance type a mixed instances policy may launch.
public struct LaunchTemplateOverride: Sendable, Equatable {
    public var instanceType: String?
    public var weightedCapacity: String?
    /// A launch template used for this instance type instead of the policy's.
    public var launchTemplate: LaunchTemplateReference?
}

/// How a mixed instances group splits On-Demand and Spot capacity.
public struct InstancesDistribution: Sendable, Equatable {
    public var onDemandBaseCapacity: Int?
    public var onDemandPercentageAboveBaseCapacity: Int?
    public var onDemandAllocationStrategy: String?
    public var spotAllocationStrategy: String?
}

/// A group's mixed instances policy.
public struct MixedInstancesPolicy: Sendable, Equatable {
    public var launchTemplate: LaunchTemplateReference?
    public var overrides: [LaunchTemplateOverride]
    public var instancesDistribution: InstancesDistribution?
}

/// An Auto Scaling group.
public struct AutoScalingGroup: Sendable, Equatable {
    public var name: String
    public var arn: String?
    public var minSize: Int
    public var maxSize: Int
    public var desiredCapacity: Int
    public var defaultCooldown: Int?
    public var availabilityZones: [String]
    /// Comma-separated subnet ids, as AWS gives them.
    public var vpcZoneIdentifier: String?
    public var launchTemplate: LaunchTemplateReference?
    public var launchConfigurationName: String?
    public var mixedInstancesPolicy: MixedInstancesPolicy?
    public var instances: [AutoScalingGroupInstance]
    public var tags: [AutoScalingTag]
    /// Set while the group is being deleted (`Delete in progress`).
    public var status: String?
    public var createdTime: Date?

    /// The value of tag `key`, if present.
    public func tag(_ key: String) -> String? { tags.first { $0.key == key }?.value }

    /// The instance types the group can launch: the mixed-policy overrides, else the instances' types.
    public var overrideInstanceTypes: [String] {
        mixedInstancesPolicy?.overrides.compactMap(\.instanceType) ?? []
    }
}

/// A filter for `DescribeAutoScalingGroups` (`tag-key`, `tag-value`, `tag:<key>`).
public struct AutoScalingGroupFilter: Sendable, Equatable {
    public var name: String
    public var values: [String]

    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }

    /// Groups carrying tag `key` (any value).
    public static func tagKey(_ key: String) -> AutoScalingGroupFilter { .init(name: "tag-key", values: [key]) }

    /// Groups whose tag `key` has one of `values`.
    public static func tag(_ key: String, _ values: String...) -> AutoScalingGroupFilter { .init(name: "tag:\(key)", values: values) }

    /// cluster-autoscaler's ASG auto-discovery: groups carrying `k8s.io/cluster-autoscaler/enabled`
    /// and, for a named cluster, `k8s.io/cluster-autoscaler/<cluster>` (any values), as
    /// `--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/<cluster>`.
    public static func clusterAutoscalerDiscovery(cluster: String?) -> [AutoScalingGroupFilter] {
        var filters: [AutoScalingGroupFilter] = [.tagKey("k8s.io/cluster-autoscaler/enabled")]
        if let cluster { filters.append(.tagKey("k8s.io/cluster-autoscaler/\(cluster)")) }
        return filters
    }
}

/// What `DescribeAutoScalingGroups` should return.
public struct DescribeAutoScalingGroupsInput: Sendable, Equatable {
    /// Group names (empty: all groups).
    public var names: [String]
    /// Filters, all of which must match.
    public var filters: [AutoScalingGroupFilter]
    /// Page size (1...100; AWS's default is 50).
    public var pageSize: Int?

    public init(names: [String] = [], filters: [AutoScalingGroupFilter] = [], pageSize: Int? = nil) {
        self.names = names
        self.filters = filters
        self.pageSize = pageSize
    }
}

/// An instance as `DescribeAutoScalingInstances` shows it.
public struct AutoScalingInstanceDetails: Sendable, Equatable {
    public var instanceID: String
    public var groupName: String
    public var availabilityZone: String
    public var lifecycleState: String
    public var healthStatus: String
    public var instanceType: String?
    public var launchTemplate: LaunchTemplateReference?
    public var launchConfigurationName: String?
    public var protectedFromScaleIn: Bool
}

/// The status of a scaling activity.
public enum ScalingActivityStatus: Sendable, Equatable, Hashable {
    case pendingSpotBidPlacement, waitingForSpotInstanceRequestID, waitingForSpotInstanceID, waitingForInstanceID
    case preInService, inProgress, waitingForELBConnectionDraining, midLifecycleAction, waitingForInstanceWarmup
    case successful, failed, cancelled, waitingForConnectionDraining
    /// A status this client does not know yet, as AWS spelled it.
    case other(String)

    init(_ raw: String) {
        switch raw {
        case "PendingSpotBidPlacement": self = .pendingSpotBidPlacement
        case "WaitingForSpotInstanceRequestId": self = .waitingForSpotInstanceRequestID
        case "WaitingForSpotInstanceId": self = .waitingForSpotInstanceID
        case "WaitingForInstanceId": self = .waitingForInstanceID
        case "PreInService": self = .preInService
        case "InProgress": self = .inProgress
        case "WaitingForELBConnectionDraining": self = .waitingForELBConnectionDraining
        case "MidLifecycleAction": self = .midLifecycleAction
        case "WaitingForInstanceWarmup": self = .waitingForInstanceWarmup
        case "Successful": self = .successful
        case "Failed": self = .failed
        case "Cancelled": self = .cancelled
        case "WaitingForConnectionDraining": self = .waitingForConnectionDraining
        default: self = .other(raw)
        }
    }

    /// Whether the activity has ended (successfully or not).
    public var isFinished: Bool {
        switch self {
        case .successful, .failed, .cancelled: return true
        default: return false
        }
    }
}

/// A scaling activity: the autoscaler reads launch failures from these.
public struct ScalingActivity: Sendable, Equatable {
    public var activityID: String
    public var groupName: String
    public var description: String?
    public var cause: String?
    public var startTime: Date?
    public var endTime: Date?
    public var statusCode: ScalingActivityStatus
    /// Why an activity failed (`We currently do not have sufficient m5.large capacity...`).
    public var statusMessage: String?
    public var progress: Int?
}

/// A launch configuration (the older alternative to launch templates).
public struct LaunchConfiguration: Sendable, Equatable {
    public var name: String
    public var imageID: String?
    public var instanceType: String?
    public var keyName: String?
    public var securityGroups: [String]
    public var spotPrice: String?
    public var createdTime: Date?
}
