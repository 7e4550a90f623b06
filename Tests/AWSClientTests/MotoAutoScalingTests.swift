import AWSTestSupport
import Foundation
import Testing
@testable import AWSClient

/// Auto Scaling, EC2 and STS against the moto emulator, through the real signing and HTTP path.
/// Each test works on its own cluster name, so tests share one emulator safely.
@Suite("Auto Scaling, EC2 and STS against moto")
struct MotoAutoScalingTests {
    static func uniqueCluster() -> String { "c\(UUID().uuidString.prefix(8).lowercased())" }

    static func discoveryFilters(_ cluster: String) -> [AutoScalingGroupFilter] {
        AutoScalingGroupFilter.clusterAutoscalerDiscovery(cluster: cluster)
    }

    static func tags(_ cluster: String) -> [String: String] {
        ["k8s.io/cluster-autoscaler/enabled": "true", "k8s.io/cluster-autoscaler/\(cluster)": "owned"]
    }

    @Test func discoversTaggedGroupsAcrossPages() async throws {
        let moto = try await MotoServer.shared()
        let aws = try await awsClient(endpoint: moto.endpoint)
        let cluster = Self.uniqueCluster()
        let template = "\(cluster)-lt"
        _ = try await aws.createLaunchTemplate(name: template, instanceType: "m5.large")
        for index in 0..<120 {
            try await aws.createAutoScalingGroup(name: "\(cluster)-ng-\(index)", launchTemplate: template, min: 0, max: 10, desired: 0, tags: Self.tags(cluster))
        }
        // Same enabled tag, other cluster: must not be discovered.
        let other = Self.uniqueCluster()
        try await aws.createAutoScalingGroup(name: "\(other)-ng", launchTemplate: template, min: 0, max: 3, desired: 0, tags: Self.tags(other))
        // This cluster's tag without the enabled tag: not discovered either.
        try await aws.createAutoScalingGroup(name: "\(cluster)-not-enabled", launchTemplate: template, min: 0, max: 3, desired: 0,
                                             tags: ["k8s.io/cluster-autoscaler/\(cluster)": "owned"])

        let groups = try await aws.autoScaling.describeAutoScalingGroups(.init(filters: Self.discoveryFilters(cluster), pageSize: 50))
        #expect(groups.count == 120)
        #expect(Set(groups.map(\.name)) == Set((0..<120).map { "\(cluster)-ng-\($0)" }))
        #expect(groups.allSatisfy { $0.tag("k8s.io/cluster-autoscaler/\(cluster)") == "owned" })

        let byValue = try await aws.autoScaling.describeAutoScalingGroups(.init(filters: [.tag("k8s.io/cluster-autoscaler/\(other)", "owned")]))
        #expect(byValue.map(\.name) == ["\(other)-ng"])

        let named = try await aws.autoScaling.describeAutoScalingGroups(.init(names: ["\(cluster)-ng-7", "\(cluster)-ng-8"]))
        #expect(Set(named.map(\.name)) == ["\(cluster)-ng-7", "\(cluster)-ng-8"])
    }

    @Test func groupDetailsCarryInstancesTagsAndMixedInstanceOverrides() async throws {
        let moto = try await MotoServer.shared()
        let aws = try await awsClient(endpoint: moto.endpoint)
        let cluster = Self.uniqueCluster()
        let templateID = try await aws.createLaunchTemplate(name: "\(cluster)-lt", instanceType: "m5.large")
        try await aws.createAutoScalingGroup(
            name: "\(cluster)-mixed", launchTemplate: "\(cluster)-lt", min: 1, max: 6, desired: 2,
            tags: Self.tags(cluster), overrides: ["m5.large", "m5.xlarge"]
        )
        let group = try #require(try await aws.autoScaling.describeAutoScalingGroups(.init(names: ["\(cluster)-mixed"])).first)
        #expect(group.minSize == 1)
        #expect(group.maxSize == 6)
        #expect(group.desiredCapacity == 2)
        #expect(group.availabilityZones == ["us-east-1a"])
        #expect(group.overrideInstanceTypes == ["m5.large", "m5.xlarge"])
        #expect(group.mixedInstancesPolicy?.launchTemplate?.id == templateID)
        #expect(group.tag("k8s.io/cluster-autoscaler/enabled") == "true")
        #expect(group.instances.count == 2)
        for instance in group.instances {
            #expect(instance.instanceID.hasPrefix("i-"))
            #expect(instance.availabilityZone == "us-east-1a")
            #expect(instance.lifecycleState == "InService")
            #expect(instance.healthStatus == "Healthy")
        }
    }

    @Test func setDesiredCapacityWithinBoundsIsApplied() async throws {
        let moto = try await MotoServer.shared()
        let aws = try await awsClient(endpoint: moto.endpoint)
        let cluster = Self.uniqueCluster()
        _ = try await aws.createLaunchTemplate(name: "\(cluster)-lt", instanceType: "m5.large")
        try await aws.createAutoScalingGroup(name: "\(cluster)-ng", launchTemplate: "\(cluster)-lt", min: 0, max: 4, desired: 1, tags: Self.tags(cluster))

        try await aws.autoScaling.setDesiredCapacity(groupName: "\(cluster)-ng", desiredCapacity: 3, honorCooldown: false)
        let group = try #require(try await aws.autoScaling.describeAutoScalingGroups(.init(names: ["\(cluster)-ng"])).first)
        #expect(group.desiredCapacity == 3)
        #expect(group.instances.count == 3)
    }

    @Test func desiredCapacityAboveMaxSizeIsRefusedAndNeverSent() async throws {
        let moto = try await MotoServer.shared()
        let aws = try await awsClient(endpoint: moto.endpoint)
        let cluster = Self.uniqueCluster()
        _ = try await aws.createLaunchTemplate(name: "\(cluster)-lt", instanceType: "m5.large")
        try await aws.createAutoScalingGroup(name: "\(cluster)-ng", launchTemplate: "\(cluster)-lt", min: 1, max: 4, desired: 2, tags: Self.tags(cluster))

        await #expect {
            try await aws.autoScaling.setDesiredCapacity(groupName: "\(cluster)-ng", desiredCapacity: 5, honorCooldown: false)
        } throws: { error in
            guard case AWSClientError.desiredCapacityOutOfRange(let name, 5, 1, 4) = error else { return false }
            return name == "\(cluster)-ng" && "\(error)".contains("[1, 4]")
        }
        await #expect {
            try await aws.autoScaling.setDesiredCapacity(groupName: "\(cluster)-ng", desiredCapacity: 0, honorCooldown: false)
        } throws: { error in
            if case AWSClientError.desiredCapacityOutOfRange(_, 0, 1, 4) = error { return true }
            return false
        }
        await #expect {
            try await aws.autoScaling.setDesiredCapacity(groupName: "\(cluster)-ng", desiredCapacity: -1, honorCooldown: false)
        } throws: { error in
            if case AWSClientError.invalidInput(_, "DesiredCapacity", "-1", _) = error { return true }
            return false
        }
        await #expect {
            try await aws.autoScaling.setDesiredCapacity(groupName: "\(cluster)-missing", desiredCapacity: 1, honorCooldown: false)
        } throws: { error in
            if case AWSClientError.autoScalingGroupNotFound = error { return true }
            return false
        }
        let group = try #require(try await aws.autoScaling.describeAutoScalingGroups(.init(names: ["\(cluster)-ng"])).first)
        #expect(group.desiredCapacity == 2)
        #expect(group.instances.count == 2)
    }

    @Test func terminatingWithDecrementShrinksTheGroupAndIsRecorded() async throws {
        let moto = try await MotoServer.shared()
        let aws = try await awsClient(endpoint: moto.endpoint)
        let cluster = Self.uniqueCluster()
        _ = try await aws.createLaunchTemplate(name: "\(cluster)-lt", instanceType: "m5.large")
        try await aws.createAutoScalingGroup(name: "\(cluster)-ng", launchTemplate: "\(cluster)-lt", min: 0, max: 5, desired: 3, tags: Self.tags(cluster))
        let before = try #require(try await aws.autoScaling.describeAutoScalingGroups(.init(names: ["\(cluster)-ng"])).first)
        let victim = try #require(before.instances.first?.instanceID)

        let details = try await aws.autoScaling.describeAutoScalingInstances(instanceIDs: before.instances.map(\.instanceID))
        #expect(details.count == 3)
        #expect(details.allSatisfy { $0.groupName == "\(cluster)-ng" && $0.lifecycleState == "InService" })

        let activity = try await aws.autoScaling.terminateInstanceInAutoScalingGroup(instanceID: victim, shouldDecrementDesiredCapacity: true)
        #expect(activity?.groupName == "\(cluster)-ng")

        let after = try #require(try await aws.autoScaling.describeAutoScalingGroups(.init(names: ["\(cluster)-ng"])).first)
        #expect(after.desiredCapacity == 2)
        #expect(!after.instances.contains { $0.instanceID == victim })
        #expect(after.instances.count == 2)

        // moto answers DescribeScalingActivities with an empty list; decoding of real activities
        // (launch failures, status messages) is proven against AWS-shaped documents in FaultServerTests.
        let activities = try await aws.autoScaling.describeScalingActivities(groupName: "\(cluster)-ng", limit: 10)
        #expect(activities.count <= 10)
    }

    @Test func malformedInstanceIDIsRefusedBeforeSending() async throws {
        let moto = try await MotoServer.shared()
        let aws = try await awsClient(endpoint: moto.endpoint)
        await #expect {
            _ = try await aws.autoScaling.terminateInstanceInAutoScalingGroup(instanceID: "node-1", shouldDecrementDesiredCapacity: true)
        } throws: { error in
            if case AWSClientError.invalidInput(_, "InstanceId", "node-1", _) = error { return true }
            return false
        }
    }

    @Test func launchConfigurationsAreListed() async throws {
        let moto = try await MotoServer.shared()
        let aws = try await awsClient(endpoint: moto.endpoint)
        let name = "\(Self.uniqueCluster())-lc"
        try await aws.createLaunchConfiguration(name: name, instanceType: "c5.xlarge")
        let configurations = try await aws.autoScaling.describeLaunchConfigurations(names: [name])
        #expect(configurations.count == 1)
        #expect(configurations.first?.instanceType == "c5.xlarge")
        #expect(configurations.first?.imageID == "ami-12c6146b")
    }

    @Test func instanceTypesComeFromTheCatalogue() async throws {
        let moto = try await MotoServer.shared()
        let aws = try await awsClient(endpoint: moto.endpoint)
        let types = try await aws.ec2.describeInstanceTypes(["m5.large", "g4dn.xlarge", "m5.large"])
        let byName = Dictionary(uniqueKeysWithValues: types.map { ($0.instanceType, $0) })
        #expect(types.count == 2)
        let m5 = try #require(byName["m5.large"])
        #expect(m5.vCPUs == 2)
        #expect(m5.memoryMiB == 8192)
        #expect(m5.gpus == 0)
        #expect(m5.maximumNetworkInterfaces == 3)
        #expect(m5.ipv4AddressesPerInterface == 10)
        #expect(m5.architectures == ["x86_64"])
        let g4 = try #require(byName["g4dn.xlarge"])
        #expect(g4.gpus == 1)
        #expect(g4.gpuModel == "NVIDIA T4")
        #expect(g4.memoryMiB == 16384)
    }

    @Test func unknownInstanceTypeGivesTheEC2ErrorCodeAndRequestID() async throws {
        let moto = try await MotoServer.shared()
        let aws = try await awsClient(endpoint: moto.endpoint)
        await #expect {
            _ = try await aws.ec2.describeInstanceTypes(["p9.imaginary"])
        } throws: { error in
            guard case AWSClientError.service(let serviceError) = error else { return false }
            return serviceError.code == "InvalidInstanceType" && serviceError.statusCode == 400
                && serviceError.requestID != nil && serviceError.operation == "DescribeInstanceTypes"
                && (serviceError.message ?? "").contains("p9.imaginary")
        }
    }

    @Test func launchTemplateVersionsAndInstancesAreDescribed() async throws {
        let moto = try await MotoServer.shared()
        let aws = try await awsClient(endpoint: moto.endpoint)
        let cluster = Self.uniqueCluster()
        let templateID = try await aws.createLaunchTemplate(name: "\(cluster)-lt", instanceType: "r5.large")
        let versions = try await aws.ec2.describeLaunchTemplateVersions(LaunchTemplateReference(id: templateID), versions: ["$Default"])
        #expect(versions.count == 1)
        #expect(versions.first?.launchTemplateName == "\(cluster)-lt")
        #expect(versions.first?.data.instanceType == "r5.large")
        #expect(versions.first?.isDefaultVersion == true)

        try await aws.createAutoScalingGroup(name: "\(cluster)-ng", launchTemplate: "\(cluster)-lt", min: 0, max: 3, desired: 2, tags: Self.tags(cluster))
        let group = try #require(try await aws.autoScaling.describeAutoScalingGroups(.init(names: ["\(cluster)-ng"])).first)
        let instances = try await aws.ec2.describeInstances(instanceIDs: group.instances.map(\.instanceID), filters: [])
        #expect(Set(instances.map(\.instanceID)) == Set(group.instances.map(\.instanceID)))
        #expect(instances.allSatisfy { $0.instanceType == "r5.large" && $0.state == "running" })
        let filtered = try await aws.ec2.describeInstances(instanceIDs: [], filters: [EC2Filter(name: "tag:aws:autoscaling:groupName", values: ["\(cluster)-ng"])])
        #expect(Set(filtered.map(\.instanceID)) == Set(group.instances.map(\.instanceID)))
    }

    @Test func callerIdentityIsReported() async throws {
        let moto = try await MotoServer.shared()
        let aws = try await awsClient(endpoint: moto.endpoint)
        let identity = try await aws.sts.getCallerIdentity()
        #expect(identity.account == "123456789012")
        #expect(identity.arn.hasPrefix("arn:aws:"))
        #expect(try await aws.credentialSource() == .environment)
    }

    @Test func profileWithRoleARNAssumesTheRoleThroughSTS() async throws {
        let moto = try await MotoServer.shared()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = try directory.write("config", """
            [profile base]
            aws_access_key_id = AKIABASEPROFILE00001
            aws_secret_access_key = base-secret
            [profile deploy]
            role_arn = arn:aws:iam::123456789012:role/mend-autoscaler
            source_profile = base
            role_session_name = mend-test
            """)
        let configuration = isolatedConfiguration([
            "AWS_CONFIG_FILE": config, "AWS_PROFILE": "deploy", "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": moto.endpoint,
        ])
        let aws = try await AWS.connect(configuration)
        let credentials = try await aws.credentials.credentials()
        #expect(credentials.source == .assumeRole(roleARN: "arn:aws:iam::123456789012:role/mend-autoscaler", profile: "deploy"))
        #expect(credentials.sessionToken != nil)
        #expect(credentials.expiration != nil)
        #expect(credentials.accessKeyID != "AKIABASEPROFILE00001")
        let identity = try await aws.sts.getCallerIdentity()
        #expect(identity.arn.contains("assumed-role/mend-autoscaler/mend-test"))
    }

    @Test func webIdentityFromTheEnvironmentIsExchangedAtSTS() async throws {
        let moto = try await MotoServer.shared()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tokenFile = try directory.write("token", "eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl\n")
        let configuration = isolatedConfiguration([
            "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/irsa-role", "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile,
            "AWS_ROLE_SESSION_NAME": "irsa-session", "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": moto.endpoint,
        ])
        let aws = try await AWS.connect(configuration)
        #expect(try await aws.credentialSource() == .webIdentity(roleARN: "arn:aws:iam::123456789012:role/irsa-role", tokenFile: tokenFile))
        let identity = try await aws.sts.getCallerIdentity()
        #expect(identity.arn.contains("irsa-role"))
    }
}
