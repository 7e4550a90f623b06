import Foundation

/// ``AutoScalingAPI`` over the Query protocol (API version 2011-01-01).
public struct AutoScalingClient: AutoScalingAPI {
    let engine: QueryEngine
    init(engine: QueryEngine) { self.engine = engine }

    public func describeAutoScalingGroups(_ input: DescribeAutoScalingGroupsInput) async throws -> [AutoScalingGroup] {
        if let pageSize = input.pageSize, !(1...100).contains(pageSize) {
            throw AWSClientError.invalidInput(operation: "DescribeAutoScalingGroups", field: "MaxRecords", value: String(pageSize), expected: "1 to 100")
        }
        for filter in input.filters where filter.values.isEmpty {
            throw AWSClientError.invalidInput(operation: "DescribeAutoScalingGroups", field: "Filters[\(filter.name)].Values", value: "[]", expected: "at least one value")
        }
        var groups: [AutoScalingGroup] = []
        var parameters = QueryParameters()
        parameters.memberList("AutoScalingGroupNames", input.names)
        for (index, filter) in input.filters.enumerated() {
            parameters.set("Filters.member.\(index + 1).Name", filter.name)
            parameters.memberList("Filters.member.\(index + 1).Values", filter.values)
        }
        parameters.set("MaxRecords", input.pageSize)
        try await engine.paginate("DescribeAutoScalingGroups", parameters) { result in
            groups += try result.list("AutoScalingGroups").map(Self.decodeGroup)
        }
        return groups
    }

    public func setDesiredCapacity(groupName: String, desiredCapacity: Int, honorCooldown: Bool = false) async throws {
        guard desiredCapacity >= 0 else {
            throw AWSClientError.invalidInput(operation: "SetDesiredCapacity", field: "DesiredCapacity", value: String(desiredCapacity), expected: "a number >= 0")
        }
        try Self.validateName(groupName, operation: "SetDesiredCapacity")
        // AWS refuses a capacity outside [MinSize, MaxSize]; emulators may not. Check first, send only a valid value.
        guard let group = try await describeAutoScalingGroups(DescribeAutoScalingGroupsInput(names: [groupName])).first(where: { $0.name == groupName }) else {
            throw AWSClientError.autoScalingGroupNotFound(name: groupName)
        }
        guard (group.minSize...max(group.minSize, group.maxSize)).contains(desiredCapacity) else {
            throw AWSClientError.desiredCapacityOutOfRange(group: groupName, requested: desiredCapacity, minSize: group.minSize, maxSize: group.maxSize)
        }
        var parameters = QueryParameters()
        parameters.set("AutoScalingGroupName", groupName)
        parameters.set("DesiredCapacity", desiredCapacity)
        parameters.set("HonorCooldown", honorCooldown)
        _ = try await engine.send("SetDesiredCapacity", parameters)
    }

    public func terminateInstanceInAutoScalingGroup(instanceID: String, shouldDecrementDesiredCapacity: Bool) async throws -> ScalingActivity? {
        try Self.validateInstanceID(instanceID, operation: "TerminateInstanceInAutoScalingGroup")
        var parameters = QueryParameters()
        parameters.set("InstanceId", instanceID)
        parameters.set("ShouldDecrementDesiredCapacity", shouldDecrementDesiredCapacity)
        let result = try await engine.send("TerminateInstanceInAutoScalingGroup", parameters)
        return try result.child("Activity").map(Self.decodeActivity)
    }

    public func describeAutoScalingInstances(instanceIDs: [String]) async throws -> [AutoScalingInstanceDetails] {
        for id in instanceIDs { try Self.validateInstanceID(id, operation: "DescribeAutoScalingInstances") }
        guard !instanceIDs.isEmpty else { return [] }
        var instances: [AutoScalingInstanceDetails] = []
        // AWS takes at most 50 ids per call.
        for start in stride(from: 0, to: instanceIDs.count, by: 50) {
            var parameters = QueryParameters()
            parameters.memberList("InstanceIds", Array(instanceIDs[start..<min(start + 50, instanceIDs.count)]))
            try await engine.paginate("DescribeAutoScalingInstances", parameters) { result in
                instances += try result.list("AutoScalingInstances").map(Self.decodeInstanceDetails)
            }
        }
        return instances
    }

    public func describeScalingActivities(groupName: String, limit: Int = 20) async throws -> [ScalingActivity] {
        try Self.validateName(groupName, operation: "DescribeScalingActivities")
        guard limit > 0 else {
            throw AWSClientError.invalidInput(operation: "DescribeScalingActivities", field: "limit", value: String(limit), expected: "a number > 0")
        }
        var activities: [ScalingActivity] = []
        var parameters = QueryParameters()
        parameters.set("AutoScalingGroupName", groupName)
        parameters.set("MaxRecords", min(limit, 100))
        try await engine.paginate("DescribeScalingActivities", parameters, while: { activities.count < limit }) { result in
            activities += try result.list("Activities").map(Self.decodeActivity)
        }
        return Array(activities.prefix(limit))
    }

    public func describeLaunchConfigurations(names: [String]) async throws -> [LaunchConfiguration] {
        var configurations: [LaunchConfiguration] = []
        var parameters = QueryParameters()
        parameters.memberList("LaunchConfigurationNames", names)
        try await engine.paginate("DescribeLaunchConfigurations", parameters) { result in
            configurations += try result.list("LaunchConfigurations").map(Self.decodeLaunchConfiguration)
        }
        return configurations
    }

    // MARK: Validation

    static func validateName(_ name: String, operation: String) throws {
        guard (1...255).contains(name.count) else {
            throw AWSClientError.invalidInput(operation: operation, field: "AutoScalingGroupName", value: name, expected: "1 to 255 characters")
        }
    }

    static func validateInstanceID(_ id: String, operation: String) throws {
        guard id.hasPrefix("i-"), (3...19).contains(id.count) else {
            throw AWSClientError.invalidInput(operation: operation, field: "InstanceId", value: id, expected: "an EC2 instance id (i-0123456789abcdef0)")
        }
    }

    // MARK: Decoding

    static func required(_ node: XMLNode, _ path: String, _ operation: String) throws -> String {
        guard let value = node.string(path) else {
            throw AWSClientError.malformedResponse(service: "autoscaling", operation: operation, detail: "\(node.name) has no \(path)")
        }
        return value
    }

    static func requiredInt(_ node: XMLNode, _ path: String, _ operation: String) throws -> Int {
        guard let value = node.int(path) else {
            throw AWSClientError.malformedResponse(service: "autoscaling", operation: operation, detail: "\(node.name) has no integer \(path)")
        }
        return value
    }

    static func decodeLaunchTemplate(_ node: XMLNode?) -> LaunchTemplateReference? {
        guard let node else { return nil }
        let reference = LaunchTemplateReference(id: node.string("LaunchTemplateId"), name: node.string("LaunchTemplateName"), version: node.string("Version"))
        return reference.id == nil && reference.name == nil ? nil : reference
    }

    static func decodeGroup(_ node: XMLNode) throws -> AutoScalingGroup {
        let operation = "DescribeAutoScalingGroups"
        var mixed: MixedInstancesPolicy?
        if let policy = node.child("MixedInstancesPolicy") {
            let distribution = policy.child("InstancesDistribution").map {
                InstancesDistribution(
                    onDemandBaseCapacity: $0.int("OnDemandBaseCapacity"),
                    onDemandPercentageAboveBaseCapacity: $0.int("OnDemandPercentageAboveBaseCapacity"),
                    onDemandAllocationStrategy: $0.string("OnDemandAllocationStrategy"),
                    spotAllocationStrategy: $0.string("SpotAllocationStrategy")
                )
            }
            mixed = MixedInstancesPolicy(
                launchTemplate: decodeLaunchTemplate(policy.at("LaunchTemplate/LaunchTemplateSpecification")),
                overrides: policy.list("LaunchTemplate/Overrides").map {
                    LaunchTemplateOverride(
                        instanceType: $0.string("InstanceType"),
                        weightedCapacity: $0.string("WeightedCapacity"),
                        launchTemplate: decodeLaunchTemplate($0.child("LaunchTemplateSpecification"))
                    )
                },
                instancesDistribution: distribution
            )
        }
        return AutoScalingGroup(
            name: try required(node, "AutoScalingGroupName", operation),
            arn: node.string("AutoScalingGroupARN"),
            minSize: try requiredInt(node, "MinSize", operation),
            maxSize: try requiredInt(node, "MaxSize", operation),
            desiredCapacity: try requiredInt(node, "DesiredCapacity", operation),
            defaultCooldown: node.int("DefaultCooldown"),
            availabilityZones: node.list("AvailabilityZones").map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) },
            vpcZoneIdentifier: node.string("VPCZoneIdentifier").flatMap { $0.isEmpty ? nil : $0 },
            launchTemplate: decodeLaunchTemplate(node.child("LaunchTemplate")),
            launchConfigurationName: node.string("LaunchConfigurationName"),
            mixedInstancesPolicy: mixed,
            instances: try node.list("Instances").map { instance in
                AutoScalingGroupInstance(
                    instanceID: try required(instance, "InstanceId", operation),
                    availabilityZone: instance.string("AvailabilityZone") ?? "",
                    lifecycleState: instance.string("LifecycleState") ?? "",
                    healthStatus: instance.string("HealthStatus") ?? "",
                    instanceType: instance.string("InstanceType"),
                    launchTemplate: decodeLaunchTemplate(instance.child("LaunchTemplate")),
                    launchConfigurationName: instance.string("LaunchConfigurationName"),
                    protectedFromScaleIn: instance.bool("ProtectedFromScaleIn") ?? false
                )
            },
            tags: try node.list("Tags").map {
                AutoScalingTag(key: try required($0, "Key", operation), value: $0.string("Value") ?? "", propagateAtLaunch: $0.bool("PropagateAtLaunch") ?? false)
            },
            status: node.string("Status"),
            createdTime: node.date("CreatedTime")
        )
    }

    static func decodeInstanceDetails(_ node: XMLNode) throws -> AutoScalingInstanceDetails {
        let operation = "DescribeAutoScalingInstances"
        return AutoScalingInstanceDetails(
            instanceID: try required(node, "InstanceId", operation),
            groupName: try required(node, "AutoScalingGroupName", operation),
            availabilityZone: node.string("AvailabilityZone") ?? "",
            lifecycleState: node.string("LifecycleState") ?? "",
            healthStatus: node.string("HealthStatus") ?? "",
            instanceType: node.string("InstanceType"),
            launchTemplate: decodeLaunchTemplate(node.child("LaunchTemplate")),
            launchConfigurationName: node.string("LaunchConfigurationName"),
            protectedFromScaleIn: node.bool("ProtectedFromScaleIn") ?? false
        )
    }

    static func decodeActivity(_ node: XMLNode) throws -> ScalingActivity {
        let operation = "DescribeScalingActivities"
        return ScalingActivity(
            activityID: try required(node, "ActivityId", operation),
            groupName: node.string("AutoScalingGroupName") ?? "",
            description: node.string("Description"),
            cause: node.string("Cause"),
            startTime: node.date("StartTime"),
            endTime: node.date("EndTime"),
            statusCode: ScalingActivityStatus(try required(node, "StatusCode", operation)),
            statusMessage: node.string("StatusMessage").flatMap { $0.isEmpty ? nil : $0 },
            progress: node.int("Progress")
        )
    }

    static func decodeLaunchConfiguration(_ node: XMLNode) throws -> LaunchConfiguration {
        LaunchConfiguration(
            name: try required(node, "LaunchConfigurationName", "DescribeLaunchConfigurations"),
            imageID: node.string("ImageId"),
            instanceType: node.string("InstanceType"),
            keyName: node.string("KeyName").flatMap { $0.isEmpty ? nil : $0 },
            securityGroups: node.list("SecurityGroups").map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) },
            spotPrice: node.string("SpotPrice"),
            createdTime: node.date("CreatedTime")
        )
    }
}
