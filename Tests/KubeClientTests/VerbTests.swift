import ClusterSim
import Foundation
import KubeModels
import MendTime
import Testing

@testable import KubeClient

@Suite("Verbs against ClusterSim over HTTP")
struct VerbTests {
    @Test func createThenGetRoundTripsAndDuplicateCreateIsAlreadyExists() async throws {
        try await SimHarness.with { server, client in
            let created = try await client.create(SimHarness.configMap("settings", data: ["a": "1"]))
            #expect(created.metadata.uid != nil)
            #expect(created.metadata.resourceVersion != nil)
            let fetched = try await client.get(ConfigMap.self, name: "settings", namespace: "default")
            #expect(fetched.data == ["a": "1"])
            do {
                _ = try await client.create(SimHarness.configMap("settings"))
                Issue.record("duplicate create succeeded")
            } catch let error as KubeClientError {
                #expect(error.isAlreadyExists)
            }
            let missing = await #expect(throws: KubeClientError.self) {
                _ = try await client.get(ConfigMap.self, name: "nope")
            }
            #expect(missing?.isNotFound == true)
            // The User-Agent reaches the server.
            #expect(server.audit.entries.contains { $0.userAgent.hasPrefix("kubeclient-tests/0.0.1 (") })
        }
    }

    @Test func listFiltersByLabelAndFieldSelectorAndPagesThroughEverything() async throws {
        try await SimHarness.with { _, client in
            for i in 0..<7 {
                _ = try await client.create(
                    SimHarness.configMap("cm-\(i)", labels: ["app": i % 2 == 0 ? "web" : "db", "n": "\(i)"]))
            }
            _ = try await client.create(KubeModels.Namespace(metadata: ObjectMeta(name: "other")))
            _ = try await client.create(SimHarness.configMap("elsewhere", namespace: "other", labels: ["app": "web"]))
            let web = try await client.list(
                ConfigMap.self, namespace: "default", options: KubeClient.ListOptions(labelSelector: "app=web"))
            #expect(web.items.map(\.name).sorted() == ["cm-0", "cm-2", "cm-4", "cm-6"])
            let everywhere = try await client.list(
                ConfigMap.self, options: KubeClient.ListOptions(labelSelector: "app in (web)"))
            #expect(everywhere.items.count == 5)
            let byName = try await client.list(
                ConfigMap.self, namespace: "default", options: KubeClient.ListOptions(fieldSelector: "metadata.name=cm-3"))
            #expect(byName.items.map(\.name) == ["cm-3"])
            let firstPage = try await client.list(
                ConfigMap.self, namespace: "default", options: KubeClient.ListOptions(limit: 3))
            #expect(firstPage.items.count == 3)
            #expect(firstPage.metadata.continue?.isEmpty == false)
            let all = try await client.listAll(
                ConfigMap.self, namespace: "default", options: KubeClient.ListOptions(limit: 2))
            #expect(all.items.map(\.name).sorted() == (0..<7).map { "cm-\($0)" })
            #expect(all.metadata.resourceVersion != nil)
        }
    }

    @Test func everyPatchKindChangesTheObject() async throws {
        try await SimHarness.with { _, client in
            _ = try await client.create(SimHarness.configMap("p", labels: ["keep": "yes"], data: ["a": "1"]))
            let merged = try await client.patch(
                ConfigMap.self, name: "p", patch: .merge(["data": ["b": "2"], "metadata": ["labels": ["x": "y"]]]))
            #expect(merged.data == ["a": "1", "b": "2"])
            #expect(merged.metadata.labels == ["keep": "yes", "x": "y"])
            let strategic = try await client.patch(ConfigMap.self, name: "p", patch: .strategicMerge(["data": ["a": nil]]))
            #expect(strategic.data == ["b": "2"])
            let jsonPatched = try await client.patch(
                ConfigMap.self, name: "p",
                patch: .json([
                    JSONPatchOperation(op: .test, path: "/data/b", value: "2"),
                    JSONPatchOperation(op: .add, path: "/metadata/annotations", value: ["mend.io~1x": "1"]),
                    JSONPatchOperation(op: .replace, path: "/data/b", value: "3"),
                ]))
            #expect(jsonPatched.data == ["b": "3"])
            let failedTest = await #expect(throws: KubeClientError.self) {
                _ = try await client.patch(
                    ConfigMap.self, name: "p", patch: .json([JSONPatchOperation(op: .test, path: "/data/b", value: "9")]))
            }
            #expect(failedTest?.apiError != nil)
            let applied = try await client.patch(
                ConfigMap.self, name: "p",
                patch: .apply(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "p"], "data": ["c": "applied"]]),
                options: PatchOptions(fieldManager: "mend-test", force: true))
            #expect(applied.data?["c"] == "applied")
            await #expect(throws: KubeClientError.self) {
                _ = try await client.patch(ConfigMap.self, name: "p", patch: .apply(["data": [:]]))
            }
        }
    }

    @Test func staleResourceVersionPatchIsConflictAndRetryOnConflictRecovers() async throws {
        try await SimHarness.with { _, client in
            let original = try await client.create(SimHarness.configMap("c", data: ["n": "0"]))
            _ = try await client.patch(ConfigMap.self, name: "c", patch: .merge(["data": ["n": "1"]]))
            let stale: JSONValue = [
                "metadata": ["resourceVersion": .string(original.metadata.resourceVersion ?? "")],
                "data": ["n": "stale"],
            ]
            let conflict = await #expect(throws: KubeClientError.self) {
                _ = try await client.patch(ConfigMap.self, name: "c", patch: .merge(stale))
            }
            #expect(conflict?.isConflict == true)
            #expect(try await client.get(ConfigMap.self, name: "c").data == ["n": "1"])
            var attempts = 0
            let result = try await client.retryOnConflict {
                attempts += 1
                let current = try await client.get(ConfigMap.self, name: "c")
                let rv: String = attempts == 1 ? (original.metadata.resourceVersion ?? "") : (current.metadata.resourceVersion ?? "")
                return try await client.patch(
                    ConfigMap.self, name: "c",
                    patch: .merge(["metadata": ["resourceVersion": .string(rv)], "data": ["n": "2"]]))
            }
            #expect(attempts == 2)
            #expect(result.data == ["n": "2"])
        }
    }

    @Test func statusSubresourcePatchChangesOnlyStatus() async throws {
        try await SimHarness.with { _, client in
            _ = try await client.create(Node(metadata: ObjectMeta(name: "node-1")))
            let patched = try await client.patchStatus(
                Node.self, name: "node-1",
                patch: .strategicMerge([
                    "status": ["conditions": [["type": "KernelDeadlock", "status": "True", "reason": "DockerHung"]]],
                    "metadata": ["labels": ["ignored": "yes"]],
                ]))
            #expect(patched.condition(NodeConditionType(rawValue: "KernelDeadlock"))?.status.rawValue == "True")
            #expect(patched.metadata.labels?["ignored"] == nil)
        }
    }

    @Test func deleteHonoursPreconditionsAndReportsNotFoundAfterwards() async throws {
        try await SimHarness.with { _, client in
            let created = try await client.create(SimHarness.configMap("d"))
            let wrongUID = await #expect(throws: KubeClientError.self) {
                try await client.delete(
                    ConfigMap.self, name: "d",
                    options: KubeModels.DeleteOptions(preconditions: .init(uid: "not-the-uid")))
            }
            #expect(wrongUID?.isConflict == true)
            try await client.delete(
                ConfigMap.self, name: "d",
                options: KubeModels.DeleteOptions(
                    gracePeriodSeconds: 0, preconditions: .init(uid: created.metadata.uid), propagationPolicy: .background))
            let gone = await #expect(throws: KubeClientError.self) { _ = try await client.get(ConfigMap.self, name: "d") }
            #expect(gone?.isNotFound == true)
        }
    }

    @Test func evictionReportsEachOutcome() async throws {
        try await SimHarness.with { _, client in
            func pod(_ name: String, labels: [String: String]) -> Pod {
                Pod(metadata: ObjectMeta(name: name, namespace: "default", labels: labels),
                    spec: PodSpec(containers: [Container(name: "c", image: "busybox")]))
            }
            _ = try await client.create(pod("free", labels: ["app": "free"]))
            _ = try await client.create(pod("guarded", labels: ["app": "guarded"]))
            _ = try await client.create(pod("double", labels: ["app": "double", "tier": "x"]))
            for name in ["free", "guarded", "double"] {
                // Pending pods are evicted without consulting budgets; make them running and ready.
                _ = try await client.patchStatus(
                    Pod.self, name: name,
                    patch: .merge(["status": ["phase": "Running", "conditions": [["type": "Ready", "status": "True"]]]]))
            }
            _ = try await client.create(
                PodDisruptionBudget(
                    metadata: ObjectMeta(name: "zero", namespace: "default"),
                    spec: .init(maxUnavailable: 0, selector: LabelSelector(matchLabels: ["app": "guarded"]))))
            for name in ["one", "two"] {
                _ = try await client.create(
                    PodDisruptionBudget(
                        metadata: ObjectMeta(name: name, namespace: "default"),
                        spec: .init(maxUnavailable: 1, selector: LabelSelector(matchLabels: ["tier": "x"]))))
            }
            #expect(try await client.evict(pod: "free", namespace: "default") == .evicted)
            let blocked = try await client.evict(pod: "guarded", namespace: "default")
            guard case .blockedByDisruptionBudget = blocked else {
                Issue.record("expected blocked, got \(blocked)")
                return
            }
            let double = try await client.evict(pod: "double", namespace: "default")
            guard case .multipleDisruptionBudgets = double else {
                Issue.record("expected multiple PDBs, got \(double)")
                return
            }
            #expect(try await client.evict(pod: "ghost", namespace: "default") == .notFound)
        }
    }
}
