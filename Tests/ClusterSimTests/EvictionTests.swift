import Foundation
import KubeModels
import Testing
@testable import ClusterSim

@Suite("Eviction and PodDisruptionBudgets")
struct EvictionTests {
    static func eviction(_ name: String, apiVersion: String = "policy/v1", grace: Int64? = nil) -> JSONValue {
        var body: JSONValue = ["apiVersion": .string(apiVersion), "kind": "Eviction",
                               "metadata": ["name": .string(name), "namespace": "default"]]
        if let grace { body["deleteOptions"] = ["gracePeriodSeconds": .int(grace)] }
        return body
    }

    @Test func evictionAllowedByTheBudgetRecordsTheDisruptionAndDeletes() async throws {
        try await withSim { server, client in
            let store = server.store
            try store.seedRunningPod("a")
            try store.seedRunningPod("b")
            try store.create(store.pdbs, namespace: "default", object: Fixtures.pdb("web", minAvailable: 1))
            let before = try store.get(store.pdbs, namespace: "default", name: "web")
            #expect(before[path: ["status", "disruptionsAllowed"]] == 1)
            #expect(before[path: ["status", "currentHealthy"]] == 2)
            #expect(before[path: ["status", "desiredHealthy"]] == 1)
            #expect(before[path: ["status", "expectedPods"]] == 2)
            #expect(before[path: ["status", "observedGeneration"]] == 1)

            let response = try await client.post("/api/v1/namespaces/default/pods/a/eviction", Self.eviction("a"))
            #expect(response.status == 201)
            #expect(response.json["status"] == "Success")
            let pod = try store.get(store.pods, namespace: "default", name: "a")
            #expect(pod[path: ["metadata", "deletionTimestamp"]]?.stringValue != nil, "bound pods terminate gracefully")
            let after = try store.get(store.pdbs, namespace: "default", name: "web")
            #expect(after[path: ["status", "disruptionsAllowed"]] == 0)

            let refused = try await client.post("/api/v1/namespaces/default/pods/b/eviction", Self.eviction("b"))
            #expect(refused.status == 429)
            #expect(refused.json["reason"] == "TooManyRequests")
            #expect(refused.json["message"] == "Cannot evict pod as it would violate the pod's disruption budget.")
            let cause = refused.json[path: ["details", "causes"]]?.arrayValue?.first
            #expect(cause?["reason"] == "DisruptionBudget")
            #expect(cause?["message"] == "The disruption budget web needs 1 healthy pods and has 1 currently")
            #expect(refused.headers.first(name: "Retry-After") == nil)
            #expect(try store.get(store.pods, namespace: "default", name: "b")[path: ["metadata", "deletionTimestamp"]] == nil)
        }
    }

    @Test func dryRunEvictionLeavesTheBudgetUntouched() throws {
        let store = ClusterStore()
        try store.seedRunningPod("a")
        try store.seedRunningPod("b")
        try store.seedRunningPod("c")
        try store.create(store.pdbs, namespace: "default", object: Fixtures.pdb("web", maxUnavailable: "50%"))
        // 50% of 3 rounds up to 2 unavailable, so 1 must stay healthy.
        #expect(try store.get(store.pdbs, namespace: "default", name: "web")[path: ["status", "desiredHealthy"]] == 1)
        try store.evict(namespace: "default", name: "a", eviction: ["deleteOptions": ["dryRun": ["All"]]])
        let status = try store.get(store.pdbs, namespace: "default", name: "web")["status"]
        #expect(status?["disruptionsAllowed"] == 2, "a dry run changes nothing")
    }

    @Test func evictionAcceptsV1beta1Bodies() async throws {
        try await withSim { server, client in
            try server.store.seedRunningPod("a")
            let response = try await client.post("/api/v1/namespaces/default/pods/a/eviction", Self.eviction("a", apiVersion: "policy/v1beta1", grace: 0))
            #expect(response.status == 201)
            #expect(try await client.get("/api/v1/namespaces/default/pods/a").status == 404)
        }
    }

    @Test func podWithSeveralBudgetsCannotBeEvicted() async throws {
        try await withSim { server, client in
            let store = server.store
            try store.seedRunningPod("a")
            try store.create(store.pdbs, namespace: "default", object: Fixtures.pdb("one", minAvailable: 0))
            try store.create(store.pdbs, namespace: "default", object: Fixtures.pdb("two", minAvailable: 0))
            let response = try await client.post("/api/v1/namespaces/default/pods/a/eviction", Self.eviction("a"))
            #expect(response.status == 500)
            #expect(response.json["message"] == "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.")
            #expect(try store.get(store.pods, namespace: "default", name: "a")[path: ["metadata", "deletionTimestamp"]] == nil)
        }
    }

    @Test func pendingAndTerminatingPodsAreEvictedWithoutBudget() async throws {
        try await withSim { server, client in
            let store = server.store
            try store.create(store.pods, namespace: "default", object: Fixtures.pod("pending"))
            try store.create(store.pdbs, namespace: "default", object: Fixtures.pdb("web", minAvailable: 5))
            let response = try await client.post("/api/v1/namespaces/default/pods/pending/eviction", Self.eviction("pending"))
            #expect(response.status == 201)
            #expect(try await client.get("/api/v1/namespaces/default/pods/pending").status == 404)
        }
    }

    @Test func unhealthyPodIsEvictedWhenPolicyIsAlwaysAllow() async throws {
        try await withSim { server, client in
            let store = server.store
            try store.seedRunningPod("sick", ready: false)
            try store.seedRunningPod("ok")
            try store.create(store.pdbs, namespace: "default", object: Fixtures.pdb("web", minAvailable: 2, unhealthyPolicy: "AlwaysAllow"))
            let response = try await client.post("/api/v1/namespaces/default/pods/sick/eviction", Self.eviction("sick", grace: 0))
            #expect(response.status == 201)
        }
    }

    @Test func unhealthyPodIsRefusedUnderIfHealthyBudgetWhenTheBudgetIsNotMet() async throws {
        try await withSim { server, client in
            let store = server.store
            try store.seedRunningPod("sick", ready: false)
            try store.seedRunningPod("ok")
            try store.create(store.pdbs, namespace: "default", object: Fixtures.pdb("web", minAvailable: 2))
            let refused = try await client.post("/api/v1/namespaces/default/pods/sick/eviction", Self.eviction("sick"))
            #expect(refused.status == 429)
            // Once the budget is met, the unhealthy pod may go without using it.
            try store.patch(store.pdbs, namespace: "default", name: "web", type: .merge, body: Array(#"{"spec":{"minAvailable":1}}"#.utf8))
            let allowed = try await client.post("/api/v1/namespaces/default/pods/sick/eviction", Self.eviction("sick"))
            #expect(allowed.status == 201)
        }
    }

    @Test func maxUnavailablePercentageUsesTheReplicaSetScale() throws {
        let store = ClusterStore()
        let rs = try store.create(store.resource("replicasets", group: "apps")!, namespace: "default",
                                  object: ["metadata": ["name": "rs"], "spec": ["replicas": 4]])
        let owner: JSONValue = ["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs",
                                "uid": rs[path: ["metadata", "uid"]]!, "controller": true]
        for i in 0..<3 { try store.seedRunningPod("p\(i)", owner: owner) }
        try store.create(store.pdbs, namespace: "default", object: Fixtures.pdb("web", maxUnavailable: "25%"))
        let status = try store.get(store.pdbs, namespace: "default", name: "web")["status"]
        #expect(status?["expectedPods"] == 4)
        #expect(status?["desiredHealthy"] == 3)
        #expect(status?["currentHealthy"] == 3)
        #expect(status?["disruptionsAllowed"] == 0)
    }

    @Test func bindingAssignsAPodToANodeOnce() async throws {
        try await withSim { server, client in
            try server.store.create(server.store.pods, namespace: "default", object: Fixtures.pod("p"))
            let binding: JSONValue = ["apiVersion": "v1", "kind": "Binding", "metadata": ["name": "p"],
                                      "target": ["apiVersion": "v1", "kind": "Node", "name": "n1"]]
            let bound = try await client.post("/api/v1/namespaces/default/pods/p/binding", binding)
            #expect(bound.status == 201)
            #expect(try await client.get("/api/v1/namespaces/default/pods/p").json[path: ["spec", "nodeName"]] == "n1")
            let again = try await client.post("/api/v1/namespaces/default/pods/p/binding", binding)
            #expect(again.status == 409)
        }
    }
}
