import Foundation
import KubeBenchmarkFixtures
import KubeModels

// KubeModels benchmarks: decode speed and informer memory, figures for people, not timed tests.
// Depends on KubeModels only, so a release build is quick:
//
//   swift run -c release KubeModelsBenchmarks [--pods 50000] [--nodes 5000] [--runs 3]
//       [--foundation] [--sections] [--only decode|memory] [--profile pod|summary|node]
//
// `--foundation` decodes with Foundation's JSONDecoder (the baseline) instead of KubeJSONDecoder.
//
// 1. Decode a NodeList of 5,000 and a PodList of 50,000 realistic objects (MB/s, one core), into
//    full models and into the slim PodSummary (best of `--runs`).
// 2. Informer memory per pod: resident growth of a cache of full Pods vs PodSummaries, each
//    measured in a fresh child process.
// The watch rate (HTTP + decode) is in KubeClientBenchmarks.

struct Arguments {
    var pods = 50_000
    var nodes = 5_000
    var runs = 3
    /// Internal: measure one cache kind in a fresh process (so freed memory from other work
    /// cannot be reused and hide the cache's growth).
    var memoryOnly: String?
    /// Run one part only: `decode` or `memory`.
    var only: String?

    init() {
        var iterator = CommandLine.arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--pods": pods = iterator.next().flatMap { Int($0) } ?? pods
            case "--nodes": nodes = iterator.next().flatMap { Int($0) } ?? nodes
            case "--runs": runs = max(1, iterator.next().flatMap { Int($0) } ?? runs)
            case "--memory-only": memoryOnly = iterator.next()
            case "--only": only = iterator.next()
            default: break
            }
        }
    }
}

/// Wall-clock and this thread's CPU seconds spent in `body`. On a shared machine the CPU time
/// is the better measure of one core's throughput (the wall clock also counts time the
/// scheduler gave to other processes).
func measure(_ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
    func cpuNow() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
    let start = ContinuousClock.now
    let cpuStart = cpuNow()
    try body()
    let cpu = cpuNow() - cpuStart
    let elapsed = ContinuousClock.now - start
    return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, cpu)
}

/// Resident memory of this process in bytes (from /proc/self/statm; 0 where unavailable).
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// The 1-, 5- and 15-minute load averages (from /proc/loadavg), to judge a figure by.
func loadAverage() -> String {
    guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
    return text.split(separator: " ").prefix(3).joined(separator: " ")
}

let useFoundation = CommandLine.arguments.contains("--foundation")

func decodeJSON<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
    useFoundation ? try JSONDecoder().decode(T.self, from: data) : try KubeJSONDecoder().decode(T.self, from: data)
}

func decodeBenchmark<T: Decodable>(_ name: String, _ type: T.Type, _ data: Data, count: Int, runs: Int) throws {
    var best = (wall: Double.infinity, cpu: Double.infinity)
    for _ in 0..<runs {
        let elapsed = try measure { _ = try decodeJSON(T.self, data) }
        best = (min(best.wall, elapsed.wall), min(best.cpu, elapsed.cpu))
    }
    let mb = Double(data.count) / 1_000_000
    print(
        String(
            format: "%@: %.1f MB; CPU %.3f s = %.0f MB/s (%.1f µs per object); wall %.3f s = %.0f MB/s", name, mb,
            best.cpu, mb / best.cpu, best.cpu / Double(count) * 1e6, best.wall, mb / best.wall))
}

let arguments = Arguments()

// MARK: Where does a Pod's decode time go? (`--sections`)

struct MetadataOnly: Decodable { var metadata: ObjectMeta }
struct SpecOnly: Decodable { var spec: PodSpec }
struct StatusOnly: Decodable { var status: PodStatus }
struct Empty: Decodable {}

if CommandLine.arguments.contains("--sections") {
    let documents = try (0..<5_000).map { try Fixtures.pod($0).serialized(sortedKeys: false) }
    func time<T: Decodable>(_ name: String, _ type: T.Type) throws {
        let elapsed = try measure { for d in documents { _ = try decodeJSON(T.self, d) } }
        print(String(format: "%@: %.1f µs CPU per pod", name, elapsed.cpu / Double(documents.count) * 1e6))
    }
    try time("JSONValue", JSONValue.self)
    try time("tape only (an empty struct)", Empty.self)
    try time("metadata", MetadataOnly.self)
    try time("spec", SpecOnly.self)
    try time("status", StatusOnly.self)
    try time("Pod", Pod.self)
    try time("PodSummary", PodSummary.self)
    exit(0)
}

// MARK: A steady decode loop for a profiler (`--profile pod|summary|node`)

if let index = CommandLine.arguments.firstIndex(of: "--profile"), index + 1 < CommandLine.arguments.count {
    let what = CommandLine.arguments[index + 1]
    let data =
        what == "node"
        ? try Fixtures.list(kind: "NodeList", items: (0..<1_000).map(Fixtures.node)).serialized(sortedKeys: false)
        : try Fixtures.list(kind: "PodList", items: (0..<1_000).map { Fixtures.pod($0) }).serialized(sortedKeys: false)
    let elapsed = try measure {
        for _ in 0..<20 {
            switch what {
            case "node": _ = try decodeJSON(ObjectList<Node>.self, data)
            case "summary": _ = try decodeJSON(ObjectList<PodSummary>.self, data)
            default: _ = try decodeJSON(ObjectList<Pod>.self, data)
            }
        }
    }
    print(String(format: "%@: %.0f MB/s CPU", what, Double(data.count) * 20 / 1e6 / elapsed.cpu))
    exit(0)
}

// MARK: Informer cache memory

// Each pod is decoded on its own (as watch events arrive) so the decoder's temporaries stay small
// and the growth of resident memory is the cache itself.
func cacheBytes<T: Decodable>(_ type: T.Type, key: (T) -> String) throws -> Double {
    let documents = try (0..<arguments.pods).map { try Fixtures.pod($0).serialized(sortedKeys: false) }
    for document in documents.prefix(200) { _ = try decodeJSON(T.self, document) }  // warm up
    let before = residentBytes()
    var cache: [String: T] = [:]
    cache.reserveCapacity(documents.count)
    for document in documents {
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
    process.arguments =
        ["--memory-only", kind, "--pods", String(arguments.pods)] + (useFoundation ? ["--foundation"] : [])
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return Double(output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? .nan
}

if let kind = arguments.memoryOnly {
    let bytes =
        kind == "slim"
        ? try cacheBytes(PodSummary.self) { $0.key }
        : try cacheBytes(Pod.self) { $0.key }
    print(String(format: "%.0f", bytes))
    exit(0)
}

func runs(_ part: String) -> Bool { arguments.only == nil || arguments.only == part }

print(
    "KubeModels benchmarks (release build, one core), decoder: "
        + (useFoundation ? "Foundation JSONDecoder" : "KubeJSONDecoder") + "; load average at start: \(loadAverage())")

if runs("memory") {
    let fullBytes = try measureInChild("full")
    let slimBytes = try measureInChild("slim")
    print(
        String(
            format:
                "Informer cache of %d pods: full Pod %.0f bytes/pod, PodSummary %.0f bytes/pod (resident growth, key included)",
            arguments.pods, fullBytes, slimBytes))
}

if runs("decode") {
    let nodeList = try Fixtures.list(kind: "NodeList", items: (0..<arguments.nodes).map(Fixtures.node))
        .serialized(sortedKeys: false)
    let podList = try Fixtures.list(kind: "PodList", items: (0..<arguments.pods).map { Fixtures.pod($0) })
        .serialized(sortedKeys: false)
    print(
        String(
            format: "  (average pod JSON: %.0f bytes, node JSON: %.0f bytes)",
            Double(podList.count) / Double(arguments.pods), Double(nodeList.count) / Double(arguments.nodes)))
    try decodeBenchmark(
        "NodeList of \(arguments.nodes) → [Node]", ObjectList<Node>.self, nodeList, count: arguments.nodes,
        runs: arguments.runs)
    try decodeBenchmark(
        "PodList of \(arguments.pods) → [Pod]", ObjectList<Pod>.self, podList, count: arguments.pods,
        runs: arguments.runs)
    try decodeBenchmark(
        "PodList of \(arguments.pods) → [PodSummary]", ObjectList<PodSummary>.self, podList, count: arguments.pods,
        runs: arguments.runs)
}
print("load average at end: \(loadAverage())")
