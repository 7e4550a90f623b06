import Foundation
import KubeModels
import Testing
@testable import ClusterSim

@Suite("Graceful deletion, finalizers, preconditions, garbage collection")
struct DeletionTests {
    @Test func boundPodIsDeletedGracefullyAndStaysUntilFinalized() async throws {
        try await withSim { server, client in
            let store = server.store
            try store.seedRunningPod("p", node: "n1")
            let response = try await client.delete("/api/v1/namespaces/default/pods/p")
            #expect(response.status == 200)
            #expect(response.json[path: ["metadata", "deletionGracePeriodSeconds"]] == 30)
            #expect(response.json[path: ["metadata", "deletionTimestamp"]]?.stringValue != nil)
            let still = try await client.get("/api/v1/namespaces/default/pods/p")
            #expect(still.status == 200)
            let table = try await client.send(.GET, "/api/v1/namespaces/default/pods",
                                              headers: [("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")])
            #expect(table.json["rows"]?.arrayValue?.first?["cells"]?.arrayValue?[2] == "Terminating")
            // The kubelet's final delete (grace 0) removes it.
            try store.finalizeDeletion(store.pods, namespace: "default", name: "p")
            #expect(try await client.get("/api/v1/namespaces/default/pods/p").status == 404)
        }
    }

    @Test func unboundPodIsDeletedAtOnce() async throws {
        try await withSim { server, client in
            try server.store.create(server.store.pods, namespace: "default", object: Fixtures.pod("p"))
            let response = try await client.delete("/api/v1/namespaces/default/pods/p")
            #expect(response.status == 200)
            #expect(try await client.get("/api/v1/namespaces/default/pods/p").status == 404)
        }
    }

    @Test func gracePeriodZeroDeletesABoundPodAtOnce() async throws {
        try await withSim { server, client in
            try server.store.seedRunningPod("p")
            _ = try await client.delete("/api/v1/namespaces/default/pods/p", ["gracePeriodSeconds": 0])
            #expect(try await client.get("/api/v1/namespaces/default/pods/p").status == 404)
        }
    }

    @Test func finalizersHoldAnObjectUntilRemoved() async throws {
        try await withSim { _, client in
            _ = try await client.post("/api/v1/namespaces/default/configmaps",
                                      ["metadata": ["name": "c", "finalizers": ["example.com/hold"]]])
            let deleting = try await client.delete("/api/v1/namespaces/default/configmaps/c")
            #expect(deleting.status == 200)
            #expect(deleting.json[path: ["metadata", "deletionTimestamp"]]?.stringValue != nil)
            #expect(try await client.get("/api/v1/namespaces/default/configmaps/c").status == 200)
            let adding = try await client.patch("/api/v1/namespaces/default/configmaps/c", .merge,
                                                ["metadata": ["finalizers": ["example.com/hold", "example.com/more"]]])
            #expect(adding.status == 422, "no finalizer may be added while deleting")
            let removed = try await client.patch("/api/v1/namespaces/default/configmaps/c", .json,
                                                 [["op": "remove", "path": "/metadata/finalizers"]])
            #expect(removed.status == 200)
            #expect(try await client.get("/api/v1/namespaces/default/configmaps/c").status == 404)
        }
    }

    @Test func deletePreconditionsAreChecked() async throws {
        try await withSim { _, client in
            let created = try await client.post("/api/v1/namespaces/default/configmaps", ["metadata": ["name": "c"]])
            let wrongUID = try await client.delete("/api/v1/namespaces/default/configmaps/c", ["preconditions": ["uid": "nope"]])
            #expect(wrongUID.status == 409)
            #expect(wrongUID.json["message"]?.stringValue?.contains("Precondition failed: UID in precondition: nope") == true)
            let wrongRV = try await client.delete("/api/v1/namespaces/default/configmaps/c", ["preconditions": ["resourceVersion": "1"]])
            #expect(wrongRV.status == 409)
            let uid = try #require(created.json[path: ["metadata", "uid"]])
            let ok = try await client.delete("/api/v1/namespaces/default/configmaps/c", ["preconditions": ["uid": uid]])
            #expect(ok.status == 200)
            #expect(ok.json["status"] == "Success")
            #expect(ok.json[path: ["details", "uid"]] == uid)
        }
    }

    @Test func backgroundPropagationDeletesDependentsAndOrphanKeepsThem() async throws {
        try await withSim { server, client in
            let store = server.store
            let rs = try store.create(store.resource("replicasets", group: "apps")!, namespace: "default",
                                      object: ["metadata": ["name": "rs"], "spec": ["replicas": 1]])
            let owner: JSONValue = ["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs",
                                    "uid": rs[path: ["metadata", "uid"]]!, "controller": true]
            try store.create(store.pods, namespace: "default", object: Fixtures.pod("child", owner: owner))
            _ = try await client.delete("/apis/apps/v1/namespaces/default/replicasets/rs")
            #expect(try await client.get("/api/v1/namespaces/default/pods/child").status == 404)

            let rs2 = try store.create(store.resource("replicasets", group: "apps")!, namespace: "default",
                                       object: ["metadata": ["name": "rs2"], "spec": ["replicas": 1]])
            var owner2 = owner
            owner2["name"] = "rs2"
            owner2["uid"] = rs2[path: ["metadata", "uid"]]!
            try store.create(store.pods, namespace: "default", object: Fixtures.pod("kept", owner: owner2))
            _ = try await client.delete("/apis/apps/v1/namespaces/default/replicasets/rs2?propagationPolicy=Orphan")
            let kept = try await client.get("/api/v1/namespaces/default/pods/kept")
            #expect(kept.status == 200)
            #expect(kept.json[path: ["metadata", "ownerReferences"]] == nil)
        }
    }

    @Test func deletingANamespaceDeletesItsContents() async throws {
        try await withSim { server, client in
            _ = try await client.post("/api/v1/namespaces", ["metadata": ["name": "team"]])
            _ = try await client.post("/api/v1/namespaces/team/configmaps", ["metadata": ["name": "c"]])
            _ = try await client.delete("/api/v1/namespaces/team")
            #expect(try await client.get("/api/v1/namespaces/team/configmaps/c").status == 404)
            #expect(try await client.get("/api/v1/namespaces/team").status == 404)
        }
    }

    @Test func dryRunDeleteChangesNothing() async throws {
        try await withSim { _, client in
            _ = try await client.post("/api/v1/namespaces/default/configmaps", ["metadata": ["name": "c"]])
            let response = try await client.delete("/api/v1/namespaces/default/configmaps/c?dryRun=All")
            #expect(response.status == 200)
            #expect(try await client.get("/api/v1/namespaces/default/configmaps/c").status == 200)
        }
    }
}
