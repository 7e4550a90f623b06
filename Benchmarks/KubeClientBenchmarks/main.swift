import ClusterSim
import Foundation
import KubeBenchmarkFixtures
import KubeClient
import KubeModels
import Logging

// KubeClient benchmarks: figures for people, not timed tests.
//
//   swift run -c release KubeClientBenchmarks [--events 20000]
//
// Watch events per second, end to end: ClusterSim replays N pod events over HTTP; the client
// decodes each line into WatchEvent<Pod> (and into WatchEvent<PodSummary>).
// Decode speed and informer memory are in KubeModelsBenchmarks (KubeModels only, quick to
// build in release).

struct Arguments {
    var events = 20_000

    init() {
        var iterator = CommandLine.arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--events": events = iterator.next().flatMap { Int($0) } ?? events
            default: break
            }
        }
    }
}

let arguments = Arguments()
print("KubeClient watch benchmark (release build); load average at start: "
    + ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "unknown"))

// MARK: Watch events per second over HTTP

var simConfig = ClusterSimServer.Configuration()
simConfig.historyLimit = arguments.events + 1_000
simConfig.watchBufferLimit = arguments.events + 1_000
let server = try await ClusterSimServer.start(simConfig)
let pods = server.store.resource("pods")!
let startRV = String(server.store.currentRevision)
for i in 0..<arguments.events {
    var pod = Fixtures.pod(i, namespace: "default")
    pod["metadata"]?["resourceVersion"] = nil
    pod["metadata"]?["uid"] = nil
    _ = try server.store.create(pods, namespace: "default", object: pod)
}
var logger = Logger(label: "bench")
logger.logLevel = .warning
let client = try KubernetesClient(
    configuration: KubeConfiguration(server: URL(string: server.url)!),
    options: KubeClientOptions(qps: 0), logger: logger)

func watchRate<T: Decodable & Sendable>(_ type: T.Type, _ name: String) async throws {
    let start = ContinuousClock.now
    let stream = try await client.watch(
        T.self, resource: .pods, namespace: "default",
        options: WatchOptions(resourceVersion: startRV, allowWatchBookmarks: false, timeoutSeconds: 600))
    var received = 0
    for try await event in stream {
        if case .added = event { received += 1 }
        if received == arguments.events { break }
    }
    let elapsed = (ContinuousClock.now - start).seconds
    print(String(format: "Watch, %@: %d events in %.2f s = %.0f events/s (server replay + HTTP + client decode)",
                 name, received, elapsed, Double(received) / elapsed))
}

try await watchRate(Pod.self, "WatchEvent<Pod>")
try await watchRate(PodSummary.self, "WatchEvent<PodSummary>")
server.closeAllWatches()
try await client.shutdown()
try await server.shutdown()
