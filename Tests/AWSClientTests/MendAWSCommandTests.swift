import AWSTestSupport
import Foundation
import MendTestSupport
import Testing

/// `mend aws whoami` and `mend aws groups`, run as a user runs them: the built `mend` binary,
/// credentials from the environment, every call sent to moto.
@Suite("mend aws commands against moto", .timeLimit(.minutes(2)))
struct MendAWSCommandTests {
    /// Runs the built `mend` with `arguments` and a clean environment; bounded by a 60 s deadline.
    static func mend(_ arguments: [String], environment: [String: String]) async throws -> ProgramResult {
        try await ProgramRun.run(
            try ProgramRun.builtProduct("mend"), arguments,
            environment: environment.merging(["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]) { a, _ in a })
    }

    static func environment(secret: String = "mend-test-secret") -> [String: String] {
        ["AWS_ACCESS_KEY_ID": "AKIAMENDTEST00000001", "AWS_SECRET_ACCESS_KEY": secret, "AWS_REGION": "us-east-1",
         "AWS_EC2_METADATA_DISABLED": "true"]
    }

    @Test func whoamiNamesTheCredentialSourceAndIdentityButNeverTheSecret() async throws {
        let moto = try await MotoServer.shared()
        let result = try await Self.mend(["aws", "whoami", "--endpoint-url", moto.endpoint], environment: Self.environment())
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("environment variables"))
        #expect(result.output.contains("123456789012"))
        #expect(!result.output.contains("mend-test-secret"))
        #expect(!result.output.contains("AKIAMENDTEST00000001"), "the access key id is masked")
    }

    @Test func groupsListsOnlyTheClustersTaggedGroupsWithTheirSizes() async throws {
        let moto = try await MotoServer.shared()
        let aws = try await awsClient(endpoint: moto.endpoint)
        let cluster = "cli\(UUID().uuidString.prefix(8).lowercased())"
        _ = try await aws.createLaunchTemplate(name: "\(cluster)-lt", instanceType: "m5.large")
        let tags = ["k8s.io/cluster-autoscaler/enabled": "true", "k8s.io/cluster-autoscaler/\(cluster)": "owned"]
        try await aws.createAutoScalingGroup(name: "\(cluster)-workers", launchTemplate: "\(cluster)-lt",
                                             min: 1, max: 7, desired: 2, tags: tags)
        try await aws.createAutoScalingGroup(name: "\(cluster)-untagged", launchTemplate: "\(cluster)-lt",
                                             min: 0, max: 3, desired: 0, tags: [:])

        let result = try await Self.mend(["aws", "groups", "--cluster", cluster, "--endpoint-url", moto.endpoint],
                                         environment: Self.environment())
        #expect(result.status == 0, "\(result.output)")
        let row = try #require(result.output.split(separator: "\n").first { $0.hasPrefix("\(cluster)-workers") })
        #expect(row.split(separator: " ", omittingEmptySubsequences: true).prefix(5).map(String.init)
                == ["\(cluster)-workers", "1", "2", "7", "2"])
        #expect(result.output.contains("m5.large"))
        #expect(!result.output.contains("\(cluster)-untagged"))
    }

    @Test func unreachableEndpointFailsWithAnErrorNamingIt() async throws {
        let result = try await Self.mend(["aws", "groups", "--endpoint-url", "http://127.0.0.1:1"], environment: Self.environment())
        #expect(result.status != 0)
        #expect(result.output.contains("http://127.0.0.1:1"))
        #expect(result.output.contains("DescribeAutoScalingGroups"))
    }
}
