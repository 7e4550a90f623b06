import Autoscaler
import Foundation
import KubeModels

/// The autoscaler's ``Autoscaler/NodeGroupProvider`` over ClusterSim's simulated cloud, so the real
/// autoscaler can run against ClusterSim in tests and in `mend demo`.
///
/// Groups, sizes and instances come straight from the cloud. A group's template source is its
/// node shape: one instance type whose vCPUs, memory, GPUs and pod count are the shape's capacity,
/// and whose labels and taints are reported as node-template tags (so a group at zero can be
/// planned for, as an AWS group with node-template tags can).
public struct SimulatedNodeGroupProvider: NodeGroupProvider {
    /// The simulated cloud this provider drives.
    public let cloud: SimulatedCloud

    /// A provider over `cloud`.
    public init(cloud: SimulatedCloud) {
        self.cloud = cloud
    }

    public func nodeGroups() async throws -> [Autoscaler.NodeGroup] {
        try cloud.admit("DescribeAutoScalingGroups")
        return cloud.nodeGroups().map { group in
            Autoscaler.NodeGroup(
                id: group.name, minSize: group.minSize, maxSize: group.maxSize,
                desiredCapacity: group.desiredCapacity,
                instances: group.instances
                    .filter { $0.state == .pending || $0.state == .inService }
                    .map { GroupInstance(id: $0.id, zone: $0.zone) },
                templateSource: Self.templateSource(group.spec.shape))
        }
    }

    public func setDesiredCapacity(group: String, to capacity: Int) async throws {
        try cloud.admit("SetDesiredCapacity")
        try cloud.setDesiredCapacity(group: group, to: capacity)
    }

    public func terminateInstance(_ instanceID: String, group: String, decrementDesiredCapacity: Bool) async throws {
        try cloud.admit("TerminateInstanceInAutoScalingGroup")
        guard let instance = cloud.instances(group: group).first(where: { $0.id == instanceID }) else {
            throw CloudError.unknownInstance(instanceID)
        }
        try cloud.terminateInstance(instance.id, decrementDesiredCapacity: decrementDesiredCapacity)
    }

    public func launchFailures(group: String, since: Date) async throws -> [LaunchFailure] {
        try cloud.admit("DescribeScalingActivities")
        guard cloud.nodeGroup(group) != nil else { throw CloudError.unknownGroup(group) }
        return cloud.activities(group: group)
            .filter { $0.status == .failed && $0.startTime >= since }
            .map { LaunchFailure(group: group, time: $0.startTime, message: $0.statusMessage ?? $0.description) }
    }

    /// The shape as the autoscaler's template source sees an instance type and its tags.
    public static func templateSource(_ shape: NodeShape) -> TemplateSource {
        let capacity = shape.capacity
        let milliCPU = capacity["cpu"]?.milliValue ?? 0
        let memoryBytes = capacity["memory"]?.value ?? 0
        let instanceType = InstanceShape(
            name: shape.instanceType,
            vCPUs: (milliCPU + 999) / 1000,
            memoryMiB: memoryBytes >> 20,
            gpus: capacity["nvidia.com/gpu"]?.value ?? 0,
            maxPods: capacity["pods"]?.value)
        // The shape's exact capacity overrides the rounded instance-type figures, as AWS
        // node-template `resources/` tags do.
        var resources: [String: Quantity] = [:]
        for key in ["cpu", "memory"] { resources[key] = capacity[key] }
        return TemplateSource(
            instanceTypes: [instanceType],
            tags: NodeTemplateTags(labels: shape.labels, taints: shape.taints, resources: resources),
            zones: [shape.zone])
    }
}

/// Injected throttling is the one passing failure of the simulated cloud: the autoscaler repeats
/// the request instead of backing the group off.
extension CloudError: TransientCloudError {
    public var isTransient: Bool {
        if case .throttled = self { return true }
        return false
    }
}
