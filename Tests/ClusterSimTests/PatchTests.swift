import Foundation
import KubeModels
import Testing
@testable import ClusterSim

@Suite("Patches")
struct PatchTests {
    @Test func mergePatchFollowsRFC7386() {
        let target: JSONValue = ["a": "b", "c": ["d": "e", "f": "g"], "list": [1, 2]]
        let patch: JSONValue = ["a": "z", "c": ["f": nil], "list": [3], "new": ["x": 1]]
        let result = MergePatch.apply(patch, to: target)
        #expect(result == ["a": "z", "c": ["d": "e"], "list": [3], "new": ["x": 1]])
    }

    @Test func jsonPatchSupportsEveryOperation() throws {
        let doc: JSONValue = ["a": ["b": 1], "list": ["x", "y"]]
        let ops: [JSONValue] = [
            ["op": "test", "path": "/a/b", "value": 1],
            ["op": "add", "path": "/list/1", "value": "inserted"],
            ["op": "add", "path": "/list/-", "value": "end"],
            ["op": "replace", "path": "/a/b", "value": 2],
            ["op": "copy", "from": "/a", "path": "/copied"],
            ["op": "move", "from": "/copied/b", "path": "/moved"],
            ["op": "remove", "path": "/list/0"],
            ["op": "add", "path": "/escaped~1key", "value": true],
        ]
        let result = try JSONPatch.apply(ops, to: doc)
        #expect(result == ["a": ["b": 2], "list": ["inserted", "y", "end"], "copied": .object([:]), "moved": 2, "escaped/key": true])
    }

    @Test func failedJSONPatchTestChangesNothingAndAnswers422() async throws {
        try await withSim { _, client in
            _ = try await client.post("/api/v1/namespaces/default/configmaps", ["metadata": ["name": "c"], "data": ["a": "1"]])
            let response = try await client.patch("/api/v1/namespaces/default/configmaps/c", .json, [
                ["op": "replace", "path": "/data/a", "value": "2"],
                ["op": "test", "path": "/data/a", "value": "1"],
            ])
            #expect(response.status == 422)
            #expect(try await client.get("/api/v1/namespaces/default/configmaps/c").json[path: ["data", "a"]] == "1")
        }
    }

    @Test func strategicMergeMergesConditionsByType() throws {
        let smp = StrategicMergePatch(schema: PatchSchema.for(ResourceCatalog.standard.resource(group: "", plural: "nodes")!))
        let node: JSONValue = ["status": ["conditions": [["type": "Ready", "status": "True"], ["type": "DiskPressure", "status": "False"]]]]
        let patched = try smp.apply(["status": ["conditions": [["type": "KernelDeadlock", "status": "True"],
                                                             ["type": "Ready", "status": "False", "reason": "X"]]]], to: node)
        #expect(patched[path: ["status", "conditions"]] == [
            ["type": "Ready", "status": "False", "reason": "X"], ["type": "DiskPressure", "status": "False"],
            ["type": "KernelDeadlock", "status": "True"],
        ])
    }

    @Test func strategicMergeReplacesTaintsAndTolerationsAtomically() throws {
        let nodes = StrategicMergePatch(schema: PatchSchema.for(ResourceCatalog.standard.resource(group: "", plural: "nodes")!))
        let node: JSONValue = ["spec": ["taints": [["key": "a", "effect": "NoSchedule"]]]]
        let patched = try nodes.apply(["spec": ["taints": [["key": "b", "effect": "NoExecute"]]]], to: node)
        #expect(patched[path: ["spec", "taints"]] == [["key": "b", "effect": "NoExecute"]])
        let pods = StrategicMergePatch(schema: PatchSchema.for(ResourceCatalog.standard.resource(group: "", plural: "pods")!))
        let pod: JSONValue = ["spec": ["tolerations": [["key": "a"]]]]
        #expect(try pods.apply(["spec": ["tolerations": [["key": "b"]]]], to: pod)[path: ["spec", "tolerations"]] == [["key": "b"]])
    }

    @Test func strategicMergeHandlesContainersFinalizersAndDirectives() throws {
        let smp = StrategicMergePatch(schema: PatchSchema.for(ResourceCatalog.standard.resource(group: "", plural: "pods")!))
        let pod: JSONValue = [
            "metadata": ["finalizers": ["a"], "ownerReferences": [["uid": "1", "name": "x"]], "labels": ["keep": "1", "drop": "1"]],
            "spec": ["containers": [["name": "app", "image": "v1", "env": [["name": "A", "value": "1"]]], ["name": "side", "image": "s"]]],
        ]
        let patch: JSONValue = [
            "metadata": ["finalizers": ["b"], "ownerReferences": [["uid": "2", "name": "y"]], "labels": ["drop": nil],
                         "$deleteFromPrimitiveList/finalizers": ["a"]],
            "spec": [
                "$setElementOrder/containers": [["name": "side"], ["name": "app"]],
                "containers": [["name": "app", "image": "v2", "env": [["name": "B", "value": "2"]]],
                               ["name": "side", "$patch": "delete"]],
            ],
        ]
        let result = try smp.apply(patch, to: pod)
        #expect(result[path: ["metadata", "finalizers"]] == ["b"])
        #expect(result[path: ["metadata", "ownerReferences"]]?.arrayValue?.count == 2)
        #expect(result[path: ["metadata", "labels"]] == ["keep": "1"])
        #expect(result[path: ["spec", "containers"]] == [
            ["name": "app", "image": "v2", "env": [["name": "A", "value": "1"], ["name": "B", "value": "2"]]],
        ])
        let replaced = try smp.apply(["spec": ["$patch": "replace", "containers": [["name": "only", "image": "x"]]]], to: pod)
        #expect(replaced["spec"] == ["containers": [["name": "only", "image": "x"]]])
        let retained = try smp.apply(["spec": ["$retainKeys": ["containers"], "containers": [["name": "app", "image": "v3"]]]],
                                     to: ["spec": ["containers": [["name": "app", "image": "v1"]], "other": 1]])
        #expect(retained["spec"] == ["containers": [["name": "app", "image": "v3"]]])
    }

    @Test func strategicMergePatchOverHTTPCordonsANode() async throws {
        try await withSim { server, client in
            try server.store.create(server.store.nodes, namespace: nil, object: Fixtures.node("n1"))
            let response = try await client.patch("/api/v1/nodes/n1", .strategic, ["spec": ["unschedulable": true]])
            #expect(response.status == 200)
            #expect(response.json[path: ["spec", "unschedulable"]] == true)
        }
    }

    @Test func serverSideApplyCreatesThenUpdatesAndRecordsTheManager() async throws {
        try await withSim { _, client in
            let yaml = """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: applied
                  namespace: default
                data:
                  a: "1"
                """
            let created = try await client.send(.PATCH, "/api/v1/namespaces/default/configmaps/applied?fieldManager=mend",
                                                body: Array(yaml.utf8), contentType: "application/apply-patch+yaml")
            #expect(created.status == 201)
            #expect(created.json[path: ["data", "a"]] == "1")
            let managers = created.json[path: ["metadata", "managedFields"]]?.arrayValue ?? []
            #expect(managers.first?["manager"] == "mend")
            #expect(managers.first?["operation"] == "Apply")
            #expect(managers.first?[path: ["fieldsV1", "f:data", "f:a"]] == .object([:]))
            let updated = try await client.send(.PATCH, "/api/v1/namespaces/default/configmaps/applied?fieldManager=mend&force=true",
                                                body: Array(yaml.replacingOccurrences(of: "\"1\"", with: "\"2\"").utf8),
                                                contentType: "application/apply-patch+yaml")
            #expect(updated.status == 200)
            #expect(updated.json[path: ["data", "a"]] == "2")
            #expect(updated.json[path: ["metadata", "managedFields"]]?.arrayValue?.count == 1)
            let noManager = try await client.send(.PATCH, "/api/v1/namespaces/default/configmaps/applied",
                                                  body: Array(yaml.utf8), contentType: "application/apply-patch+yaml")
            #expect(noManager.status == 400)
        }
    }
}
