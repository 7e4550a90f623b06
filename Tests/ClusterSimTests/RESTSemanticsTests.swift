import Foundation
import KubeModels
import Testing
@testable import ClusterSim

@Suite("REST semantics over HTTP")
struct RESTSemanticsTests {
    @Test func createSetsServerFieldsAndGetReturnsTheObject() async throws {
        try await withSim { _, client in
            let created = try await client.post("/api/v1/namespaces/default/configmaps",
                                                ["metadata": ["name": "cfg"], "data": ["a": "1"], "extra": ["kept": true]])
            #expect(created.status == 201)
            let object = created.json
            #expect(object[path: ["metadata", "uid"]]?.stringValue?.isEmpty == false)
            #expect(object[path: ["metadata", "creationTimestamp"]]?.stringValue?.hasSuffix("Z") == true)
            #expect(object[path: ["metadata", "namespace"]] == "default")
            #expect(object["kind"] == "ConfigMap")
            #expect(object[path: ["extra", "kept"]] == true, "unknown fields must survive")
            let fetched = try await client.get("/api/v1/namespaces/default/configmaps/cfg")
            #expect(fetched.status == 200)
            #expect(fetched.json == object)
        }
    }

    @Test func generateNameProducesAUniqueName() async throws {
        try await withSim { _, client in
            let a = try await client.post("/api/v1/namespaces/default/configmaps", ["metadata": ["generateName": "cfg-"]])
            let b = try await client.post("/api/v1/namespaces/default/configmaps", ["metadata": ["generateName": "cfg-"]])
            let nameA = try #require(a.json[path: ["metadata", "name"]]?.stringValue)
            let nameB = try #require(b.json[path: ["metadata", "name"]]?.stringValue)
            #expect(nameA.hasPrefix("cfg-") && nameA.count == 9)
            #expect(nameA != nameB)
        }
    }

    @Test func staleResourceVersionUpdateIsRejectedWithConflict() async throws {
        try await withSim { _, client in
            let created = try await client.post("/api/v1/namespaces/default/configmaps", ["metadata": ["name": "cfg"], "data": ["a": "1"]])
            var first = created.json
            first["data"] = ["a": "2"]
            let updated = try await client.put("/api/v1/namespaces/default/configmaps/cfg", first)
            #expect(updated.status == 200)
            var stale = created.json
            stale["data"] = ["a": "3"]
            let conflict = try await client.put("/api/v1/namespaces/default/configmaps/cfg", stale)
            #expect(conflict.status == 409)
            #expect(conflict.json["reason"] == "Conflict")
            #expect(conflict.json["kind"] == "Status")
            #expect(conflict.json["status"] == "Failure")
            #expect(conflict.json["code"] == 409)
            #expect(conflict.json["message"] == "Operation cannot be fulfilled on configmaps \"cfg\": the object has been modified; please apply your changes to the latest version and try again")
            #expect(conflict.json[path: ["details", "name"]] == "cfg")
            #expect(conflict.json[path: ["details", "kind"]] == "configmaps")
            let current = try await client.get("/api/v1/namespaces/default/configmaps/cfg")
            #expect(current.json[path: ["data", "a"]] == "2", "a rejected write changes nothing")
        }
    }

    @Test func patchCarryingAStaleResourceVersionIsRejectedWithConflict() async throws {
        try await withSim { _, client in
            let created = try await client.post("/api/v1/namespaces/default/configmaps", ["metadata": ["name": "cfg"]])
            let rv = try #require(created.json[path: ["metadata", "resourceVersion"]]?.stringValue)
            _ = try await client.patch("/api/v1/namespaces/default/configmaps/cfg", .merge, ["data": ["x": "1"]])
            let stale = try await client.patch("/api/v1/namespaces/default/configmaps/cfg", .merge,
                                               ["metadata": ["resourceVersion": .string(rv)], "data": ["x": "2"]])
            #expect(stale.status == 409)
            #expect(stale.json["reason"] == "Conflict")
        }
    }

    @Test func eachErrorHasARealStatusBody() async throws {
        try await withSim { _, client in
            let missing = try await client.get("/api/v1/namespaces/default/pods/nope")
            #expect(missing.status == 404)
            #expect(missing.json["message"] == "pods \"nope\" not found")
            #expect(missing.json["reason"] == "NotFound")

            let pdbMissing = try await client.get("/apis/policy/v1/namespaces/default/poddisruptionbudgets/x")
            #expect(pdbMissing.json["message"] == "poddisruptionbudgets.policy \"x\" not found")
            #expect(pdbMissing.json[path: ["details", "group"]] == "policy")

            _ = try await client.post("/api/v1/namespaces/default/configmaps", ["metadata": ["name": "c"]])
            let duplicate = try await client.post("/api/v1/namespaces/default/configmaps", ["metadata": ["name": "c"]])
            #expect(duplicate.status == 409)
            #expect(duplicate.json["reason"] == "AlreadyExists")
            #expect(duplicate.json["message"] == "configmaps \"c\" already exists")

            let invalid = try await client.post("/api/v1/namespaces/default/pods", ["metadata": ["name": "p"], "spec": .object([:])])
            #expect(invalid.status == 422)
            #expect(invalid.json["reason"] == "Invalid")
            #expect(invalid.json["message"] == "Pod \"p\" is invalid: spec.containers: Required value")
            #expect(invalid.json[path: ["details", "causes"]]?.arrayValue?.first?["field"] == "spec.containers")

            let badName = try await client.post("/api/v1/namespaces/default/configmaps", ["metadata": ["name": "Bad_Name"]])
            #expect(badName.status == 422)

            let badJSON = try await client.send(.POST, "/api/v1/namespaces/default/configmaps", body: Array("{nope".utf8))
            #expect(badJSON.status == 400)
            #expect(badJSON.json["reason"] == "BadRequest")

            let postOnName = try await client.post("/api/v1/namespaces/default/configmaps/c", ["metadata": ["name": "c"]])
            #expect(postOnName.status == 405)
            #expect(postOnName.json["reason"] == "MethodNotAllowed")

            let badPatch = try await client.send(.PATCH, "/api/v1/namespaces/default/configmaps/c", body: Array("{}".utf8),
                                                 contentType: "text/plain")
            #expect(badPatch.status == 415)
            #expect(badPatch.json["reason"] == "UnsupportedMediaType")

            let badField = try await client.get("/api/v1/pods?fieldSelector=spec.bogus%3Dx")
            #expect(badField.status == 400)
            #expect(badField.json["message"] == "field label not supported: spec.bogus")

            let noNamespace = try await client.post("/api/v1/namespaces/ghost/configmaps", ["metadata": ["name": "c"]])
            #expect(noNamespace.status == 404)
            #expect(noNamespace.json["message"] == "namespaces \"ghost\" not found")

            let unknownPath = try await client.get("/apis/nope.example.com/v1/things")
            #expect(unknownPath.status == 404)
        }
    }

    @Test func defaultNamespacesExistFromTheStart() async throws {
        try await withSim { _, client in
            let list = try await client.get("/api/v1/namespaces")
            let names = Set(list.json["items"]?.arrayValue?.compactMap { $0[path: ["metadata", "name"]]?.stringValue } ?? [])
            #expect(names == ["default", "kube-system", "kube-public", "kube-node-lease"])
        }
    }

    @Test func labelAndFieldSelectorsFilterLists() async throws {
        try await withSim { server, client in
            let store = server.store
            try store.seedRunningPod("a", node: "n1", labels: ["app": "web", "tier": "front"])
            try store.seedRunningPod("b", node: "n2", labels: ["app": "web"])
            try store.create(store.pods, namespace: "default", object: Fixtures.pod("c", labels: ["app": "db"]))
            func names(_ r: TestResponse) -> [String] {
                r.json["items"]?.arrayValue?.compactMap { $0[path: ["metadata", "name"]]?.stringValue } ?? []
            }
            #expect(names(try await client.get("/api/v1/pods?labelSelector=app%3Dweb")) == ["a", "b"])
            #expect(names(try await client.get("/api/v1/pods?labelSelector=app+in+(db)")) == ["c"])
            #expect(names(try await client.get("/api/v1/pods?labelSelector=!tier")) == ["b", "c"])
            #expect(names(try await client.get("/api/v1/pods?fieldSelector=spec.nodeName%3Dn2")) == ["b"])
            #expect(names(try await client.get("/api/v1/pods?fieldSelector=spec.nodeName%3D")) == ["c"])
            #expect(names(try await client.get("/api/v1/namespaces/default/pods?fieldSelector=status.phase%3DPending")) == ["c"])
            #expect(names(try await client.get("/api/v1/pods?fieldSelector=status.phase!%3DPending,metadata.name%3Da")) == ["a"])
            let badLabel = try await client.get("/api/v1/pods?labelSelector=a%3D%3D%3D")
            #expect(badLabel.status == 400)
        }
    }

    @Test func unschedulableFieldSelectorMatchesCordonedNodes() async throws {
        try await withSim { server, client in
            try server.store.create(server.store.nodes, namespace: nil, object: Fixtures.node("n1"))
            var cordoned = Fixtures.node("n2")
            cordoned["spec"] = ["unschedulable": true]
            try server.store.create(server.store.nodes, namespace: nil, object: cordoned)
            let list = try await client.get("/api/v1/nodes?fieldSelector=spec.unschedulable%3Dfalse")
            #expect(list.json["items"]?.arrayValue?.compactMap { $0[path: ["metadata", "name"]]?.stringValue } == ["n1"])
        }
    }

    @Test func listPagesWithOpaqueContinueTokens() async throws {
        try await withSim { server, client in
            for i in 0..<7 {
                try server.store.create(server.store.configMaps, namespace: "default", object: ["metadata": ["name": .string("cm-\(i)")]])
            }
            var seen: [String] = []
            var token: String?
            var pages = 0
            repeat {
                var path = "/api/v1/namespaces/default/configmaps?limit=3"
                if let token { path += "&continue=" + (token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? token) }
                let page = try await client.get(path)
                #expect(page.status == 200)
                seen += page.json["items"]?.arrayValue?.compactMap { $0[path: ["metadata", "name"]]?.stringValue } ?? []
                token = page.json[path: ["metadata", "continue"]]?.stringValue
                if pages == 0 { #expect(page.json[path: ["metadata", "remainingItemCount"]] == 4) }
                pages += 1
            } while token != nil && pages < 10
            #expect(pages == 3)
            #expect(seen == (0..<7).map { "cm-\($0)" })
        }
    }

    @Test func expiredContinueTokenIsGone() async throws {
        try await withSim { server, client in
            for i in 0..<3 {
                try server.store.create(server.store.configMaps, namespace: "default", object: ["metadata": ["name": .string("cm-\(i)")]])
            }
            let first = try await client.get("/api/v1/namespaces/default/configmaps?limit=1")
            let token = try #require(first.json[path: ["metadata", "continue"]]?.stringValue)
            server.compactHistory()
            let expired = try await client.get("/api/v1/namespaces/default/configmaps?limit=1&continue="
                                               + (token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? token))
            #expect(expired.status == 410)
            #expect(expired.json["reason"] == "Expired")
        }
    }

    @Test func generationBumpsOnlyOnSpecChanges() async throws {
        try await withSim { server, client in
            let created = try await client.post("/apis/policy/v1/namespaces/default/poddisruptionbudgets",
                                                Fixtures.pdb("web", minAvailable: 1))
            #expect(created.json[path: ["metadata", "generation"]] == 1)
            let labelled = try await client.patch("/apis/policy/v1/namespaces/default/poddisruptionbudgets/web", .merge,
                                                  ["metadata": ["labels": ["a": "b"]]])
            #expect(labelled.json[path: ["metadata", "generation"]] == 1)
            let changed = try await client.patch("/apis/policy/v1/namespaces/default/poddisruptionbudgets/web", .merge,
                                                 ["spec": ["minAvailable": 2]])
            #expect(changed.json[path: ["metadata", "generation"]] == 2)
        }
    }

    @Test func statusSubresourceIsIsolatedFromTheMainResource() async throws {
        try await withSim { server, client in
            try server.store.create(server.store.nodes, namespace: nil, object: Fixtures.node("n1"))
            // A main-resource write cannot change status.
            let main = try await client.patch("/api/v1/nodes/n1", .merge,
                                              ["metadata": ["labels": ["x": "y"]], "status": ["conditions": [["type": "Ready", "status": "False"]]]])
            #expect(main.status == 200)
            #expect(main.json[path: ["metadata", "labels", "x"]] == "y")
            #expect(main.json[path: ["status", "conditions"]]?.arrayValue?.first?["status"] == "True")
            // A status write cannot change spec or labels.
            let status = try await client.patch("/api/v1/nodes/n1/status", .merge,
                                                ["spec": ["unschedulable": true], "metadata": ["labels": ["z": "w"]],
                                                 "status": ["conditions": [["type": "Ready", "status": "False"]]]])
            #expect(status.status == 200)
            #expect(status.json[path: ["spec", "unschedulable"]] == nil)
            #expect(status.json[path: ["metadata", "labels", "z"]] == nil)
            #expect(status.json[path: ["status", "conditions"]]?.arrayValue?.first?["status"] == "False")
        }
    }

    @Test func noOpWriteKeepsTheResourceVersion() async throws {
        try await withSim { _, client in
            let created = try await client.post("/api/v1/namespaces/default/configmaps", ["metadata": ["name": "c"], "data": ["a": "1"]])
            let same = try await client.patch("/api/v1/namespaces/default/configmaps/c", .merge, ["data": ["a": "1"]])
            #expect(same.json[path: ["metadata", "resourceVersion"]] == created.json[path: ["metadata", "resourceVersion"]])
        }
    }

    @Test func deleteCollectionRemovesMatchingObjects() async throws {
        try await withSim { server, client in
            for (name, team) in [("a", "x"), ("b", "x"), ("c", "y")] {
                try server.store.create(server.store.configMaps, namespace: "default",
                                        object: ["metadata": ["name": .string(name), "labels": ["team": .string(team)]]])
            }
            let response = try await client.delete("/api/v1/namespaces/default/configmaps?labelSelector=team%3Dx")
            #expect(response.status == 200)
            let left = server.store.listValues(server.store.configMaps).compactMap { $0[path: ["metadata", "name"]]?.stringValue }
            #expect(left == ["c"])
        }
    }

    @Test func createRejectsAMismatchedNamespace() async throws {
        try await withSim { server, client in
            let response = try await client.post("/api/v1/namespaces/default/configmaps",
                                                 ["metadata": ["name": "c", "namespace": "kube-system"]])
            #expect(response.status == 400)
            #expect(server.store.listValues(server.store.configMaps).isEmpty)
        }
    }
}
