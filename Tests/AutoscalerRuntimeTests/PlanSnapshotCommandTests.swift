import AWSTestSupport
import ClusterSim
import Foundation
import KubeModels
import Testing

@testable import AWSClient

/// `mend-autoscaler plan --snapshot/--groups` run as an SRE runs it offline: the built binary,
/// files on disk, no cluster and no AWS.
@Suite("mend-autoscaler plan from a snapshot", .timeLimit(.minutes(3)))
struct PlanSnapshotCommandTests {
    static let examples = AutoscalerConfigTests.repoRoot.appendingPathComponent("examples/autoscaler")
    /// No credentials, no region endpoint: any AWS call would fail.
    static let offline = ["AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"]

    @Test func planFromTheExampleSnapshotAndGroupsPrintsScaleUpAndScaleDownWithReasons() async throws {
        let result = try await CommandTests.run(
            [
                "plan", "--cluster-name", "shop", "--kubeconfig", "/nonexistent/kubeconfig",
                "--snapshot", Self.examples.appendingPathComponent("snapshot.yaml").path,
                "--groups", Self.examples.appendingPathComponent("groups.yaml").path,
            ],
            environment: Self.offline)
        let out = result.output
        #expect(result.status == 0, "\(out)")
        // Scale-up: the two 3-CPU pods fit only the 8-CPU group, one node for both.
        #expect(out.contains("large: desired 0 -> 1 (+1 node(s)) for 2 pod(s)"), "\(out)")
        #expect(out.contains("    jobs/batch-0\n    jobs/batch-1"), "\(out)")
        #expect(!out.contains("general: desired"), "no 2-CPU node can take a 3-CPU pod: \(out)")
        // A pod no group can help, with each group's reason.
        #expect(out.contains("Pods no group can help:\n  search/indexer-0:"), "\(out)")
        // Scale-down: the drained node goes at once; the others stay, each with its reason.
        #expect(out.contains("remove node-2 (general/i-0000000000000002b): drained by mend-drainer"), "\(out)")
        #expect(out.contains("node-1: utilization 90 % is not below the threshold 50 %"), "\(out)")
        #expect(out.contains("node-3: unneeded since"), "\(out)")
        // Pending since the PodScheduled=False transition, not since creation (09:00).
        #expect(out.contains("Unschedulable pods: 3 (the oldest unschedulable since 2026-01-12T09:40:00Z"), "\(out)")
        #expect(out.contains("node groups from"), "\(out)")
        #expect(out.contains("3 node(s), 5 pod(s), 1 PodDisruptionBudget(s)"), "\(out)")
    }

    @Test func planHelpDocumentsTheSnapshotAndTheGroupsFile() async throws {
        let result = try await CommandTests.run(["plan", "--help"])
        #expect(result.status == 0)
        for text in ["--snapshot <file>", "--groups <file>", "kubectl get nodes,pods,pdb -A -o yaml", "nodeGroups:", "instanceTypes:", "nodeLabels:"] {
            #expect(result.output.contains(text), "\(text) missing from: \(result.output)")
        }
    }

    @Test func planReadsAJSONListAndMapsNodesToGroupsByInstanceID() async throws {
        let snapshot = try Self.file(
            """
            {"apiVersion": "v1", "kind": "List", "items": [
              {"apiVersion": "v1", "kind": "Node",
               "metadata": {"name": "ip-10-0-0-1", "creationTimestamp": "2026-01-10T08:00:00Z"},
               "spec": {"providerID": "aws:///eu-west-1a/i-0aaaaaaaaaaaaaaa1"},
               "status": {"allocatable": {"cpu": "4", "memory": "15Gi", "pods": "58"},
                          "conditions": [{"type": "Ready", "status": "True"}]}},
              {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": "web-1", "namespace": "default", "creationTimestamp": "2026-01-12T09:00:00Z",
                            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": "u1", "controller": true}]},
               "spec": {"nodeName": "ip-10-0-0-1",
                        "containers": [{"name": "app", "image": "app:1", "resources": {"requests": {"cpu": "3500m"}}}]},
               "status": {"phase": "Running"}},
              {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": "web-2", "namespace": "default", "creationTimestamp": "2026-01-12T09:00:00Z",
                            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": "u1", "controller": true}]},
               "spec": {"containers": [{"name": "app", "image": "app:1", "resources": {"requests": {"cpu": "3500m"}}}]},
               "status": {"phase": "Pending", "conditions": [
                 {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "lastTransitionTime": "2026-01-12T09:00:02Z"}]}},
              {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"}}
            ]}
            """, ext: "json")
        let groups = try Self.file(
            """
            nodeGroups:
              - {name: web-eu, min: 1, max: 3, instances: [i-0aaaaaaaaaaaaaaa1]}
            """)
        defer { for path in [snapshot, groups] { try? FileManager.default.removeItem(atPath: path) } }
        let result = try await CommandTests.run(
            ["plan", "--cluster-name", "eu", "--snapshot", snapshot, "--groups", groups], environment: Self.offline)
        #expect(result.status == 0, "\(result.output)")
        // desired defaults to the members found (1); the live node is the template.
        #expect(result.output.contains("web-eu: min=1 max=3 desired=1 registered=1 ready=1"), "\(result.output)")
        #expect(result.output.contains("web-eu: desired 1 -> 2 (+1 node(s)) for 1 pod(s)"), "\(result.output)")
        #expect(result.output.contains("left out: 1 Service"), "\(result.output)")
    }

    @Test func aMalformedSnapshotIsRefusedNamingTheFileAndField() async throws {
        let snapshot = try Self.file(
            """
            apiVersion: v1
            kind: List
            items:
            - {apiVersion: v1, kind: Node, metadata: {name: n1}}
            - apiVersion: v1
              kind: Pod
              metadata: {name: p1, namespace: default}
              spec:
                containers:
                - name: app
                  resources: {requests: {cpu: lots}}
            """)
        defer { try? FileManager.default.removeItem(atPath: snapshot) }
        let result = try await CommandTests.run(
            ["plan", "--cluster-name", "x", "--snapshot", snapshot, "--groups", "/nonexistent/groups.yaml"],
            environment: Self.offline)
        #expect(result.status != 0)
        #expect(result.output.contains(snapshot), "\(result.output)")
        #expect(result.output.contains("items[1].spec.containers[0].resources.requests.cpu"), "\(result.output)")
        #expect(!result.output.contains("Plan at"), "\(result.output)")
        #expect(!result.output.contains("/nonexistent/groups.yaml"), "the snapshot is checked first")
    }

    @Test func aSnapshotItemWithoutAKindIsRefused() async throws {
        let snapshot = try Self.file("apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, metadata: {name: n1}}\n")
        defer { try? FileManager.default.removeItem(atPath: snapshot) }
        let result = try await CommandTests.run(["plan", "--cluster-name", "x", "--snapshot", snapshot], environment: Self.offline)
        #expect(result.status != 0)
        #expect(result.output.contains("\(snapshot): items[0].kind is missing"), "\(result.output)")
    }

    /// A bad groups file against a live cluster: refused with the field named, nothing written.
    @Test func aBadGroupsFileIsRefusedNamingTheFieldAndNothingIsWritten() async throws {
        let server = try await ClusterSimServer.start()
        do {
            let kubeconfig = try CommandTests.kubeconfig(for: server)
            let groups = try Self.file(
                """
                nodeGroups:
                  - name: workers
                    max: 3
                  - name: spot
                    maxSize: 4
                """)
            defer { for path in [kubeconfig, groups] { try? FileManager.default.removeItem(atPath: path) } }
            server.audit.clear()
            let result = try await CommandTests.run(
                ["plan", "--cluster-name", "x", "--kubeconfig", kubeconfig, "--groups", groups], environment: Self.offline)
            #expect(result.status != 0)
            #expect(result.output.contains("\(groups): nodeGroups[1].maxSize: unknown field"), "\(result.output)")
            #expect(!result.output.contains("Plan at"), "\(result.output)")
            #expect(server.audit.writes.isEmpty, "plan wrote to the cluster: \(server.audit.writes)")
        } catch {
            try? await server.shutdown()
            throw error
        }
        try await server.shutdown()
    }

    static func file(_ text: String, ext: String = "yaml") throws -> String {
        let path = NSTemporaryDirectory() + "mend-autoscaler-plan-\(UUID().uuidString).\(ext)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

/// `plan --snapshot` without `--groups`: the node groups come from AWS (moto), read only.
@Suite("mend-autoscaler plan from a snapshot with groups from AWS", .timeLimit(.minutes(3)))
struct PlanSnapshotAWSCommandTests {
    @Test func planFromASnapshotReadsTheTaggedGroupsFromAWSAndChangesNothing() async throws {
        let moto = try await MotoServer.shared()
        let cluster = "snap\(UUID().uuidString.prefix(6).lowercased())"
        let aws = try await awsClient(endpoint: moto.endpoint)
        try await aws.createLaunchTemplate(name: "\(cluster)-lt", instanceType: "m5.large")
        try await aws.createAutoScalingGroup(
            name: "\(cluster)-workers", launchTemplate: "\(cluster)-lt", min: 0, max: 5,
            tags: ["k8s.io/cluster-autoscaler/enabled": "true", "k8s.io/cluster-autoscaler/\(cluster)": "owned"])
        let snapshot = try PlanSnapshotCommandTests.file(
            """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Pod
              metadata: {name: web, namespace: default, creationTimestamp: "2026-01-12T09:00:00Z"}
              spec:
                containers: [{name: app, image: app:1, resources: {requests: {cpu: "1"}}}]
              status:
                phase: Pending
                conditions: [{type: PodScheduled, status: "False", reason: Unschedulable, lastTransitionTime: "2026-01-12T09:00:01Z"}]
            """)
        defer { try? FileManager.default.removeItem(atPath: snapshot) }
        let result = try await CommandTests.run(
            [
                "plan", "--cluster-name", cluster, "--region", "us-east-1", "--set", "aws.endpoint=\(moto.endpoint)",
                "--snapshot", snapshot, "--kubeconfig", "/nonexistent/kubeconfig",
            ],
            environment: motoCredentialsEnvironment)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("\(cluster)-workers: desired 0 -> 1 (+1 node(s)) for 1 pod(s)"), "\(result.output)")
        #expect(result.output.contains("default/web"), "\(result.output)")
        let groups = try await aws.autoScaling.describeAutoScalingGroups(DescribeAutoScalingGroupsInput(names: ["\(cluster)-workers"]))
        #expect(groups.first?.desiredCapacity == 0, "plan changed the group")
    }
}
