import AWSTestSupport
import ClusterSim
import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import KubeModels
import Synchronization
import Testing

@testable import AWSClient

/// `mend-autoscaler plan` as a user runs it from a laptop: the built binary, a kubeconfig for
/// the cluster (ClusterSim over HTTP), AWS (moto) through the standard environment.
@Suite("mend-autoscaler plan against ClusterSim and moto", .timeLimit(.minutes(3)))
struct PlanCommandTests {
    @Test func planPrintsTheScaleUpItWouldMakeAndWritesNothing() async throws {
        let moto = try await MotoServer.shared()
        let server = try await ClusterSimServer.start()
        do {
            let cluster = "plan\(UUID().uuidString.prefix(6).lowercased())"
            let aws = try await awsClient(endpoint: moto.endpoint)
            try await aws.createLaunchTemplate(name: "\(cluster)-lt", instanceType: "m5.large")
            try await aws.createAutoScalingGroup(
                name: "\(cluster)-workers", launchTemplate: "\(cluster)-lt", min: 0, max: 5,
                tags: ["k8s.io/cluster-autoscaler/enabled": "true", "k8s.io/cluster-autoscaler/\(cluster)": "owned"])

            var pod = Pod(
                metadata: ObjectMeta(name: "web", namespace: "default"),
                spec: PodSpec(containers: [Container(name: "app", image: "registry.example/app:1")]),
                status: PodStatus(
                    phase: .pending,
                    conditions: [PodCondition(type: "PodScheduled", status: .false, reason: "Unschedulable")]))
            pod.spec.containers[0].resources = ResourceRequirements(requests: ["cpu": Quantity(1)])
            _ = try server.store.create(
                server.store.resource("pods")!, namespace: "default", object: try JSONValue(encoding: pod),
                options: WriteOptions(keepStatusOnCreate: true))
            server.audit.clear()

            let kubeconfig = try CommandTests.kubeconfig(for: server)
            defer { try? FileManager.default.removeItem(atPath: kubeconfig) }
            let result = try await CommandTests.run(
                [
                    "plan", "--cluster-name", cluster, "--kubeconfig", kubeconfig, "--region", "us-east-1",
                    "--set", "aws.endpoint=\(moto.endpoint)",
                ],
                environment: motoCredentialsEnvironment)
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains("\(cluster)-workers: desired 0 -> 1 (+1 node(s)) for 1 pod(s)"), "\(result.output)")
            #expect(result.output.contains("default/web"), "\(result.output)")
            #expect(server.audit.writes.isEmpty, "plan wrote to the cluster: \(server.audit.writes)")
            let groups = try await aws.autoScaling.describeAutoScalingGroups(
                DescribeAutoScalingGroupsInput(names: ["\(cluster)-workers"]))
            #expect(groups.first?.desiredCapacity == 0, "plan changed the group")
        } catch {
            try? await server.shutdown()
            throw error
        }
        try await server.shutdown()
    }
}
