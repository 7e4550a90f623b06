import ClusterSim
import Foundation
import KubeModels
import MendTime
import Testing

@Suite("Simulated cloud")
struct SimCloudTests {
    private func shape() -> NodeShape {
        NodeShape(instanceType: "m5.large", zone: "us-east-1a",
                  capacity: ["cpu": Quantity(2), "memory": try! Quantity(parsing: "8Gi"), "pods": Quantity(29)],
                  labels: ["team": "platform"], taints: [])
    }

    private func group(desired: Int = 1, min: Int = 0, max: Int = 5, boot: Duration = .seconds(90)) -> NodeGroupSpec {
        NodeGroupSpec(name: "general", minSize: min, maxSize: max, desiredCapacity: desired, shape: shape(), bootDelay: boot)
    }

    @Test func raisingDesiredCapacityAddsANodeOnlyAfterTheBootDelay() throws {
        let clock = ManualClock()
        let sim = SimFixtures.simulation(clock: clock)
        let cloud = try #require(sim.cloud)
        try cloud.addNodeGroup(group(desired: 1), startBooted: true)
        try sim.settle()
        #expect(sim.store.listValues(sim.nodesResource).count == 1)

        try cloud.setDesiredCapacity(group: "general", to: 2)
        try sim.settle()
        #expect(cloud.instances(group: "general").count == 2)
        #expect(cloud.instances(group: "general").last?.state == .pending)
        try sim.advance(clock, by: .seconds(89))
        #expect(sim.store.listValues(sim.nodesResource).count == 1)
        try sim.advance(clock, by: .seconds(1))

        let nodes = sim.store.listValues(sim.nodesResource)
        #expect(nodes.count == 2)
        let instance = try #require(cloud.instances(group: "general").last)
        #expect(instance.state == .inService)
        let node = try #require(sim.node(instance.nodeName))
        #expect(node[path: ["spec", "providerID"]]?.stringValue == "aws:///us-east-1a/\(instance.id)")
        #expect(instance.id.hasPrefix("i-") && instance.id.count == 19)
        #expect(node[path: ["metadata", "labels", "node.kubernetes.io/instance-type"]]?.stringValue == "m5.large")
        #expect(node[path: ["metadata", "labels", "team"]]?.stringValue == "platform")
        #expect(node[path: ["status", "allocatable", "cpu"]]?.stringValue == "2")
        #expect(node.condition("Ready")?["status"]?.stringValue == "True")
        let launches = cloud.activities(group: "general").filter { $0.description.hasPrefix("Launching a new EC2 instance: ") }
        #expect(launches.first?.description == "Launching a new EC2 instance: \(instance.id)")
        #expect(launches.allSatisfy { $0.status == .successful })
    }

    @Test func launchFailureIsRecordedAsAFailedActivityAndNoNodeAppears() throws {
        let clock = ManualClock()
        let sim = SimFixtures.simulation(clock: clock)
        let cloud = try #require(sim.cloud)
        try cloud.addNodeGroup(group(desired: 0))
        let message = "We currently do not have sufficient m5.large capacity in the Availability Zone you requested (us-east-1a)."
        try cloud.setLaunchFailure(group: "general", message: message)
        try cloud.setDesiredCapacity(group: "general", to: 1)

        try sim.advance(clock, by: .seconds(120))

        #expect(sim.store.listValues(sim.nodesResource).isEmpty)
        #expect(cloud.instances(group: "general").isEmpty)
        #expect(cloud.nodeGroup("general")?.desiredCapacity == 1)
        let failed = cloud.activities(group: "general").filter { $0.status == .failed }
        #expect(!failed.isEmpty)
        #expect(failed.count <= 13)  // Retried every 10 s, not on every pass.
        #expect(failed.first?.statusMessage == message)

        try cloud.setLaunchFailure(group: "general", message: nil)
        try sim.advance(clock, by: .seconds(90))
        #expect(sim.store.listValues(sim.nodesResource).count == 1)
    }

    @Test func terminatingWithDecrementRemovesTheNodeAndItsPodsAndLowersDesired() throws {
        let clock = ManualClock()
        let sim = SimFixtures.simulation(clock: clock, startDelay: .zero)
        let cloud = try #require(sim.cloud)
        try cloud.addNodeGroup(group(desired: 2, min: 1), startBooted: true)
        try sim.settle()
        let victim = try #require(cloud.instances(group: "general").first)
        try sim.addPod(SimFixtures.pod("web", nodeName: victim.nodeName))
        try sim.settle()

        try cloud.terminateInstance(victim.id, decrementDesiredCapacity: true)
        try sim.advance(clock, by: .seconds(200))

        #expect(cloud.nodeGroup("general")?.desiredCapacity == 1)
        #expect(!cloud.instances(group: "general").contains { $0.id == victim.id })
        #expect(cloud.instances(group: "general").count == 1)
        #expect(sim.node(victim.nodeName) == nil)
        #expect(sim.pod("web") == nil)
        #expect(cloud.activities(group: "general").first?.description == "Terminating EC2 instance: \(victim.id)")

        let last = try #require(cloud.instances(group: "general").first)
        #expect(throws: CloudError.belowMinimum(group: "general", minSize: 1)) {
            try cloud.terminateInstance(last.id, decrementDesiredCapacity: true)
        }
        #expect(cloud.instances(group: "general").count == 1)
    }

    @Test func terminatingWithoutDecrementLaunchesAReplacement() throws {
        let clock = ManualClock()
        let sim = SimFixtures.simulation(clock: clock)
        let cloud = try #require(sim.cloud)
        try cloud.addNodeGroup(group(desired: 1, boot: .seconds(30)), startBooted: true)
        try sim.settle()
        let first = try #require(cloud.instances().first)
        try cloud.terminateInstance(first.id, decrementDesiredCapacity: false)
        try sim.advance(clock, by: .seconds(30))
        let nodes = sim.store.listValues(sim.nodesResource)
        #expect(nodes.count == 1)
        #expect(nodes.first?.name != first.nodeName)
    }

    @Test func desiredCapacityOutsideTheLimitsIsRefusedAndChangesNothing() throws {
        let sim = SimFixtures.simulation()
        let cloud = try #require(sim.cloud)
        try cloud.addNodeGroup(group(desired: 1, max: 3))
        #expect(throws: CloudError.desiredCapacityOutOfRange(group: "general", desired: 4, min: 0, max: 3)) {
            try cloud.setDesiredCapacity(group: "general", to: 4)
        }
        #expect(throws: CloudError.unknownGroup("nope")) { try cloud.setDesiredCapacity(group: "nope", to: 1) }
        #expect(throws: CloudError.unknownInstance("i-0123")) { try cloud.terminateInstance("i-0123", decrementDesiredCapacity: true) }
        #expect(cloud.nodeGroup("general")?.desiredCapacity == 1)
    }
}
