import ClusterSim
import Foundation
import KubeClient
import KubeModels
import Logging


// KubeClient benchmarks: figures for people, not timed tests.
//
//   swift run -c release KubeClientBenchmarks [--pods 50000] [--nodes 5000] [--events 20000]
//       [--foundation] [--sections] [--only decode|memory|watch]
//
// `--foundation` decodes the lists and the memory test with Foundation's JSONDecoder (the
// baseline) instead of the client's KubeJSONDecoder; the watch always uses the client.
//
// 1. Decode a NodeList of 5,000 and a PodList of 50,000 realistic objects (MB/s, one core), into
//    full models and into the slim PodSummary.
// 2. Informer memory per pod: bytes of heap held by a cache of full Pods vs PodSummaries.
// 3. Watch events per second, end to end: ClusterSim replays N pod events over HTTP; the client
//    decodes each line into WatchEvent<Pod> (and into WatchEvent<PodSummary>).

struct Arguments {
    var pods = 50_000
    var nodes = 5_000
    var events = 20_000
    /// Internal: measure one cache kind in a fresh process (so freed memory from other work
    /// cannot be reused and hide the cache's growth).
    var memoryOnly: String?
    /// Run one part only: `decode`, `memory` or `watch`.
    var only: String?

    init() {
        var iterator = CommandLine.arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--pods": pods = iterator.next().flatMap { Int($0) } ?? pods
            case "--nodes": nodes = iterator.next().flatMap { Int($0) } ?? nodes
            case "--events": events = iterator.next().flatMap { Int($0) } ?? events
            case "--memory-only": memoryOnly = iterator.next()
            case "--only": only = iterator.next()
            default: break
            }
        }
    }
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    return (ContinuousClock.now - start).seconds
}

/// Resident memory of this process in bytes (from /proc/self/statm; 0 where unavailable).
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// Which decoder a figure is for: the client's (`KubeJSONDecoder`) or Foundation's `JSONDecoder`
/// (the baseline, `--foundation`).
let useFoundation = CommandLine.arguments.contains("--foundation")

func decodeJSON<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
    useFoundation ? try JSONDecoder().decode(T.self, from: data) : try KubeJSONDecoder().decode(T.self, from: data)
}

func decodeBenchmark<T: Decodable>(_ name: String, _ type: T.Type, _ data: Data, count: Int, runs: Int = 3) throws {
    var best = Double.infinity
    for _ in 0..<runs {
        let elapsed = try seconds { _ = try decodeJSON(T.self, data) }
        best = min(best, elapsed)
    }
    let mb = Double(data.count) / 1_000_000
    print(String(format: "%@: %.1f MB in %.3f s = %.0f MB/s (%.1f µs per object)", name, mb, best, mb / best, best / Double(count) * 1e6))
}

let arguments = Arguments()

// MARK: Where does a Pod's decode time go? (`--sections`)

struct MetadataOnly: Decodable { var metadata: ObjectMeta }
struct SpecOnly: Decodable { var spec: PodSpec }
struct StatusOnly: Decodable { var status: PodStatus }

if CommandLine.arguments.contains("--sections") {
    let documents = try (0..<5_000).map { try Fixtures.pod($0).serialized(sortedKeys: false) }
    func time<T: Decodable>(_ name: String, _ type: T.Type) throws {
        let elapsed = try seconds { for d in documents { _ = try decodeJSON(T.self, d) } }
        print(String(format: "%@: %.1f µs per pod", name, elapsed / Double(documents.count) * 1e6))
    }
    try time("JSONValue", JSONValue.self)
    try time("metadata", MetadataOnly.self)
    try time("spec", SpecOnly.self)
    try time("status", StatusOnly.self)
    try time("Pod", Pod.self)
    try time("PodSummary", PodSummary.self)
    exit(0)
}

// MARK: 2. Informer cache memory

// Each pod is decoded on its own (as watch events arrive) so the decoder's temporaries stay small
// and the growth of resident memory is the cache itself.
func podDocuments() throws -> [Data] { try (0..<arguments.pods).map { try Fixtures.pod($0).serialized(sortedKeys: false) } }

func cacheBytes<T: Decodable & Sendable>(_ type: T.Type, key: (T) -> String) throws -> Double {
    let podDocuments = try podDocuments()
    // Warm up the allocator and the decoder.
    for document in podDocuments.prefix(200) { _ = try decodeJSON(T.self, document) }
    let before = residentBytes()
    var cache: [String: T] = [:]
    cache.reserveCapacity(podDocuments.count)
    for document in podDocuments {
        let item = try decodeJSON(T.self, document)
        cache[key(item)] = item
    }
    let after = residentBytes()
    let perPod = Double(after - before) / Double(cache.count)
    withExtendedLifetime(cache) {}
    return perPod
}

func measureInChild(_ kind: String) throws -> Double {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    process.arguments = ["--memory-only", kind, "--pods", String(arguments.pods)] + (useFoundation ? ["--foundation"] : [])
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return Double(output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? .nan
}


if let kind = arguments.memoryOnly {
    let bytes = kind == "slim"
        ? try cacheBytes(PodSummary.self) { "\($0.namespace)/\($0.name)" }
        : try cacheBytes(Pod.self) { $0.key }
    print(String(format: "%.0f", bytes))
    exit(0)
}

print("KubeClient benchmarks (release build, one core for decoding), decoder: \(useFoundation ? "Foundation JSONDecoder" : "KubeJSONDecoder")")

// MARK: Informer cache memory (each kind measured in a fresh child process)

func runs(_ part: String) -> Bool { arguments.only == nil || arguments.only == part }

if runs("memory") {
    let fullBytes = try measureInChild("full")
    let slimBytes = try measureInChild("slim")
    print(String(format: "Informer cache of %d pods: full Pod %.0f bytes/pod, PodSummary %.0f bytes/pod (resident memory growth, key included)",
                 arguments.pods, fullBytes, slimBytes))
}


// MARK: 1. List decoding

if runs("decode") {
let nodeList = try Fixtures.list(kind: "NodeList", items: (0..<arguments.nodes).map(Fixtures.node)).serialized(sortedKeys: false)
try decodeBenchmark("NodeList of \(arguments.nodes) → [Node]", ObjectList<Node>.self, nodeList, count: arguments.nodes)
let podList = try Fixtures.list(kind: "PodList", items: (0..<arguments.pods).map { Fixtures.pod($0) }).serialized(sortedKeys: false)
print(String(format: "  (average pod JSON: %.0f bytes, node JSON: %.0f bytes)",
             Double(podList.count) / Double(arguments.pods), Double(nodeList.count) / Double(arguments.nodes)))
try decodeBenchmark("PodList of \(arguments.pods) → [Pod]", ObjectList<Pod>.self, podList, count: arguments.pods)
try decodeBenchmark("PodList of \(arguments.pods) → [PodSummary]", ObjectList<PodSummary>.self, podList, count: arguments.pods)
}
if !runs("watch") { exit(0) }

// MARK: 3. Watch events per second over HTTP

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
