#if canImport(Glibc)
import Glibc
#endif
import Foundation
import KubeModels
import Synchronization
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

    @Test func everyWatcherReceivesEveryEventInOrder() async throws {
        try await withSim { server, client in
            let store = server.store
            let rv = store.currentRevision
            let results = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        let (_, events) = try await client.watch("/api/v1/configmaps?watch=1&resourceVersion=\(rv)", count: 50,
                                                                 timeout: .seconds(10))
                        return events.compactMap { $0[path: ["object", "metadata", "name"]]?.stringValue }
                    }
                }
                let deadline = ContinuousClock.now + .seconds(5)
                while store.openWatchCount < 10, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
                for i in 0..<50 {
                    try store.create(store.configMaps, namespace: "default", object: ["metadata": ["name": .string("c\(i)")]])
                }
                var all: [[String]] = []
                for try await names in group { all.append(names) }
                return all
            }
            #expect(results.count == 10)
            for names in results { #expect(names == (0..<50).map { "c\($0)" }) }
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

    /// A watch's consumer cancelled (through its task group) while a writer delivers events to it
    /// must neither deadlock the store nor leave the watch counted as open. The stream's
    /// termination handler runs under the consumer task's status lock while the writer, holding
    /// the store's lock, may be resuming that task; the handler used to wait for the store's lock.
    @Test(.timeLimit(.minutes(2)))
    func cancellingWatchConsumersWhileWritersDeliverNeverDeadlocks() async throws {
        let store = ClusterStore()
        // One object created and deleted over and over: a steady stream of events, a small store.
        // The writer has a thread of its own: a busy loop in a task would hold one of the
        // cooperative pool's threads (two on a 2-core machine) and starve the tests running beside
        // this one.
        let writer = WriterLoop()
        Thread {
            var i = 0
            while !writer.stop.load(ordering: .relaxed), i < 100_000 {
                _ = try? store.create(store.configMaps, namespace: "default", object: ["metadata": ["name": "w"]])
                _ = try? store.delete(store.configMaps, namespace: "default", name: "w")
                i += 1
            }
            writer.finished.store(true, ordering: .releasing)
        }.start()
        for round in 0..<300 {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        guard let stream = try? store.watch(store.configMaps, start: .after(store.currentRevision)) else { return }
                        var seen = 0
                        do { for try await _ in stream { seen += 1; if seen > 1_000 { break } } } catch {}
                    }
                }
                try? await Task.sleep(for: .microseconds(200 + round % 7 * 100))
                group.cancelAll()
            }
        }
        writer.stop.store(true, ordering: .relaxed)
        for _ in 0..<10_000 where !writer.finished.load(ordering: .acquiring) {
            try await Task.sleep(for: .milliseconds(1))
        }
        let writerFinished = writer.finished.load(ordering: .acquiring)
        #expect(writerFinished)
        #expect(store.openWatchCount == 0)
    }

    /// The flags between the test and its writer thread.
    final class WriterLoop: Sendable {
        let stop = Atomic<Bool>(false)
        let finished = Atomic<Bool>(false)
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

@Suite("Slow HTTP watchers")
struct SlowWatcherTests {
    /// Opens a raw TCP connection, sends one request and never reads the answer.
    static func openStalledConnection(port: Int, path: String) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EBADF) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        // A small receive buffer makes the server's socket back up quickly.
        var small: Int32 = 4096
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(fd); throw POSIXError(.ECONNREFUSED) }
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        return fd
    }

    @Test func watcherThatStopsReadingIsClosedWithoutStallingWriters() async throws {
        var configuration = ClusterSimServer.Configuration()
        configuration.watchBufferLimit = 20
        try await withSim(configuration) { server, _ in
            let store = server.store
            let fd = try Self.openStalledConnection(port: server.port, path: "/api/v1/configmaps?watch=1&resourceVersion=\(store.currentRevision)")
            defer { close(fd) }
            let deadline = ContinuousClock.now + .seconds(5)
            while store.openWatchCount < 1, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            #expect(store.openWatchCount == 1)
            let payload = JSONValue.string(String(repeating: "x", count: 64 * 1024))
            let start = ContinuousClock.now
            var i = 0
            while store.openWatchCount > 0, i < 2000, ContinuousClock.now - start < .seconds(20) {
                try store.create(store.configMaps, namespace: "default", object: ["metadata": ["name": .string("c\(i)")], "data": ["blob": payload]])
                i += 1
                if i % 50 == 0 { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(store.openWatchCount == 0, "the stalled watcher must be dropped")
            #expect(i < 2000)
        }
    }
}
