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
        let moto = try await Moto.start()
        defer { moto.stop() }
        let server = try await ClusterSimServer.start()
        do {
            let cluster = "plan\(UUID().uuidString.prefix(6).lowercased())"
            let aws = try await Self.aws(endpoint: moto.endpoint)
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
                environment: [
                    "AWS_ACCESS_KEY_ID": "AKIAMENDTEST00000001", "AWS_SECRET_ACCESS_KEY": "mend-test-secret",
                    "AWS_EC2_METADATA_DISABLED": "true",
                ])
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

    static func aws(endpoint: String) async throws -> AWS {
        var configuration = AWSConfiguration()
        configuration.environment = AWSEnvironment(
            variables: [
                "AWS_ACCESS_KEY_ID": "AKIAMENDTEST00000001", "AWS_SECRET_ACCESS_KEY": "mend-test-secret",
                "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint, "AWS_EC2_METADATA_DISABLED": "true",
            ], homeDirectory: "/nonexistent-mend-home")
        return try await AWS.connect(configuration)
    }
}

/// A moto_server on a free 127.0.0.1 port for one test, stopped afterwards.
final class Moto: Sendable {
    let endpoint: String
    private let process: Process

    private init(endpoint: String, process: Process) {
        self.endpoint = endpoint
        self.process = process
    }

    struct Unavailable: Error, CustomStringConvertible { let description: String }

    static func start() async throws -> Moto {
        let path =
            ProcessInfo.processInfo.environment["MEND_MOTO_SERVER"]
            ?? (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/moto_server" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else { throw Unavailable(description: "moto_server not found (set MEND_MOTO_SERVER)") }
        let port = Int.random(in: 20_000...40_000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("AWS_") { environment.removeValue(forKey: key) }
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let moto = Moto(endpoint: "http://127.0.0.1:\(port)", process: process)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw Unavailable(description: "moto_server exited (\(process.terminationStatus))") }
            if let url = URL(string: "\(moto.endpoint)/moto-api/data.json"),
                let (_, response) = try? await URLSession.shared.data(from: url),
                (response as? HTTPURLResponse)?.statusCode == 200
            {
                return moto
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        moto.stop()
        throw Unavailable(description: "moto_server did not answer on port \(port) within 30 s")
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

extension AWS {
    /// moto set-up through the client's own signed Query path.
    func createLaunchTemplate(name: String, instanceType: String) async throws {
        var parameters = QueryParameters()
        parameters.set("LaunchTemplateName", name)
        parameters.set("LaunchTemplateData.InstanceType", instanceType)
        parameters.set("LaunchTemplateData.ImageId", "ami-12c6146b")
        _ = try await ec2.engine.send("CreateLaunchTemplate", parameters)
    }

    func createAutoScalingGroup(name: String, launchTemplate: String, min: Int, max: Int, tags: [String: String]) async throws {
        var parameters = QueryParameters()
        parameters.set("AutoScalingGroupName", name)
        parameters.set("LaunchTemplate.LaunchTemplateName", launchTemplate)
        parameters.set("LaunchTemplate.Version", "$Default")
        parameters.set("MinSize", min)
        parameters.set("MaxSize", max)
        parameters.set("DesiredCapacity", 0)
        parameters.memberList("AvailabilityZones", ["us-east-1a"])
        for (index, (key, value)) in tags.sorted(by: { $0.key < $1.key }).enumerated() {
            parameters.set("Tags.member.\(index + 1).Key", key)
            parameters.set("Tags.member.\(index + 1).Value", value)
            parameters.set("Tags.member.\(index + 1).PropagateAtLaunch", true)
        }
        _ = try await autoScaling.engine.send("CreateAutoScalingGroup", parameters)
    }
}
