import Foundation
import KubeModels
import Testing
@testable import ClusterSim

@Suite("Watch")
struct WatchTests {
    @Test func watchWithoutVersionStartsWithTheCurrentStateThenStreamsChanges() async throws {
        try await withSim { server, client in
            let store = server.store
            try store.create(store.configMaps, namespace: "default", object: ["metadata": ["name": "a"]])
            let (status, events) = try await client.watch("/api/v1/namespaces/default/configmaps?watch=true", count: 3) {
                try await Task.sleep(for: .milliseconds(200))
                try store.create(store.configMaps, namespace: "default", object: ["metadata": ["name": "b"]])
                try store.delete(store.configMaps, namespace: "default", name: "a")
            }
            #expect(status == 200)
            #expect(events.map { $0["type"]?.stringValue ?? "" } == ["ADDED", "ADDED", "DELETED"])
            #expect(events.map { $0[path: ["object", "metadata", "name"]]?.stringValue ?? "" } == ["a", "b", "a"])
        }
    }

    @Test func watchFromAnOldVersionReplaysHistory() async throws {
        try await withSim { server, client in
            let store = server.store
            let created = try store.create(store.configMaps, namespace: "default", object: ["metadata": ["name": "a"]])
            let rv = created[path: ["metadata", "resourceVersion"]]!.stringValue!
            try store.modify(store.configMaps, namespace: "default", name: "a") { v in
                var v = v
                v["data"] = ["k": "1"]
                return v
            }
            try store.create(store.configMaps, namespace: "default", object: ["metadata": ["name": "b"]])
            let (_, events) = try await client.watch("/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=\(rv)", count: 2)
            #expect(events.map { $0["type"]?.stringValue ?? "" } == ["MODIFIED", "ADDED"])
            #expect(events.first?[path: ["object", "data", "k"]] == "1")
        }
    }

    @Test func watchFromACompactedVersionGetsAnExpiredError() async throws {
        try await withSim { server, client in
            let store = server.store
            let created = try store.create(store.configMaps, namespace: "default", object: ["metadata": ["name": "a"]])
            let rv = created[path: ["metadata", "resourceVersion"]]!.stringValue!
            try store.create(store.configMaps, namespace: "default", object: ["metadata": ["name": "b"]])
            server.compactHistory()
            let (status, events) = try await client.watch("/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=\(rv)", count: 1)
            #expect(status == 200)
            let event = try #require(events.first)
            #expect(event["type"] == "ERROR")
            #expect(event[path: ["object", "code"]] == 410)
            #expect(event[path: ["object", "reason"]] == "Expired")
            #expect(event[path: ["object", "message"]]?.stringValue?.hasPrefix("too old resource version: \(rv)") == true)
        }
    }

    @Test func historyWindowOverflowExpiresOldVersions() async throws {
        var configuration = ClusterSimServer.Configuration()
        configuration.historyLimit = 16
        try await withSim(configuration) { server, client in
            let store = server.store
            for i in 0..<40 {
                try store.create(store.configMaps, namespace: "default", object: ["metadata": ["name": .string("c\(i)")]])
            }
            let (_, events) = try await client.watch("/api/v1/configmaps?watch=1&resourceVersion=2", count: 1)
            #expect(events.first?["type"] == "ERROR")
        }
    }

    @Test func bookmarksCarryTheCurrentVersion() async throws {
        var configuration = ClusterSimServer.Configuration()
        configuration.bookmarkInterval = .milliseconds(100)
        try await withSim(configuration) { server, client in
            let rv = server.store.currentRevision
            let (_, events) = try await client.watch("/api/v1/namespaces/default/configmaps?watch=1&allowWatchBookmarks=true&resourceVersion=\(rv)", count: 1)
            let event = try #require(events.first)
            #expect(event["type"] == "BOOKMARK")
            #expect(event[path: ["object", "kind"]] == "ConfigMap")
            #expect(event[path: ["object", "metadata", "resourceVersion"]] == .string(String(rv)))
        }
    }

    @Test func sendInitialEventsEndsWithAnAnnotatedBookmark() async throws {
        try await withSim { server, client in
            try server.store.create(server.store.configMaps, namespace: "default", object: ["metadata": ["name": "a"]])
            let (_, events) = try await client.watch(
                "/api/v1/namespaces/default/configmaps?watch=1&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan",
                count: 2)
            #expect(events.map { $0["type"]?.stringValue ?? "" } == ["ADDED", "BOOKMARK"])
            #expect(events.last?[path: ["object", "metadata", "annotations", "k8s.io/initial-events-end"]] == "true")
        }
    }

    @Test func labelSelectedWatchSeesObjectsLeaveAsDeleted() async throws {
        try await withSim { server, client in
            let store = server.store
            try store.create(store.configMaps, namespace: "default", object: ["metadata": ["name": "a", "labels": ["on": "yes"]]])
            let rv = store.currentRevision
            let (_, events) = try await client.watch("/api/v1/configmaps?watch=1&labelSelector=on%3Dyes&resourceVersion=\(rv)", count: 1) {
                try await Task.sleep(for: .milliseconds(200))
                try store.patch(store.configMaps, namespace: "default", name: "a", type: .merge,
                                body: Array(#"{"metadata":{"labels":{"on":"no"}}}"#.utf8))
            }
            #expect(events.first?["type"] == "DELETED")
        }
    }

    @Test func timeoutSecondsEndsTheWatch() async throws {
        try await withSim { _, client in
            let start = ContinuousClock.now
            let (status, events) = try await client.watch("/api/v1/configmaps?watch=1&timeoutSeconds=1&resourceVersion=1", count: 100,
                                                          timeout: .seconds(10))
            #expect(status == 200)
            #expect(events.isEmpty)
            #expect(ContinuousClock.now - start < .seconds(5))
        }
    }

    @Test func closeAllWatchesEndsOpenStreams() async throws {
        try await withSim { server, client in
            let (_, events) = try await client.watch("/api/v1/configmaps?watch=1&resourceVersion=1", count: 100, timeout: .seconds(10)) {
                try await Task.sleep(for: .milliseconds(200))
                #expect(server.store.openWatchCount == 1)
                server.closeAllWatches()
            }
            #expect(events.isEmpty)
            #expect(server.store.openWatchCount == 0)
        }
    }

    @Test func inProcessWatchStreamsStoreChanges() async throws {
        let store = ClusterStore()
        let stream = try store.watch(store.configMaps, start: .after(store.currentRevision))
        try store.create(store.configMaps, namespace: "default", object: ["metadata": ["name": "a"]])
        try store.delete(store.configMaps, namespace: "default", name: "a")
        var types: [WatchEventType] = []
        for try await event in stream {
            types.append(event.type)
            if types.count == 2 { break }
        }
        #expect(types == [.added, .deleted])
    }

    @Test func slowInProcessWatcherIsClosedInsteadOfBlockingWriters() async throws {
        let store = ClusterStore()
        let stream = try store.watch(store.configMaps, start: .after(store.currentRevision), bufferLimit: 5)
        for i in 0..<20 {
            try store.create(store.configMaps, namespace: "default", object: ["metadata": ["name": .string("c\(i)")]])
        }
        #expect(store.openWatchCount == 0)
        var received = 0
        await #expect(throws: WatchEndError.self) {
            for try await _ in stream { received += 1 }
        }
        #expect(received == 5)
    }
}
