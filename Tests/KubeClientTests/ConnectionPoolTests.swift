import ClusterSim
import Foundation
import KubeClient
import KubeModels
import Testing

/// Open watches each hold a connection; they must never starve the client's ordinary requests.
@Suite("Connection pool", .timeLimit(.minutes(1)))
struct ConnectionPoolTests {
    @Test func requestsStillGoThroughWhileTwelveWatchesAreOpen() async throws {
        try await SimHarness.with { server, client in
            let watchCount = 12
            try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<watchCount {
                    group.addTask {
                        let stream = try await client.watch(ConfigMap.self, namespace: "default",
                                                            options: WatchOptions(timeoutSeconds: 30))
                        for try await event in stream {
                            if case .added(let configMap) = event { return configMap.name }
                        }
                        return nil
                    }
                }
                let deadline = ContinuousClock.now + .seconds(20)
                while server.store.openWatchCount < watchCount, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(server.store.openWatchCount == watchCount)

                // With every watch open, a read and a write still complete.
                let namespace = try await client.get(Namespace.self, name: "default")
                #expect(namespace.name == "default")
                _ = try await client.create(SimHarness.configMap("seen-by-all"))

                var names: [String?] = []
                for try await name in group { names.append(name) }
                #expect(names == Array(repeating: "seen-by-all", count: watchCount))
            }
        }
    }
}
