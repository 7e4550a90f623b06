import AWSTestSupport
import Foundation
import KubeModels
import Testing

@testable import AWSClient
@testable import Autoscaler

/// The AWS node-group provider against moto (groups, sizes, instance types, writes) and, for the
/// scaling activities moto never reports, against a scripted AWS answer. Each test works on its
/// own cluster name, so tests share one emulator safely.
@Suite("AWS node-group provider")
struct AWSNodeGroupProviderTests {
    static func uniqueCluster() -> String { "c\(UUID().uuidString.prefix(8).lowercased())" }

    static func discoveryTags(_ cluster: String) -> [String: String] {
        ["k8s.io/cluster-autoscaler/enabled": "true", "k8s.io/cluster-autoscaler/\(cluster)": "owned"]
    }

    static func provider(_ aws: AWS, cluster: String, explicit: [ExplicitGroup] = []) -> AWSNodeGroupProvider {
        var selection = AWSGroupSelection.clusterAutoscalerTags(cluster: cluster)
        selection.explicit = explicit
        return AWSNodeGroupProvider(autoScaling: aws.autoScaling, ec2: aws.ec2, selection: selection)
    }

    @Test func discoversGroupsByTagsAndIgnoresOthers() async throws {
        let aws = try await awsClient(endpoint: try await MotoServer.shared().endpoint)
        let cluster = Self.uniqueCluster()
        let template = "\(cluster)-lt"
        try await aws.createLaunchTemplate(name: template, instanceType: "m5.large")
        for name in ["a", "b"] {
            try await aws.createAutoScalingGroup(
                name: "\(cluster)-\(name)", launch: .template(template), min: 0, max: 5, desired: 0,
                tags: Self.discoveryTags(cluster))
        }
        try await aws.createAutoScalingGroup(
            name: "\(cluster)-untagged", launch: .template(template), min: 0, max: 5, desired: 0, tags: [:])
        try await aws.createAutoScalingGroup(
            name: "\(cluster)-not-enabled", launch: .template(template), min: 0, max: 5, desired: 0,
            tags: ["k8s.io/cluster-autoscaler/\(cluster)": "owned"])
        let other = Self.uniqueCluster()
        try await aws.createAutoScalingGroup(
            name: "\(other)-a", launch: .template(template), min: 0, max: 5, desired: 0, tags: Self.discoveryTags(other))

        let groups = try await Self.provider(aws, cluster: cluster).nodeGroups()
        #expect(groups.map(\.id) == ["\(cluster)-a", "\(cluster)-b"])

        // An explicit `min:max:name` adds an untagged group, with its own bounds.
        let withExplicit = try await Self.provider(
            aws, cluster: cluster, explicit: [ExplicitGroup(name: "\(cluster)-untagged", minSize: 1, maxSize: 3)]
        ).nodeGroups()
        #expect(withExplicit.map(\.id) == ["\(cluster)-a", "\(cluster)-b", "\(cluster)-untagged"])
        let untagged = try #require(withExplicit.last)
        #expect(untagged.minSize == 1 && untagged.maxSize == 3)
    }

    @Test func readsSizesAndInstancesWithTheirZones() async throws {
        let aws = try await awsClient(endpoint: try await MotoServer.shared().endpoint)
        let cluster = Self.uniqueCluster()
        try await aws.createLaunchTemplate(name: "\(cluster)-lt", instanceType: "m5.large")
        try await aws.createAutoScalingGroup(
            name: "\(cluster)-ng", launch: .template("\(cluster)-lt"), min: 1, max: 6, desired: 3,
            zones: ["us-east-1b", "us-east-1a"], tags: Self.discoveryTags(cluster))
        let asg = try #require(try await aws.autoScaling.describeAutoScalingGroups(.init(names: ["\(cluster)-ng"])).first)

        let group = try #require(try await Self.provider(aws, cluster: cluster).nodeGroups().first)
        #expect(group.id == "\(cluster)-ng")
        #expect(group.minSize == 1 && group.maxSize == 6 && group.desiredCapacity == 3)
        #expect(group.instances.count == 3)
        #expect(Set(group.instances.map(\.id)) == Set(asg.instances.map(\.instanceID)))
        for instance in group.instances {
            #expect(instance.id.hasPrefix("i-"))
            let zone = try #require(instance.zone)
            #expect(["us-east-1a", "us-east-1b"].contains(zone))
            #expect(instance.providerID == "aws:///\(zone)/\(instance.id)")
        }
        #expect(group.templateSource.zones == ["us-east-1a", "us-east-1b"])
        // Nodes map back to the group through their provider ids.
        let membership = GroupMembership(groups: [group])
        let instance = try #require(group.instances.first)
        let node = Node(metadata: ObjectMeta(name: "n"), spec: NodeSpec(providerID: instance.providerID))
        #expect(membership.group(of: node) == group.id)
    }

    @Test func everyMixedInstanceTypeIsDescribedAndTheTemplatePlansForTheSmallest() async throws {
        let aws = try await awsClient(endpoint: try await MotoServer.shared().endpoint)
        let cluster = Self.uniqueCluster()
        try await aws.createLaunchTemplate(name: "\(cluster)-lt", instanceType: "m5.xlarge")
        var tags = Self.discoveryTags(cluster)
        tags[NodeTemplateTags.prefix + "label/team"] = "ml"
        tags[NodeTemplateTags.prefix + "taint/dedicated"] = "ml:NoSchedule"
        tags[NodeTemplateTags.prefix + "resources/ephemeral-storage"] = "100Gi"
        try await aws.createAutoScalingGroup(
            name: "\(cluster)-mixed", launch: .mixed(template: "\(cluster)-lt", overrides: ["m5.xlarge", "c5.large", "m5.large"]),
            min: 0, max: 10, desired: 0, tags: tags)

        let group = try #require(try await Self.provider(aws, cluster: cluster).nodeGroups().first)
        let types = Dictionary(uniqueKeysWithValues: group.templateSource.instanceTypes.map { ($0.name, $0) })
        #expect(group.templateSource.instanceTypes.map(\.name) == ["m5.xlarge", "c5.large", "m5.large"])
        #expect(types["m5.xlarge"] == InstanceShape(name: "m5.xlarge", vCPUs: 4, memoryMiB: 16384, maxPods: 58, architecture: "amd64"))
        #expect(types["c5.large"] == InstanceShape(name: "c5.large", vCPUs: 2, memoryMiB: 4096, maxPods: 29, architecture: "amd64"))
        #expect(types["m5.large"] == InstanceShape(name: "m5.large", vCPUs: 2, memoryMiB: 8192, maxPods: 29, architecture: "amd64"))
        #expect(group.templateSource.tags.labels == ["team": "ml"])
        #expect(group.templateSource.tags.taints == [Taint(key: "dedicated", value: "ml", effect: .noSchedule)])

        let template = try #require(NodeTemplate.fromSource(group.templateSource, group: group.id, reserved: .none))
        // Each resource is the least of the three types, so a plan fits whichever launches.
        #expect(template.node.allocatable.milliCPU == 2000)
        #expect(template.node.allocatable.memory == 4096 << 20)
        #expect(template.node.allocatable.pods == 29)
        #expect(template.node.allocatable.ephemeralStorage == 100 << 30)
        #expect(template.node.labels["team"] == "ml")
        #expect(template.node.labels[NodeLabels.instanceType] == nil)
        #expect(template.node.labels[NodeLabels.arch] == "amd64")
        #expect(template.node.blockingTaints == [Taint(key: "dedicated", value: "ml", effect: .noSchedule)])
        #expect(template.origin == .instanceTypes(["m5.xlarge", "c5.large", "m5.large"]))
    }

    @Test func launchTemplateAndLaunchConfigurationGroupsGiveTheirInstanceType() async throws {
        let aws = try await awsClient(endpoint: try await MotoServer.shared().endpoint)
        let cluster = Self.uniqueCluster()
        try await aws.createLaunchTemplate(name: "\(cluster)-lt", instanceType: "r5.large")
        try await aws.createLaunchConfiguration(name: "\(cluster)-lc", instanceType: "c5.xlarge")
        try await aws.createAutoScalingGroup(
            name: "\(cluster)-by-template", launch: .template("\(cluster)-lt"), min: 0, max: 3, desired: 0,
            tags: Self.discoveryTags(cluster))
        try await aws.createAutoScalingGroup(
            name: "\(cluster)-by-configuration", launch: .configuration("\(cluster)-lc"), min: 0, max: 3, desired: 0,
            tags: Self.discoveryTags(cluster))

        let groups = try await Self.provider(aws, cluster: cluster).nodeGroups()
        let byName = Dictionary(uniqueKeysWithValues: groups.map { ($0.id, $0) })
        #expect(byName["\(cluster)-by-template"]?.templateSource.instanceTypes.map(\.name) == ["r5.large"])
        #expect(byName["\(cluster)-by-configuration"]?.templateSource.instanceTypes.map(\.name) == ["c5.xlarge"])
        let r5 = try #require(byName["\(cluster)-by-template"]?.templateSource.instanceTypes.first)
        #expect(r5.vCPUs == 2 && r5.memoryMiB == 16384)
    }

    @Test func malformedNodeTemplateTagIsAClearErrorNamingTheTag() async throws {
        let aws = try await awsClient(endpoint: try await MotoServer.shared().endpoint)
        let cluster = Self.uniqueCluster()
        try await aws.createLaunchTemplate(name: "\(cluster)-lt", instanceType: "m5.large")
        var tags = Self.discoveryTags(cluster)
        tags[NodeTemplateTags.prefix + "taint/dedicated"] = "ml:Sometimes"
        try await aws.createAutoScalingGroup(
            name: "\(cluster)-ng", launch: .template("\(cluster)-lt"), min: 0, max: 3, desired: 1, tags: tags)
        await #expect {
            _ = try await Self.provider(aws, cluster: cluster).nodeGroups()
        } throws: { error in
            guard case NodeTemplateTagError.badTaint(let tag, let value) = error else { return false }
            return tag == NodeTemplateTags.prefix + "taint/dedicated" && value == "ml:Sometimes"
                && "\(error)".contains("NoSchedule, PreferNoSchedule, NoExecute")
        }
        // Reading changed nothing.
        let asg = try #require(try await aws.autoScaling.describeAutoScalingGroups(.init(names: ["\(cluster)-ng"])).first)
        #expect(asg.desiredCapacity == 1)
    }

    @Test func settingDesiredCapacityIsSeenOnTheNextRead() async throws {
        let aws = try await awsClient(endpoint: try await MotoServer.shared().endpoint)
        let cluster = Self.uniqueCluster()
        try await aws.createLaunchTemplate(name: "\(cluster)-lt", instanceType: "m5.large")
        try await aws.createAutoScalingGroup(
            name: "\(cluster)-ng", launch: .template("\(cluster)-lt"), min: 0, max: 5, desired: 1,
            tags: Self.discoveryTags(cluster))
        let provider = Self.provider(aws, cluster: cluster)

        try await provider.setDesiredCapacity(group: "\(cluster)-ng", to: 4)
        let group = try #require(try await provider.nodeGroups().first)
        #expect(group.desiredCapacity == 4)
        #expect(group.instances.count == 4)
    }

    @Test func terminatingWithDecrementRemovesTheInstanceAndLowersDesired() async throws {
        let aws = try await awsClient(endpoint: try await MotoServer.shared().endpoint)
        let cluster = Self.uniqueCluster()
        try await aws.createLaunchTemplate(name: "\(cluster)-lt", instanceType: "m5.large")
        try await aws.createAutoScalingGroup(
            name: "\(cluster)-ng", launch: .template("\(cluster)-lt"), min: 0, max: 5, desired: 3,
            tags: Self.discoveryTags(cluster))
        let provider = Self.provider(aws, cluster: cluster)
        let before = try #require(try await provider.nodeGroups().first)
        let victim = try #require(before.instances.first?.id)

        try await provider.terminateInstance(victim, group: before.id, decrementDesiredCapacity: true)
        let after = try #require(try await provider.nodeGroups().first)
        #expect(after.desiredCapacity == 2)
        #expect(after.instances.count == 2)
        #expect(!after.instances.contains { $0.id == victim })
    }

    @Test func failedScalingActivitiesSinceTheRequestAreLaunchFailures() async throws {
        // moto answers DescribeScalingActivities with an empty list, so the answer is scripted in
        // AWS's own shape: newest first, one failure after `since`, one success, one older failure.
        let since = try #require(AMZDate.parseISO8601("2026-11-23T11:00:00Z"))
        func activity(_ id: String, start: String, code: String, message: String?) -> String {
            let status = message.map { "<StatusMessage>\($0)</StatusMessage>" } ?? ""
            return """
                <member><ActivityId>\(id)</ActivityId><AutoScalingGroupName>ng</AutoScalingGroupName>\
                <Description>Launching a new EC2 instance</Description><Cause>desired capacity changed</Cause>\
                <StartTime>\(start)</StartTime><StatusCode>\(code)</StatusCode>\(status)<Progress>100</Progress></member>
                """
        }
        let answer = """
            <DescribeScalingActivitiesResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><DescribeScalingActivitiesResult><Activities>\
            \(activity("a-3", start: "2026-11-23T11:00:05Z", code: "Failed", message: "We currently do not have sufficient p4d.24xlarge capacity in the Availability Zone you requested (us-east-1a)."))\
            \(activity("a-2", start: "2026-11-23T11:00:01Z", code: "Successful", message: nil))\
            \(activity("a-1", start: "2026-11-23T10:00:00Z", code: "Failed", message: "The launch template lt-0abc does not exist."))\
            </Activities></DescribeScalingActivitiesResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></DescribeScalingActivitiesResponse>
            """
        try await FaultServer.with({ _ in ScriptedResponse(body: answer) }) { server in
            let aws = try await awsClient(endpoint: server.baseURL)
            let provider = Self.provider(aws, cluster: "c")
            let failures = try await provider.launchFailures(group: "ng", since: since)
            #expect(failures.count == 1)
            #expect(failures.first?.group == "ng")
            #expect(failures.first?.time == AMZDate.parseISO8601("2026-11-23T11:00:05Z"))
            #expect(failures.first?.message.contains("sufficient p4d.24xlarge capacity") == true)
            let request = try #require(server.requests.first?.form)
            #expect(request["Action"] == "DescribeScalingActivities")
            #expect(request["AutoScalingGroupName"] == "ng")
        }
    }
}
