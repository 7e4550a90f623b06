import ClusterSim
import Foundation
import KubeModels
import MendTime
import Testing

@testable import Autoscaler

@Suite("The simulated node-group provider")
struct SimulatedNodeGroupProviderTests {
    static func shape() throws -> NodeShape {
        NodeShape(
            instanceType: "m5.large", zone: "us-east-1a",
            capacity: ["cpu": Quantity(2), "memory": try Quantity(parsing: "8Gi"), "pods": Quantity(29)],
            labels: ["team": "platform"], taints: [Taint(key: "dedicated", value: "batch", effect: .noSchedule)])
    }

    static func simulation(_ clock: ManualClock, desired: Int = 2, min: Int = 1) throws -> ClusterSimulation {
        var configuration = ClusterSimulation.Configuration(clock: clock)
        configuration.kubelets.podStartDelay = .zero
        let sim = ClusterSimulation(configuration)
        try sim.cloud!.addNodeGroup(
            NodeGroupSpec(
                name: "general", minSize: min, maxSize: 5, desiredCapacity: desired, shape: try shape(),
                bootDelay: .seconds(30)),
            startBooted: true)
        try sim.settle()
        return sim
    }

    @Test func groupsCarryTheCloudsSizesInstancesAndATemplateSourceFromTheShape() async throws {
        let sim = try Self.simulation(ManualClock())
        let provider = SimulatedNodeGroupProvider(cloud: sim.cloud!)

        let groups = try await provider.nodeGroups()

        let group = try #require(groups.first)
        #expect(groups.count == 1)
        #expect(group.id == "general")
        #expect((group.minSize, group.maxSize, group.desiredCapacity) == (1, 5, 2))
        #expect(Set(group.instances.map(\.id)) == Set(sim.cloud!.instances(group: "general").map(\.id)))
        #expect(group.instances.allSatisfy { $0.zone == "us-east-1a" })
        let type = try #require(group.templateSource.instanceTypes.first)
        #expect(type == InstanceShape(name: "m5.large", vCPUs: 2, memoryMiB: 8192, gpus: 0, maxPods: 29))
        #expect(group.templateSource.zones == ["us-east-1a"])
        #expect(group.templateSource.tags.labels == ["team": "platform"])
        #expect(group.templateSource.tags.taints == [Taint(key: "dedicated", value: "batch", effect: .noSchedule)])
        #expect(group.templateSource.tags.resources["cpu"] == Quantity(2))
        // The template built from it is what the group's nodes look like.
        let template = try #require(NodeTemplate.fromSource(group.templateSource, group: "general", reserved: .none))
        #expect(template.node.allocatable.milliCPU == 2000)
        #expect(template.node.labels["team"] == "platform")
    }

    @Test func fractionalCPUShapesRoundUpToWholeVCPUsButKeepTheExactCapacity() throws {
        let shape = NodeShape(
            instanceType: "custom", zone: "us-east-1b",
            capacity: ["cpu": try Quantity(parsing: "1500m"), "memory": try Quantity(parsing: "3Gi")])
        let source = SimulatedNodeGroupProvider.templateSource(shape)
        #expect(source.instanceTypes.first?.vCPUs == 2)
        #expect(source.instanceTypes.first?.maxPods == nil)
        let exact = try Quantity(parsing: "1500m")
        #expect(source.tags.resources["cpu"] == exact)
        let template = try #require(NodeTemplate.fromSource(source, group: "g", reserved: .none))
        #expect(template.node.allocatable.milliCPU == 1500)
    }

    @Test func settingDesiredCapacityLaunchesAnInstanceAndOutOfRangeIsRefused() async throws {
        let clock = ManualClock()
        let sim = try Self.simulation(clock)
        let provider = SimulatedNodeGroupProvider(cloud: sim.cloud!)

        try await provider.setDesiredCapacity(group: "general", to: 3)
        try sim.settle()
        #expect(try await provider.nodeGroups().first?.instances.count == 3)

        await #expect(throws: CloudError.desiredCapacityOutOfRange(group: "general", desired: 6, min: 1, max: 5)) {
            try await provider.setDesiredCapacity(group: "general", to: 6)
        }
        await #expect(throws: CloudError.unknownGroup("nope")) {
            try await provider.setDesiredCapacity(group: "nope", to: 1)
        }
        #expect(sim.cloud!.nodeGroup("general")?.desiredCapacity == 3)
    }

    @Test func terminatingWithDecrementShrinksTheGroupAndRemovesTheNode() async throws {
        let sim = try Self.simulation(ManualClock(), desired: 2, min: 1)
        let provider = SimulatedNodeGroupProvider(cloud: sim.cloud!)
        let victim = try #require(sim.cloud!.instances(group: "general").first)

        try await provider.terminateInstance(victim.id, group: "general", decrementDesiredCapacity: true)
        try sim.settle()

        let group = try #require(try await provider.nodeGroups().first)
        #expect(group.desiredCapacity == 1)
        #expect(!group.instances.contains { $0.id == victim.id })
        #expect((try? sim.store.get(sim.store.resource("nodes")!, namespace: nil, name: victim.nodeName)) == nil)
        // The last one would go below the minimum: refused, nothing changed.
        let last = try #require(group.instances.first)
        await #expect(throws: CloudError.belowMinimum(group: "general", minSize: 1)) {
            try await provider.terminateInstance(last.id, group: "general", decrementDesiredCapacity: true)
        }
        #expect(sim.cloud!.instances(group: "general").count == 1)
    }

    @Test func terminatingAnInstanceOfAnotherGroupOrNoneIsRefused() async throws {
        let sim = try Self.simulation(ManualClock())
        let provider = SimulatedNodeGroupProvider(cloud: sim.cloud!)
        let instance = try #require(sim.cloud!.instances(group: "general").first)

        await #expect(throws: CloudError.unknownInstance("i-0000000000000dead")) {
            try await provider.terminateInstance("i-0000000000000dead", group: "general", decrementDesiredCapacity: true)
        }
        await #expect(throws: CloudError.unknownInstance(instance.id)) {
            try await provider.terminateInstance(instance.id, group: "other", decrementDesiredCapacity: true)
        }
        #expect(sim.cloud!.instances(group: "general").count == 2)
        #expect(sim.cloud!.nodeGroup("general")?.desiredCapacity == 2)
    }

    @Test func launchFailuresComeFromFailedActivitiesSinceTheGivenTime() async throws {
        let clock = ManualClock()
        let sim = try Self.simulation(clock)
        let provider = SimulatedNodeGroupProvider(cloud: sim.cloud!)
        let before = clock.now
        let message = "We currently do not have sufficient m5.large capacity in the Availability Zone you requested (us-east-1a)."
        try sim.cloud!.setLaunchFailure(group: "general", message: message)
        try await provider.setDesiredCapacity(group: "general", to: 3)

        try sim.advance(clock, by: .seconds(25))

        let failures = try await provider.launchFailures(group: "general", since: before)
        #expect(!failures.isEmpty)
        #expect(failures.allSatisfy { $0.group == "general" && $0.message == message && $0.time >= before })
        #expect(try await provider.launchFailures(group: "general", since: clock.now.addingTimeInterval(1)).isEmpty)
        await #expect(throws: CloudError.unknownGroup("nope")) {
            _ = try await provider.launchFailures(group: "nope", since: before)
        }
    }
}
