import AWSTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization
import Testing
@testable import AWSClient

/// SigV4 and the least-privilege IAM policy against a moto that checks signatures and IAM
/// (`INITIAL_NO_AUTH_ACTION_COUNT=0`). Setup opens moto's unauthenticated window, creates a user
/// holding exactly `manifests/aws/iam-policy.json`, two groups and a template, then closes it.
@Suite("SigV4 and the IAM policy against moto with authentication", .serialized)
struct IAMPolicyTests {
    static let policyPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("manifests/aws/iam-policy.json").path

    struct Fixture: Sendable {
        var endpoint: String
        var accessKeyID: String
        var secretAccessKey: String
        var taggedGroup: String
        var templateID: String
        /// A user allowed only to assume ``roleARN``, which holds the autoscaler policy.
        var deployerKeyID: String
        var deployerSecret: String
        var roleARN: String
    }

    private static let fixture = Mutex<Task<Fixture, any Error>?>(nil)

    static func shared() async throws -> Fixture {
        let task = fixture.withLock { current -> Task<Fixture, any Error> in
            if let current { return current }
            let task = Task { try await setUp() }
            current = task
            return task
        }
        return try await task.value
    }

    /// A raw, unsigned Query call for setup while moto's unauthenticated window is open
    /// (the client has no IAM API; moto reads the service from the credential scope).
    static func rawCall(_ endpoint: String, service: String, _ fields: [(String, String)]) async throws -> XMLNode {
        var request = URLRequest(url: URL(string: endpoint)!)
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded; charset=utf-8", forHTTPHeaderField: "Content-Type")
        request.setValue("AWS4-HMAC-SHA256 Credential=AKIDSETUP/20260101/us-east-1/\(service)/aws4_request, SignedHeaders=host, Signature=0", forHTTPHeaderField: "Authorization")
        request.httpBody = Data(URIEncoding.formEncode(fields).utf8)
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200, let node = XMLNode.parse(Array(data)) else {
            throw MotoServer.MotoUnavailable(reason: "setup call \(fields.first?.1 ?? "") failed: HTTP \(status) \(String(decoding: data, as: UTF8.self))")
        }
        return node
    }

    static func setUp() async throws -> Fixture {
        let moto = try await MotoServer.withAuthentication()
        let policy = try String(contentsOfFile: policyPath, encoding: .utf8)
        try await moto.allowUnauthenticatedRequests(1_000_000)
        let iam = { (fields: [(String, String)]) in try await rawCall(moto.endpoint, service: "iam", fields + [("Version", "2010-05-08")]) }
        _ = try await iam([("Action", "CreateUser"), ("UserName", "mend-autoscaler")])
        let created = try await iam([("Action", "CreatePolicy"), ("PolicyName", "mend-autoscaler"), ("PolicyDocument", policy)])
        let policyARN = try #require(created.first("Arn")?.text)
        _ = try await iam([("Action", "AttachUserPolicy"), ("UserName", "mend-autoscaler"), ("PolicyArn", policyARN)])
        let key = try await iam([("Action", "CreateAccessKey"), ("UserName", "mend-autoscaler")])
        let accessKeyID = try #require(key.first("AccessKeyId")?.text)
        let secret = try #require(key.first("SecretAccessKey")?.text)

        // A role holding the same policy, assumable by a deployer user (temporary credentials path).
        let trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/deployer"},"Action":"sts:AssumeRole"}]}"#
        let role = try await iam([("Action", "CreateRole"), ("RoleName", "mend-autoscaler-role"), ("AssumeRolePolicyDocument", trust)])
        let roleARN = try #require(role.first("Arn")?.text)
        _ = try await iam([("Action", "AttachRolePolicy"), ("RoleName", "mend-autoscaler-role"), ("PolicyArn", policyARN)])
        _ = try await iam([("Action", "CreateUser"), ("UserName", "deployer")])
        let assumeOnly = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"#
        _ = try await iam([("Action", "PutUserPolicy"), ("UserName", "deployer"), ("PolicyName", "assume"), ("PolicyDocument", assumeOnly)])
        let deployerKey = try await iam([("Action", "CreateAccessKey"), ("UserName", "deployer")])

        let setup = try await awsClient(endpoint: moto.endpoint)
        let templateID = try await setup.createLaunchTemplate(name: "iam-lt", instanceType: "m5.large")
        try await setup.createAutoScalingGroup(name: "iam-tagged", launchTemplate: "iam-lt", min: 0, max: 5, desired: 2,
                                               tags: ["k8s.io/cluster-autoscaler/enabled": "true", "k8s.io/cluster-autoscaler/iam": "owned"])
        try await moto.allowUnauthenticatedRequests(0)
        return Fixture(
            endpoint: moto.endpoint, accessKeyID: accessKeyID, secretAccessKey: secret, taggedGroup: "iam-tagged", templateID: templateID,
            deployerKeyID: try #require(deployerKey.first("AccessKeyId")?.text),
            deployerSecret: try #require(deployerKey.first("SecretAccessKey")?.text), roleARN: roleARN
        )
    }

    static func isDenied(_ error: any Error) -> Bool {
        guard case AWSClientError.service(let serviceError) = error else { return false }
        return ["AccessDenied", "UnauthorizedOperation"].contains(serviceError.code) && serviceError.statusCode == 403
    }

    @Test func aWrongSecretIsRejectedWithSignatureDoesNotMatch() async throws {
        let fixture = try await Self.shared()
        let aws = try await awsClient(endpoint: fixture.endpoint, accessKey: fixture.accessKeyID, secret: fixture.secretAccessKey + "x")
        await #expect {
            _ = try await aws.autoScaling.describeAutoScalingGroups(.init())
        } throws: { error in
            guard case AWSClientError.service(let serviceError) = error else { return false }
            return serviceError.code == "SignatureDoesNotMatch" && !"\(error)".contains(fixture.secretAccessKey)
        }
    }

    @Test func anUnknownAccessKeyIsRejected() async throws {
        let fixture = try await Self.shared()
        let aws = try await awsClient(endpoint: fixture.endpoint, accessKey: "AKIAUNKNOWNKEY000001", secret: "whatever")
        await #expect {
            _ = try await aws.ec2.describeInstanceTypes(["m5.large"])
        } throws: { error in
            guard case AWSClientError.service(let serviceError) = error else { return false }
            return ["InvalidClientTokenId", "AuthFailure"].contains(serviceError.code)
        }
    }

    @Test func thePolicyAllowsEveryCallTheAutoscalerMakes() async throws {
        let fixture = try await Self.shared()
        let aws = try await awsClient(endpoint: fixture.endpoint, accessKey: fixture.accessKeyID, secret: fixture.secretAccessKey)
        let identity = try await aws.sts.getCallerIdentity()
        #expect(identity.arn.hasSuffix(":user/mend-autoscaler"))

        let groups = try await aws.autoScaling.describeAutoScalingGroups(.init(filters: [.tagKey("k8s.io/cluster-autoscaler/iam")]))
        let group = try #require(groups.first { $0.name == fixture.taggedGroup })
        _ = try await aws.autoScaling.describeAutoScalingInstances(instanceIDs: group.instances.map(\.instanceID))
        _ = try await aws.autoScaling.describeScalingActivities(groupName: group.name, limit: 5)
        _ = try await aws.autoScaling.describeLaunchConfigurations(names: [])
        let types = try await aws.ec2.describeInstanceTypes(["m5.large"])
        #expect(types.first?.vCPUs == 2)
        _ = try await aws.ec2.describeLaunchTemplateVersions(LaunchTemplateReference(id: fixture.templateID), versions: ["$Default"])
        _ = try await aws.ec2.describeInstances(instanceIDs: group.instances.map(\.instanceID), filters: [])

        try await aws.autoScaling.setDesiredCapacity(groupName: group.name, desiredCapacity: 3, honorCooldown: false)
        let grown = try #require(try await aws.autoScaling.describeAutoScalingGroups(.init(names: [group.name])).first)
        #expect(grown.desiredCapacity == 3)
        let victim = try #require(grown.instances.first?.instanceID)
        _ = try await aws.autoScaling.terminateInstanceInAutoScalingGroup(instanceID: victim, shouldDecrementDesiredCapacity: true)
        let shrunk = try #require(try await aws.autoScaling.describeAutoScalingGroups(.init(names: [group.name])).first)
        #expect(shrunk.desiredCapacity == 2)
    }

    @Test func thePolicyDeniesChangingGroupsOrInstancesAnyOtherWay() async throws {
        let fixture = try await Self.shared()
        let aws = try await awsClient(endpoint: fixture.endpoint, accessKey: fixture.accessKeyID, secret: fixture.secretAccessKey)
        var update = QueryParameters()
        update.set("AutoScalingGroupName", fixture.taggedGroup)
        update.set("MaxSize", 100)
        await #expect(performing: { _ = try await aws.autoScaling.engine.send("UpdateAutoScalingGroup", update) }, throws: Self.isDenied)
        var delete = QueryParameters()
        delete.set("AutoScalingGroupName", fixture.taggedGroup)
        delete.set("ForceDelete", true)
        await #expect(performing: { _ = try await aws.autoScaling.engine.send("DeleteAutoScalingGroup", delete) }, throws: Self.isDenied)
        await #expect(performing: {
            try await aws.createAutoScalingGroup(name: "sneaky", launchTemplate: "iam-lt", min: 0, max: 1, desired: 0, tags: [:])
        }, throws: Self.isDenied)
        var terminate = QueryParameters()
        terminate.ec2List("InstanceId", ["i-0123456789abcdef0"])
        await #expect(performing: { _ = try await aws.ec2.engine.send("TerminateInstances", terminate) }, throws: Self.isDenied)
        await #expect(performing: { _ = try await aws.createLaunchTemplate(name: "sneaky-lt", instanceType: "m5.large") }, throws: Self.isDenied)
        // Nothing changed.
        let admin = try await awsClient(endpoint: fixture.endpoint, accessKey: fixture.accessKeyID, secret: fixture.secretAccessKey)
        let group = try #require(try await admin.autoScaling.describeAutoScalingGroups(.init(names: [fixture.taggedGroup])).first)
        #expect(group.maxSize == 5)
    }

    @Test func assumedRoleCredentialsSignWithTheirSessionTokenAndCarryTheRolePolicy() async throws {
        let fixture = try await Self.shared()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = try directory.write("config", """
            [profile deployer]
            aws_access_key_id = \(fixture.deployerKeyID)
            aws_secret_access_key = \(fixture.deployerSecret)
            [profile autoscaler]
            role_arn = \(fixture.roleARN)
            source_profile = deployer
            """)
        let aws = try await AWS.connect(isolatedConfiguration([
            "AWS_CONFIG_FILE": config, "AWS_PROFILE": "autoscaler", "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": fixture.endpoint,
        ]))
        let credentials = try await aws.credentials.credentials()
        #expect(credentials.sessionToken != nil)
        // moto verifies this signature (X-Amz-Security-Token included) and the role's policy.
        let groups = try await aws.autoScaling.describeAutoScalingGroups(.init(names: [fixture.taggedGroup]))
        #expect(groups.map(\.name) == [fixture.taggedGroup])
        await #expect(performing: {
            try await aws.createAutoScalingGroup(name: "sneaky-role", launchTemplate: "iam-lt", min: 0, max: 1, desired: 0, tags: [:])
        }, throws: Self.isDenied)
        // The deployer itself may only assume the role.
        let deployer = try await awsClient(endpoint: fixture.endpoint, accessKey: fixture.deployerKeyID, secret: fixture.deployerSecret)
        await #expect(performing: { _ = try await deployer.autoScaling.describeAutoScalingGroups(.init()) }, throws: Self.isDenied)
    }

    /// moto ignores identity-policy conditions, so the tag condition is proven by the policy's shape.
    @Test func thePolicyGrantsExactlyTheAutoscalerActionsAndConditionsWritesOnTheTag() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.policyPath))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let statements = try #require(document["Statement"] as? [[String: Any]])
        var unconditioned: Set<String> = []
        var conditioned: Set<String> = []
        for statement in statements {
            #expect(statement["Effect"] as? String == "Allow")
            #expect(statement["Resource"] as? String == "*")
            let actions = Set(try #require(statement["Action"] as? [String]))
            if let condition = statement["Condition"] as? [String: [String: String]] {
                #expect(condition["StringEquals"]?["aws:ResourceTag/k8s.io/cluster-autoscaler/enabled"] == "true")
                conditioned.formUnion(actions)
            } else {
                unconditioned.formUnion(actions)
            }
        }
        #expect(conditioned == ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"])
        #expect(unconditioned == [
            "autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances",
            "autoscaling:DescribeLaunchConfigurations", "autoscaling:DescribeScalingActivities",
            "ec2:DescribeInstanceTypes", "ec2:DescribeInstances", "ec2:DescribeLaunchTemplateVersions",
        ])
        #expect(unconditioned.allSatisfy { $0.contains(":Describe") })
    }
}
