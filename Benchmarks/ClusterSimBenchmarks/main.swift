// ClusterSim benchmarks: `swift run -c release ClusterSimBenchmarks [nodes] [pods]`.
//
// 1. Holding a large cluster: resident memory after loading N nodes and M pods.
// 2. Serving `kubectl get pods -A` at that size over HTTP (wall time of the real kubectl).
// 3. Watch fan-out: a stream of pod writes delivered to 10 in-process watchers.
//
// Figures print as one line each, with the goal they are measured against.
import ClusterSim
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KubeModels

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let nodeCount = arguments.first ?? 5_000
let podCount = arguments.dropFirst().first ?? 50_000
let watcherCount = 10
let watchWrites = 20_000

func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

func mebibytes(_ bytes: Int) -> String { String(format: "%.0f MiB", Double(bytes) / 1_048_576) }

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

func report(_ name: String, _ value: String, goal: String, met: Bool) {
    print("\(name): \(value)  (goal \(goal): \(met ? "met" : "MISSED"))")
}

let store = ClusterStore(historyLimit: 100_000)
let nodes = store.resource("nodes")!
let pods = store.resource("pods")!
let baseline = residentBytes()
let loadStart = ContinuousClock.now

for n in 0..<nodeCount {
    let name = "ip-10-\(n / 65536 % 256)-\(n / 256 % 256)-\(n % 256).ec2.internal"
    _ = try store.create(nodes, namespace: nil, object: BenchmarkObjects.node(name: name, index: n),
                         options: WriteOptions(keepStatusOnCreate: true))
}
let namespaces = store.resource("namespaces")!
for ns in 0..<50 {
    _ = try store.create(namespaces, namespace: nil, object: ["metadata": ["name": .string("team-\(ns)")]])
}
for p in 0..<podCount {
    let n = p % nodeCount
    let node = "ip-10-\(n / 65536 % 256)-\(n / 256 % 256)-\(n % 256).ec2.internal"
    _ = try store.create(pods, namespace: "team-\(p % 50)", object: BenchmarkObjects.pod(index: p, node: node),
                         options: WriteOptions(keepStatusOnCreate: true))
}
let loadTime = ContinuousClock.now - loadStart
let held = residentBytes()
print("loaded \(nodeCount) nodes and \(podCount) pods in \(String(format: "%.1f", seconds(loadTime))) s")
report("resident memory holding \(nodeCount) nodes + \(podCount) pods", "\(mebibytes(held)) (\(mebibytes(held - baseline)) above the empty process)",
       goal: "< 1024 MiB", met: held < 1 << 30)

// 2. kubectl get pods -A over HTTP.
let kubectl = "/usr/bin/kubectl"
if FileManager.default.isExecutableFile(atPath: kubectl) {
    let server = try await ClusterSimServer.start(store: store)
    let kubeconfig = try server.writeKubeconfig()
    func runKubectl(_ args: [String]) throws -> (Duration, Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: kubectl)
        process.arguments = ["--kubeconfig", kubeconfig.path] + args
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString).txt")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        let handle = try FileHandle(forWritingTo: out)
        process.standardOutput = handle
        process.standardError = FileHandle.nullDevice
        let start = ContinuousClock.now
        try process.run()
        process.waitUntilExit()
        let elapsed = ContinuousClock.now - start
        try handle.close()
        let lines = ((try? String(contentsOf: out, encoding: .utf8)) ?? "").split(separator: "\n").count
        try? FileManager.default.removeItem(at: out)
        return (elapsed, lines)
    }
    _ = try runKubectl(["get", "nodes", "--request-timeout=60s"])  // Warm discovery cache and connections.
    let (elapsed, lines) = try runKubectl(["get", "pods", "-A", "--request-timeout=120s"])
    report("kubectl get pods -A (\(lines - 1) rows)", String(format: "%.2f s", seconds(elapsed)), goal: "< 5 s",
           met: seconds(elapsed) < 5 && lines - 1 == podCount)
    // Where the time goes: the same Table pages fetched without kubectl's own decoding and printing.
    let serverStart = ContinuousClock.now
    var pages = 0
    var token: String?
    repeat {
        var url = "\(server.url)/api/v1/pods?limit=500"
        if let next = token { url += "&continue=\(next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? next)" }
        let (page, _) = try await URLSession.shared.data(for: {
            var request = URLRequest(url: URL(string: url)!)
            request.setValue("application/json;as=Table;v=v1;g=meta.k8s.io,application/json", forHTTPHeaderField: "Accept")
            return request
        }())
        // Only the continue token is read (no decoding), so the figure is the server's and the transfer's.
        token = nil
        if let text = String(data: page, encoding: .utf8),
           let range = text.range(of: "\"continue\":\"") {
            let rest = text[range.upperBound...]
            if let end = rest.firstIndex(of: "\""), end > rest.startIndex { token = String(rest[..<end]) }
        }
        pages += 1
    } while token != nil && pages < 1_000
    print("  of which the server's \(pages) Table pages of 500 (fetched without kubectl): "
        + String(format: "%.2f s", seconds(ContinuousClock.now - serverStart)))
    let (chunkless, _) = try runKubectl(["get", "pods", "-A", "--chunk-size=0", "--request-timeout=120s"])
    print("kubectl get pods -A --chunk-size=0 (one request): \(String(format: "%.2f s", seconds(chunkless)))")
    let verbose = try runKubectlCapturing(["get", "pods", "-A", "-v=6", "--request-timeout=120s"])
    let throttled = verbose.split(separator: "\n").filter { $0.contains("client-side throttling") }.count
    print("  kubectl -v=6 reports \(throttled) requests delayed by client-side throttling")
    func runKubectlCapturing(_ args: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: kubectl)
        process.arguments = ["--kubeconfig", kubeconfig.path] + args
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString).txt")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        let handle = try FileHandle(forWritingTo: out)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        defer { try? FileManager.default.removeItem(at: out) }
        return (try? String(contentsOf: out, encoding: .utf8)) ?? ""
    }
    try await server.shutdown()
    try? FileManager.default.removeItem(at: kubeconfig)
} else {
    print("kubectl get pods -A: skipped (\(kubectl) not found)")
}

// 3. Watch fan-out: status writes to existing pods, delivered to 10 watchers of all pods.
let watchTargets = try store.list(pods, options: ListOptions(limit: min(podCount, 1_000))).items
    .map { ($0.namespace, $0.name) }
let fanOutStart = ContinuousClock.now
let received = try await withThrowingTaskGroup(of: Int.self) { group in
    for _ in 0..<watcherCount {
        let stream = try store.watch(pods, start: .after(store.currentRevision), bufferLimit: watchWrites + 10)
        group.addTask {
            var count = 0
            for try await _ in stream {
                count += 1
                if count == watchWrites { break }
            }
            return count
        }
    }
    for i in 0..<watchWrites {
        let (namespace, name) = watchTargets[i % watchTargets.count]
        _ = try store.modify(pods, namespace: namespace, name: name, subresource: .status) { pod in
            var pod = pod
            pod["status"]?["message"] = .string("write \(i)")
            return pod
        }
    }
    var total = 0
    for try await count in group { total += count }
    return total
}
let fanOut = seconds(ContinuousClock.now - fanOutStart)
let perSecond = Double(received) / fanOut
report("watch fan-out: \(watchWrites) writes to \(watcherCount) watchers (\(received) deliveries)",
       String(format: "%.0f events/s delivered, %.0f writes/s", perSecond, Double(watchWrites) / fanOut),
       goal: ">= 20000 events/s", met: perSecond >= 20_000 && received == watchWrites * watcherCount)
