import ClusterSim
import Detector
import Foundation
import KubeClient
import KubeModels
import Logging
import MendCore
import MendTime

// DetectorBenchmarks: figures for people, not timed tests.
//
//   swift run -c release DetectorBenchmarks [path/to/kernel-monitor.json]
//
// 1. Rule-matching throughput on one core: a generated 1,000,000-line kernel log with 1 % lines that
//    match the upstream kernel rule set, streamed from a file in 64 KiB chunks (never held whole).
// 2. Peak resident memory of this process (VmHWM) after matching.
// 3. Line-to-condition latency: a line fed to a running detector until ClusterSim shows the condition.

func peakRSSKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
    }
    return -1
}

func currentRSSKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
    }
    return -1
}

let ruleFile = CommandLine.arguments.dropFirst().first
    ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/fixtures/npd/kernel-monitor.json").standardizedFileURL.path
guard case .systemLog(let monitor) = try MonitorLoader.load(path: ruleFile) else { fatalError("not a system-log monitor") }

// MARK: Generate the log

let ordinary = [
    "audit: type=1400 audit(1700000000.123:42): apparmor=\"STATUS\" operation=\"profile_load\" profile=\"unconfined\" name=\"cri-containerd.apparmor.d\" pid=1234 comm=\"apparmor_parser\"",
    "IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready",
    "cni0: port 3(veth1a2b3c4d) entered forwarding state",
    "EXT4-fs (nvme0n1p1): mounted filesystem with ordered data mode. Quota mode: none.",
    "xfs filesystem being mounted at /var/lib/containerd supports timestamps until 2038",
    "nf_conntrack: default automatic helper assignment has been turned off for security reasons",
    "IPVS: rr: TCP 10.96.0.10:53 - no destination available",
    "systemd[1]: Started session-42.scope - Session 42 of User ec2-user.",
    "eth0: renamed from vethd3adb33f",
    "task_work: blocked on nothing in particular, all fine",
]
let matching = [
    "Out of memory: Killed process 31652 (stress-ng) total-vm:1049400kB, anon-rss:998860kB, file-rss:4kB, shmem-rss:0kB, UID:0 pgtables:2008kB oom_score_adj:1000",
    "INFO: task docker:20744 blocked for more than 120 seconds.",
    "EXT4-fs error (device nvme0n1p1): ext4_find_entry:1455: inode #2: comm ls: reading directory lblock 0",
    "EXT4-fs (nvme0n1p1): Remounting filesystem read-only",
    "unregister_netdevice: waiting for eth0 to become free. Usage count = 2",
]
let lineCount = 1_000_000
let logPath = NSTemporaryDirectory() + "mend-detector-bench-\(getpid()).log"
do {
    FileManager.default.createFile(atPath: logPath, contents: nil)
    let out = FileHandle(forWritingAtPath: logPath)!
    var chunk = ""
    for i in 0..<lineCount {
        chunk += i % 100 == 37 ? matching[(i / 100) % matching.count] : ordinary[i % ordinary.count] + " seq=\(i)"
        chunk += "\n"
        if chunk.utf8.count > 1 << 20 { out.write(Data(chunk.utf8)); chunk = "" }
    }
    out.write(Data(chunk.utf8))
    try out.close()
}
defer { try? FileManager.default.removeItem(atPath: logPath) }
let size = (try FileManager.default.attributesOfItem(atPath: logPath)[.size] as? Int) ?? 0
print("rule file: \(ruleFile) (\(monitor.matcher.rules.count) rules)")
print("log: \(lineCount) lines, \(size / 1_000_000) MB, 1 % matching")
print("RSS before matching: \(currentRSSKiB() / 1024) MiB")

// MARK: Throughput

func matchFile() -> (lines: Int, fired: Int, seconds: Double) {
    var matcher = monitor.matcher
    let fd = open(logPath, O_RDONLY)
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    var carry: [UInt8] = []
    var lines = 0, fired = 0
    let start = ContinuousClock.now
    while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        buffer.withUnsafeBytes { raw in
            var lineStart = 0
            let base = raw.baseAddress!
            while lineStart < n {
                guard let nl = memchr(base + lineStart, 10, n - lineStart) else {
                    carry.append(contentsOf: raw[lineStart..<n])
                    break
                }
                let end = base.distance(to: UnsafeRawPointer(nl))
                if carry.isEmpty {
                    fired += matcher.match(utf8: UnsafeRawBufferPointer(rebasing: raw[lineStart..<end])).count
                } else {
                    carry.append(contentsOf: raw[lineStart..<end])
                    fired += carry.withUnsafeBytes { matcher.match(utf8: $0) }.count
                    carry.removeAll(keepingCapacity: true)
                }
                lines += 1
                lineStart = end + 1
            }
        }
    }
    return (lines, fired, (ContinuousClock.now - start).seconds)
}

var best = Double.infinity
var result = (lines: 0, fired: 0, seconds: 0.0)
for _ in 0..<3 {
    result = matchFile()
    best = min(best, result.seconds)
}
print(String(format: "throughput: %.0f lines/s (best of 3: %.3f s for %d lines, %d rule matches)",
             Double(result.lines) / best, best, result.lines, result.fired))
print("peak RSS after matching: \(peakRSSKiB() / 1024) MiB (VmHWM)")

// MARK: Line-to-condition latency against ClusterSim

let server = try await ClusterSimServer.start()
let client = try KubernetesClient(configuration: KubeConfiguration(server: URL(string: server.url)!, namespace: "default", origin: "bench"),
                                  options: KubeClientOptions(qps: 0, burst: 100))
_ = try await client.create(Node(metadata: ObjectMeta(name: "bench-node")))
final class Feed: LogSource, @unchecked Sendable {
    let name = "bench"
    let (stream, continuation) = AsyncThrowingStream.makeStream(of: LogRecord.self)
    func records() -> AsyncThrowingStream<LogRecord, any Error> { stream }
}
let conditionJSON = #"""
{"plugin": "kmsg", "source": "bench", "conditions": [{"type": "ReadonlyFilesystem", "reason": "FilesystemIsNotReadOnly", "message": "ok", "recoveryPattern": "Remount done read-write"}],
 "rules": [{"type": "permanent", "condition": "ReadonlyFilesystem", "reason": "FilesystemIsReadOnly", "pattern": "Remounting filesystem read-only"}]}
"""#
guard case .systemLog(let latencyMonitor) = try MonitorLoader.load(data: Data(conditionJSON.utf8), file: "bench.json") else { fatalError() }
let feed = Feed()
let metrics = DetectorMetrics()
let writes = WritePath(kubernetes: client, dryRun: false, logger: Logger(label: "bench"))
let writer = KubernetesNodeWriter(client: client, writes: writes, recorder: EventRecorder(sink: writes, component: "mend-detector"), metrics: metrics)
let detector = NodeProblemDetector(options: .init(nodeName: "bench-node"), writer: writer, metrics: metrics)
let run = Task { try await detector.run(logs: [.init(monitor: latencyMonitor, source: feed)], plugins: []) }
func conditionStatus() async throws -> String? {
    try await client.get(Node.self, name: "bench-node").status.conditions?.first { $0.type.rawValue == "ReadonlyFilesystem" }?.status.rawValue
}
while try await conditionStatus() != "False" { try await Task.sleep(for: .milliseconds(5)) }
var latencies: [Double] = []
for i in 0..<50 {
    let wanted = i % 2 == 0 ? "True" : "False"
    let start = ContinuousClock.now
    feed.continuation.yield(LogRecord(timestamp: Date(), message: wanted == "True" ? "EXT4-fs (sda1): Remounting filesystem read-only" : "Remount done read-write"))
    while try await conditionStatus() != wanted { try await Task.sleep(for: .milliseconds(1)) }
    latencies.append((ContinuousClock.now - start).seconds)
}
run.cancel()
latencies.sort()
print(String(format: "line-to-condition latency over %d changes: median %.1f ms, p95 %.1f ms, max %.1f ms (polling the API every 1 ms)",
             latencies.count, latencies[latencies.count / 2] * 1000, latencies[Int(Double(latencies.count) * 0.95)] * 1000, latencies.last! * 1000))
try await client.shutdown()
try await server.shutdown()
