#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import AWSClient
import Synchronization

/// Node groups backed by AWS Auto Scaling Groups, through the AWS client.
///
/// Instance types (for scale-from-zero templates) are read with `DescribeInstanceTypes` once and
/// cached; every type of a mixed-instances policy is read, and the template plans for the smallest.
public final class AWSNodeGroupProvider: NodeGroupProvider {
    private let autoScaling: any AutoScalingAPI
    private let ec2: any EC2API
    public let selection: AWSGroupSelection
    private let instanceTypes = Mutex<[String: InstanceShape]>([:])

    /// A provider over the two AWS APIs.
    public init(autoScaling: any AutoScalingAPI, ec2: any EC2API, selection: AWSGroupSelection) {
        self.autoScaling = autoScaling
        self.ec2 = ec2
        self.selection = selection
    }

    public func nodeGroups() async throws -> [NodeGroup] {
        var found: [String: AutoScalingGroup] = [:]
        if !selection.discoveryTags.isEmpty {
            let filters = selection.discoveryTags.sorted { $0.key < $1.key }.map { key, value in
                value.map { AutoScalingGroupFilter.tag(key, $0) } ?? .tagKey(key)
            }
            for group in try await autoScaling.describeAutoScalingGroups(DescribeAutoScalingGroupsInput(filters: filters)) {
                found[group.name] = group
            }
        }
        let explicitNames = selection.explicit.map(\.name).filter { found[$0] == nil }
        if !explicitNames.isEmpty {
            for group in try await autoScaling.describeAutoScalingGroups(DescribeAutoScalingGroupsInput(names: explicitNames)) {
                found[group.name] = group
            }
        }
        var groups: [NodeGroup] = []
        for asg in found.values.sorted(by: { $0.name < $1.name }) where asg.status == nil {
            groups.append(try await nodeGroup(asg))
        }
        return groups
    }

    private func nodeGroup(_ asg: AutoScalingGroup) async throws -> NodeGroup {
        let bounds = selection.explicit.first { $0.name == asg.name }
        let tagMap = Dictionary(asg.tags.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        let tags = try NodeTemplateTags(tags: tagMap)
        let typeNames = try await launchableTypes(asg)
        let shapes = try await shapes(typeNames)
        let live = asg.instances.filter { !["Terminating", "Terminated", "Terminating:Wait", "Terminating:Proceed"].contains($0.lifecycleState) }
        return NodeGroup(
            id: asg.name, minSize: bounds?.minSize ?? asg.minSize, maxSize: bounds?.maxSize ?? asg.maxSize,
            desiredCapacity: asg.desiredCapacity,
            instances: live.map { GroupInstance(id: $0.instanceID, zone: $0.availabilityZone) },
            templateSource: TemplateSource(instanceTypes: shapes, tags: tags, zones: asg.availabilityZones.sorted()))
    }

    /// Every instance type the group may launch: mixed-policy overrides, else the launch
    /// template's or launch configuration's type.
    private func launchableTypes(_ asg: AutoScalingGroup) async throws -> [String] {
        let overrides = asg.overrideInstanceTypes
        if !overrides.isEmpty { return overrides }
        if let template = asg.launchTemplate ?? asg.mixedInstancesPolicy?.launchTemplate {
            let versions = try await ec2.describeLaunchTemplateVersions(template, versions: [template.version ?? "$Default"])
            if let type = versions.first?.data.instanceType { return [type] }
        }
        if let name = asg.launchConfigurationName,
            let type = try await autoScaling.describeLaunchConfigurations(names: [name]).first?.instanceType
        {
            return [type]
        }
        return Array(Set(asg.instances.compactMap(\.instanceType))).sorted()
    }

    private func shapes(_ names: [String]) async throws -> [InstanceShape] {
        let missing = instanceTypes.withLock { cache in names.filter { cache[$0] == nil } }
        if !missing.isEmpty {
            let described = try await ec2.describeInstanceTypes(missing)
            instanceTypes.withLock { cache in
                for info in described {
                    cache[info.instanceType] = InstanceShape(
                        name: info.instanceType, vCPUs: Int64(info.vCPUs), memoryMiB: Int64(info.memoryMiB),
                        gpus: Int64(info.gpus),
                        maxPods: info.maximumNetworkInterfaces > 0 && info.ipv4AddressesPerInterface > 0
                            ? InstanceShape.eniMaxPods(
                                enis: Int64(info.maximumNetworkInterfaces), ipv4PerENI: Int64(info.ipv4AddressesPerInterface))
                            : nil,
                        architecture: info.architectures.first.map { $0 == "x86_64" ? "amd64" : $0 })
                }
            }
        }
        return instanceTypes.withLock { cache in names.compactMap { cache[$0] } }
    }

    public func setDesiredCapacity(group: String, to capacity: Int) async throws {
        try await autoScaling.setDesiredCapacity(groupName: group, desiredCapacity: capacity, honorCooldown: false)
    }

    public func terminateInstance(_ instanceID: String, group: String, decrementDesiredCapacity: Bool) async throws {
        _ = try await autoScaling.terminateInstanceInAutoScalingGroup(
            instanceID: instanceID, shouldDecrementDesiredCapacity: decrementDesiredCapacity)
    }

    public func launchFailures(group: String, since: Date) async throws -> [LaunchFailure] {
        try await autoScaling.describeScalingActivities(groupName: group, limit: 20).compactMap { activity in
            guard activity.statusCode == .failed, let start = activity.startTime, start >= since else { return nil }
            return LaunchFailure(
                group: group, time: start,
                message: activity.statusMessage ?? activity.description ?? "scaling activity \(activity.activityID) failed")
        }
    }
}
