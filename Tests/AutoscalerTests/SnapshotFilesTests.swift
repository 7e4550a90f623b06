import Foundation
import KubeModels
import Testing

@testable import Autoscaler

/// The files an offline `mend-autoscaler plan` reads: the cluster snapshot and the node groups.
@Suite("Plan input files")
struct SnapshotFilesTests {
    static let nodes = """
        apiVersion: v1
        kind: List
        items:
        - {apiVersion: v1, kind: Node, metadata: {name: a1, labels: {pool: a}}, spec: {providerID: "aws:///us-east-1a/i-0a1"}}
        - {apiVersion: v1, kind: Node, metadata: {name: a2, labels: {pool: a}}, spec: {providerID: "aws:///us-east-1b/i-0a2"}}
        - {apiVersion: v1, kind: Node, metadata: {name: bare}}
        """

    func groups(_ text: String) throws(SnapshotFileError) -> [NodeGroup] {
        let cluster = try! SnapshotClusterSource(text: Self.nodes, file: "snap.yaml")
        return try NodeGroupsFile(text: text, file: "groups.yaml", nodes: cluster.nodeList).groups
    }

    func error(_ text: String) -> String {
        do {
            _ = try groups(text)
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test func groupsMapNodesByLabelsNamesAndInstanceIDsWithZones() throws {
        let groups = try groups(
            """
            nodeGroups:
              - {name: a, max: 5, nodeLabels: {pool: a}}
              - name: b
                min: 1
                max: 4
                desired: 2
                instances: [i-0b1]
                instanceTypes: [{name: c5.xlarge, cpu: 4, memory: 8Gi, maxPods: 58}]
                taints: [{key: dedicated, value: b, effect: NoSchedule}]
                labels: {pool: b}
                resources: {ephemeral-storage: 100Gi}
            """)
        #expect(groups.map(\.id) == ["a", "b"])
        #expect(groups[0].instances == [GroupInstance(id: "i-0a1", zone: "us-east-1a"), GroupInstance(id: "i-0a2", zone: "us-east-1b")])
        #expect(groups[0].desiredCapacity == 2 && groups[0].minSize == 0 && groups[0].templateSource.zones == ["us-east-1a", "us-east-1b"])
        let b = groups[1]
        #expect(b.templateSource.instanceTypes == [InstanceShape(name: "c5.xlarge", vCPUs: 4, memoryMiB: 8192, maxPods: 58)])
        #expect(b.templateSource.tags.taints == [Taint(key: "dedicated", value: "b", effect: .noSchedule)])
        #expect(b.templateSource.tags.labels == ["pool": "b"])
        #expect(b.templateSource.tags.resources["ephemeral-storage"] == (try Quantity(parsing: "100Gi")))
    }

    @Test(arguments: [
        ("nodeGroups: []", "groups.yaml: nodeGroups: expected a non-empty list"),
        ("groups: []", "groups.yaml: groups: unknown field"),
        ("nodeGroups:\n  - {name: a}", "groups.yaml: nodeGroups[0].max is missing"),
        ("nodeGroups:\n  - {name: a, max: many}", "groups.yaml: nodeGroups[0].max: expected a value of type Int"),
        ("nodeGroups:\n  - {name: a, min: 3, max: 2}", "groups.yaml: nodeGroups[0].max: 2 is below min 3"),
        ("nodeGroups:\n  - {name: a, max: 2, desired: 5}", "groups.yaml: nodeGroups[0].desired: 5 is outside min 0 and max 2"),
        ("nodeGroups:\n  - {name: a, max: 2, nodes: [ghost]}", "groups.yaml: nodeGroups[0].nodes[0]: node \"ghost\" is not in the snapshot"),
        ("nodeGroups:\n  - {name: a, max: 2, nodes: [bare]}", "groups.yaml: nodeGroups[0].nodes[0]: node \"bare\" has no AWS spec.providerID"),
        ("nodeGroups:\n  - {name: a, max: 2, instances: [vm-1]}", "groups.yaml: nodeGroups[0].instances[0]: \"vm-1\" is not an EC2 instance id"),
        (
            "nodeGroups:\n  - {name: a, max: 2, nodes: [a1]}\n  - {name: b, max: 2, instances: [i-0a1]}",
            "groups.yaml: nodeGroups[1].instances[0]: instance i-0a1 already belongs to group \"a\""
        ),
        ("nodeGroups:\n  - {name: a, max: 2}\n  - {name: a, max: 3}", "groups.yaml: nodeGroups[1].name: group \"a\" is listed twice"),
        (
            "nodeGroups:\n  - {name: a, max: 2, instanceTypes: [{name: t, cpu: 2, memory: lots}]}",
            "groups.yaml: nodeGroups[0].instanceTypes[0].memory"
        ),
        (
            "nodeGroups:\n  - {name: a, max: 2, instanceTypes: [{name: t, cpu: 2, memory: 4Gi, pods: 3}]}",
            "groups.yaml: nodeGroups[0].instanceTypes[0].pods: unknown field"
        ),
        (
            "nodeGroups:\n  - {name: a, max: 2, taints: [{key: k, effect: Sometimes}]}",
            "groups.yaml: nodeGroups[0].taints[0].effect: \"Sometimes\" is not NoSchedule"
        ),
        ("nodeGroups: [", "groups.yaml: not valid YAML or JSON"),
    ])
    func aBadGroupsFileNamesTheFileAndField(text: String, expected: String) {
        let message = error(text)
        #expect(message.hasPrefix(expected), "\(message)")
    }

    @Test func theSnapshotKeepsNodesPodsBudgetsAndConfigMapsAndCountsTheRest() async throws {
        let cluster = try SnapshotClusterSource(
            text: """
                apiVersion: v1
                kind: Node
                metadata: {name: n1}
                ---
                apiVersion: v1
                kind: PodList
                items:
                - {apiVersion: v1, kind: Pod, metadata: {name: p1, namespace: default}, spec: {containers: [{name: c}]}}
                - {apiVersion: v1, kind: ConfigMap, metadata: {name: prio, namespace: kube-system}, data: {priorities: "10: [\\".*\\"]"}}
                - {apiVersion: apps/v1, kind: Deployment, metadata: {name: d, namespace: default}}
                - {apiVersion: policy/v1, kind: PodDisruptionBudget, metadata: {name: b, namespace: default}, spec: {}}
                """, file: "s.yaml")
        #expect(try await cluster.nodes().count == 1)
        #expect(try await cluster.pods().map(\.key) == ["default/p1"])
        #expect(try await cluster.podDisruptionBudgets().count == 1)
        #expect(try await cluster.configMap(name: "prio", namespace: "kube-system")?.data?["priorities"] != nil)
        #expect(cluster.ignored == ["Deployment": 1])
    }

    @Test(arguments: [
        ("- 1", "s.yaml: (top level): expected a v1 List"),
        ("kind: List", "s.yaml: items is missing"),
        ("kind: List\nitems:\n- {kind: Pod, metadata: {namespace: x}}", "s.yaml: items[0].metadata.name is missing"),
        (
            "kind: List\nitems:\n- {kind: Node, metadata: {name: n}, spec: {providerID: \"aws:///zone/vm-1\"}}",
            "s.yaml: items[0].spec.providerID: \"aws:///zone/vm-1\" is not aws:///<zone>/<instance-id>"
        ),
        (
            "kind: List\nitems:\n- {kind: Pod, metadata: {name: p}, spec: {priority: high}}",
            "s.yaml: items[0].spec.priority: expected a value of type Int32"
        ),
    ])
    func aBadSnapshotNamesTheFileAndField(text: String, expected: String) {
        do {
            _ = try SnapshotClusterSource(text: text, file: "s.yaml")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.hasPrefix(expected), "\(error.description)")
        }
    }

    @Test func aSnapshotFileThatCannotBeReadIsNamed() {
        do {
            _ = try SnapshotClusterSource(path: "/nonexistent/s.yaml")
            Issue.record("a missing file was accepted")
        } catch {
            #expect(error.description.hasPrefix("/nonexistent/s.yaml: cannot read the file"), "\(error.description)")
        }
    }

    @Test func readOnlyGroupsRefuseEveryWrite() async throws {
        let provider = StaticNodeGroupProvider(groups: [NodeGroup(id: "a", minSize: 0, maxSize: 3, desiredCapacity: 1)])
        await #expect(throws: StaticNodeGroupProvider.ReadOnly.self) { try await provider.setDesiredCapacity(group: "a", to: 2) }
        await #expect(throws: StaticNodeGroupProvider.ReadOnly.self) {
            try await provider.terminateInstance("i-1", group: "a", decrementDesiredCapacity: true)
        }
        #expect(try await provider.nodeGroups().map(\.desiredCapacity) == [1])
    }
}

/// How long pods have waited for capacity.
@Suite("Pending pods")
struct PendingPodsTests {
    static func pod(_ name: String, created: String, conditions: String) throws -> PodSummary {
        let json = """
            {"metadata": {"name": "\(name)", "namespace": "default", "creationTimestamp": "\(created)"},
             "spec": {"containers": [{"name": "c"}]},
             "status": {"phase": "Pending", "conditions": [\(conditions)]}}
            """
        return try JSONDecoder().decode(PodSummary.self, from: Data(json.utf8))
    }

    @Test func waitingStartsWhenPodScheduledTurnedFalseNotAtCreation() throws {
        let pod = try Self.pod(
            "late", created: "2026-01-12T09:00:00Z",
            conditions: #"{"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "lastTransitionTime": "2026-01-12T09:50:00Z"}"#)
        #expect(pod.unschedulableSince == (try KubeTime(parsing: "2026-01-12T09:50:00Z")))
        let pending = PendingPods(pods: [pod])
        let now = try KubeTime(parsing: "2026-01-12T10:00:00Z").date
        #expect(pending.count == 1)
        #expect(pending.oldestAge(now: now) == 600, "10 minutes since the transition, not 60 since creation")
    }

    @Test func withoutATransitionTimeTheCreationTimeCounts() throws {
        let pod = try Self.pod(
            "old", created: "2026-01-12T09:00:00Z",
            conditions: #"{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}"#)
        #expect(pod.unschedulableSince == nil)
        #expect(PendingPods(pods: [pod]).oldestAge(now: try KubeTime(parsing: "2026-01-12T10:00:00Z").date) == 3600)
    }

    @Test func theOldestOfSeveralCountsAndScheduledPodsDoNot() throws {
        let a = try Self.pod(
            "a", created: "2026-01-12T08:00:00Z",
            conditions: #"{"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "lastTransitionTime": "2026-01-12T09:30:00Z"}"#)
        let b = try Self.pod(
            "b", created: "2026-01-12T09:10:00Z",
            conditions: #"{"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "lastTransitionTime": "2026-01-12T09:20:00Z"}"#)
        let scheduled = try Self.pod(
            "c", created: "2026-01-12T07:00:00Z",
            conditions: #"{"type": "PodScheduled", "status": "True", "lastTransitionTime": "2026-01-12T07:00:01Z"}"#)
        let pending = PendingPods(pods: [a, b, scheduled])
        #expect(pending.count == 2)
        #expect(pending.oldestSince == (try KubeTime(parsing: "2026-01-12T09:20:00Z")).date)
        #expect(PendingPods(pods: [scheduled]).oldestAge(now: Date()) == 0)
    }
}
