import ClusterSim
import Foundation
import KubeModels
import MendTime
import Synchronization
import Testing

@testable import KubeClient

@Suite("Watch and informer against ClusterSim")
struct WatchAndInformerTests {
    @Test func watchStreamsTypedEventsFromAResourceVersion() async throws {
        try await SimHarness.with { _, client in
            let start = try await client.list(ConfigMap.self, namespace: "default")
            let stream = try await client.watch(
                ConfigMap.self, namespace: "default",
                options: WatchOptions(resourceVersion: start.metadata.resourceVersion, timeoutSeconds: 30))
            _ = try await client.create(SimHarness.configMap("w", data: ["v": "1"]))
            _ = try await client.patch(ConfigMap.self, name: "w", patch: .merge(["data": ["v": "2"]]))
            try await client.delete(ConfigMap.self, name: "w")
            var seen: [String] = []
            for try await event in stream {
                switch event {
                case .added(let cm): seen.append("ADDED \(cm.data?["v"] ?? "")")
                case .modified(let cm): seen.append("MODIFIED \(cm.data?["v"] ?? "")")
                case .deleted(let cm): seen.append("DELETED \(cm.name)")
                case .bookmark: continue
                case .error(let status): Issue.record("unexpected error event \(status)")
                }
                if seen.count == 3 { break }
            }
            #expect(seen == ["ADDED 1", "MODIFIED 2", "DELETED w"])
        }
    }

    @Test func watchFromACompactedResourceVersionGivesAGoneErrorEvent() async throws {
        try await SimHarness.with { server, client in
            let old = try await client.list(ConfigMap.self, namespace: "default").metadata.resourceVersion
            for i in 0..<3 { _ = try await client.create(SimHarness.configMap("c\(i)")) }
            server.compactHistory()
            let stream = try await client.watch(
                ConfigMap.self, namespace: "default", options: WatchOptions(resourceVersion: old, timeoutSeconds: 30))
            var iterator = stream.makeAsyncIterator()
            let first = try await iterator.next()
            guard case .error(let status) = first else {
                Issue.record("expected an ERROR event, got \(String(describing: first))")
                return
            }
            #expect(status.code == 410)
        }
    }

    /// Collects informer events in order.
    final class Recorder: Sendable {
        private let lines = Mutex<[String]>([])
        func add(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    static func describe(_ event: InformerEvent<ConfigMap>) -> String {
        switch event {
        case .added(let cm): return "added \(cm.name)"
        case .updated(let old, let new): return "updated \(new.name) \(old.data?["v"] ?? "-")→\(new.data?["v"] ?? "-")"
        case .deleted(let cm): return "deleted \(cm.name)"
        case .synced: return "synced"
        }
    }

    /// Waits until the informer's watch is live on the server (it delivered a fresh object).
    static func waitForLiveWatch(_ client: KubernetesClient, _ informer: Informer<ConfigMap>, probe: String) async throws {
        _ = try await client.create(SimHarness.configMap(probe))
        try await waitUntil { informer.get(name: probe, namespace: "default") != nil }
    }

    func withInformer(
        _ body: (ClusterSimServer, KubernetesClient, Informer<ConfigMap>, Recorder) async throws -> Void
    ) async throws {
        try await SimHarness.with { server, client in
            _ = try await client.create(SimHarness.configMap("before", data: ["v": "0"]))
            let informer = Informer<ConfigMap>(
                client: client, namespace: "default", watchTimeoutSeconds: 30...30,
                backoff: .init(initial: .milliseconds(10), maximum: .milliseconds(50)))
            let recorder = Recorder()
            let events = informer.events()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await informer.run() }
                group.addTask {
                    for await event in events { recorder.add(Self.describe(event)) }
                }
                try await informer.waitForSync()
                try await body(server, client, informer, recorder)
                group.cancelAll()
                try? await group.waitForAll()
            }
        }
    }

    @Test func informerSyncsThenDeliversAddsUpdatesAndDeletes() async throws {
        try await withInformer { _, client, informer, recorder in
            #expect(informer.hasSynced)
            #expect(informer.get(name: "before", namespace: "default")?.data == ["v": "0"])
            _ = try await client.create(SimHarness.configMap("new", data: ["v": "1"]))
            _ = try await client.patch(ConfigMap.self, name: "new", patch: .merge(["data": ["v": "2"]]))
            try await client.delete(ConfigMap.self, name: "before")
            try await waitUntil { recorder.all.count >= 5 }
            #expect(recorder.all == ["added before", "synced", "added new", "updated new 1→2", "deleted before"])
            #expect(informer.list().map(\.name) == ["new"])
            #expect(informer.counters.lists == 1)
        }
    }

    @Test func cleanWatchEndResumesFromTheLastResourceVersionWithoutRelisting() async throws {
        try await withInformer { server, client, informer, recorder in
            try await Self.waitForLiveWatch(client, informer, probe: "probe")
            server.closeAllWatches()
            try await waitUntil { informer.counters.watches >= 2 }
            _ = try await client.create(SimHarness.configMap("after-resume"))
            try await waitUntil { informer.get(name: "after-resume", namespace: "default") != nil }
            #expect(informer.counters.lists == 1)
            #expect(!recorder.all.contains("deleted before"))
        }
    }

    @Test func goneAfterCompactionRelistsAndReportsTheDifference() async throws {
        try await withInformer { server, client, informer, recorder in
            try await Self.waitForLiveWatch(client, informer, probe: "probe")
            // Keep the informer from re-watching while the cluster changes and history is compacted.
            let block = server.faults.failNext(1_000, code: 503, matching: .init(verb: "watch"))
            server.closeAllWatches()
            try await waitUntil { informer.counters.watches >= 2 }
            _ = try await client.create(SimHarness.configMap("missed"))
            _ = try await client.patch(ConfigMap.self, name: "before", patch: .merge(["data": ["v": "9"]]))
            server.compactHistory()
            server.faults.remove(block)
            try await waitUntil(timeout: .seconds(10)) { informer.counters.lists == 2 }
            try await waitUntil { informer.get(name: "missed", namespace: "default") != nil }
            #expect(informer.get(name: "before", namespace: "default")?.data == ["v": "9"])
            try await waitUntil { recorder.all.contains("updated before 0→9") }
            #expect(recorder.all.contains("added missed"))
            #expect(recorder.all.filter { $0 == "synced" }.count == 1)
        }
    }

    @Test func failedListsAreRetriedWithBackoffUntilTheyWork() async throws {
        try await SimHarness.with { server, client in
            server.faults.failNext(6, code: 500, matching: .init(verb: "list"))
            let informer = Informer<ConfigMap>(
                client: client, namespace: "default", backoff: .init(initial: .milliseconds(5), maximum: .milliseconds(20)))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await informer.run() }
                try await informer.waitForSync()
                #expect(informer.counters.lists >= 2)
                group.cancelAll()
                try? await group.waitForAll()
            }
        }
    }

    @Test func lateSubscriberGetsTheCacheFirst() async throws {
        try await withInformer { _, _, informer, _ in
            var iterator = informer.events().makeAsyncIterator()
            let first = await iterator.next()
            let second = await iterator.next()
            #expect(first.map(Self.describe) == "added before")
            #expect(second.map(Self.describe) == "synced")
        }
    }
}
