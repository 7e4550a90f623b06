import AWSTestSupport
import ClusterSim
import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import KubeModels
import Synchronization
import MendTestSupport
import Testing

@testable import AWSClient

/// `mend-autoscaler run`, the real program: ClusterSim over HTTP as the cluster, moto as AWS.
@Suite("mend-autoscaler run against ClusterSim and moto", .serialized, .timeLimit(.minutes(4)))
struct RunCommandProcessTests {
    @Test func runRaisesTheTaggedGroupForAnUnschedulablePodWritesStatusAnswersHealthAndStopsOnSIGTERM() async throws {
        let moto = try await MotoServer.shared()
        let server = try await ClusterSimServer.start()
        let kubeconfig = try server.writeKubeconfig()
        defer { try? FileManager.default.removeItem(at: kubeconfig) }
        let cluster = "run\(UUID().uuidString.prefix(6).lowercased())"
        let group = "\(cluster)-workers"
        var running: RunningProgram?
        do {
            let aws = try await awsClient(endpoint: moto.endpoint)
            try await aws.createLaunchTemplate(name: "\(cluster)-lt", instanceType: "m5.large")
            try await aws.createAutoScalingGroup(
                name: group, launchTemplate: "\(cluster)-lt", min: 0, max: 4,
                tags: ["k8s.io/cluster-autoscaler/enabled": "true", "k8s.io/cluster-autoscaler/\(cluster)": "owned"])
            // An untagged group the autoscaler must leave alone.
            try await aws.createAutoScalingGroup(
                name: "\(cluster)-other", launchTemplate: "\(cluster)-lt", min: 0, max: 4, tags: ["team": "other"])

            let process = try RunningProgram(
                try ProgramRun.builtProduct("mend-autoscaler"),
                [
                    "run", "--cluster-name", cluster, "--kubeconfig", kubeconfig.path, "--region", "us-east-1",
                    "--set", "aws.endpoint=\(moto.endpoint)", "--health-address", "127.0.0.1:0", "--log-format", "json",
                    "--log-level", "info",
                ],
                environment: motoCredentialsEnvironment)
            running = process
            let base = "http://127.0.0.1:\(try await process.statusPort())"
            try await process.waitFor("/healthz to answer 200") { await Self.status(of: base + "/healthz") == 200 }
            // Leader, synced, and a first pass done before the pod comes.
            try await process.waitFor("the status ConfigMap") { Self.statusText(server) != nil }
            #expect(try await Self.desired(aws, group) == 0)

            var pod = Pod(
                metadata: ObjectMeta(
                    name: "web", namespace: "default",
                    ownerReferences: [OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-1", uid: "u-web-1", controller: true)]),
                spec: PodSpec(containers: [Container(name: "app", image: "registry.example/app:1")]),
                status: PodStatus(
                    phase: .pending,
                    conditions: [
                        PodCondition(
                            type: "PodScheduled", status: .false, lastTransitionTime: KubeTime(Date()), reason: "Unschedulable")
                    ]))
            pod.spec.containers[0].resources = ResourceRequirements(requests: ["cpu": Quantity(1)])
            _ = try server.store.create(
                server.store.resource("pods")!, namespace: "default", object: try JSONValue(encoding: pod),
                options: WriteOptions(keepStatusOnCreate: true))

            try await process.waitFor("the tagged group's desired capacity to rise in moto", timeout: .seconds(60)) {
                (try? await Self.desired(aws, group)) == 1
            }
            #expect(try await Self.desired(aws, "\(cluster)-other") == 0, "the untagged group is not touched")
            try await process.waitFor("the scale-up in the status ConfigMap") {
                Self.statusText(server)?.contains("\(group): 0 -> 1 for 1 pod(s)") == true
            }
            let status = Self.statusText(server) ?? ""
            #expect(status.contains("Health: Healthy"), "\(status)")
            #expect(status.contains("UnschedulablePods: 1"), "\(status)")
            #expect(await Self.status(of: base + "/healthz") == 200)
            #expect(process.stderr.contains("scale-up"), "the decision is logged")
            let exit = try await process.terminate()
            #expect(exit == 0, "SIGTERM is a clean stop: \(process.stderr.suffix(2000))")
            #expect(process.stderr.contains("stopped"), "\(process.stderr.suffix(2000))")
        } catch {
            _ = try? await running?.terminate()
            try? await server.shutdown()
            throw error
        }
        try await server.shutdown()
    }

    static func desired(_ aws: AWS, _ group: String) async throws -> Int? {
        try await aws.autoScaling.describeAutoScalingGroups(DescribeAutoScalingGroupsInput(names: [group])).first?.desiredCapacity
    }

    static func statusText(_ server: ClusterSimServer) -> String? {
        let value = try? server.store.get(server.store.resource("configmaps")!, namespace: "kube-system", name: "mend-autoscaler-status")
        return value?[path: ["data", "status"]]?.stringValue
    }

    static func status(of url: String) async -> Int? {
        guard let url = URL(string: url) else { return nil }
        var request = URLRequest(url: url)
        request.timeoutInterval = 5
        guard let (_, response) = try? await URLSession.shared.data(for: request) else { return nil }
        return (response as? HTTPURLResponse)?.statusCode
    }
}
