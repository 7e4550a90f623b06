import ClusterSim
import Foundation
import KubeClient
import KubeModels
import Logging
import MendCore
import Prometheus
import Synchronization
import Testing

/// Counts calls and answers like a live server would, without one.
final class RecordingExecutor: WriteExecutor {
    private let calls = Mutex<[WriteRequest]>([])
    var requests: [WriteRequest] { calls.withLock { $0 } }

    func execute(_ request: WriteRequest) async throws -> WriteResult {
        calls.withLock { $0.append(request) }
        switch request {
        case .evictPod: return .eviction(.blockedByDisruptionBudget(message: "budget", retryAfter: nil))
        default: return .done
        }
    }
}

@Suite("The write path")
struct WritePathTests {
    static let cordon = Patch.merge(["spec": ["unschedulable": true]])

    static func seed(_ client: KubernetesClient) async throws {
        _ = try await client.create(Node(metadata: ObjectMeta(name: "node-a")))
        _ = try await client.create(
            Pod(metadata: ObjectMeta(name: "web-1", namespace: "default"), spec: PodSpec(containers: [Container(name: "app", image: "nginx")])))
    }

    static func event() -> CoreV1Event {
        CoreV1Event(
            metadata: ObjectMeta(name: "node-a.cordon", namespace: "default"),
            involvedObject: ObjectReference(kind: "Node", name: "node-a"), reason: "Cordoned",
            message: "cordoned for KernelDeadlock", type: "Normal")
    }

    @Test func dryRunSendsNothingButLogsEveryIntendedCall() async throws {
        try await Sim.with { server, client in
            try await Self.seed(client)
            server.audit.clear()
            let sink = MemoryLogSink()
            let registry = PrometheusCollectorRegistry()
            let writes = WritePath(
                kubernetes: client, dryRun: true, logger: memoryLogger(sink), factory: PrometheusMetricsFactory(registry: registry))

            let node = try await writes.patchNode("node-a", patch: Self.cordon)
            #expect(node.spec.unschedulable == true)  // the plausible answer has the patch applied
            let event = try await writes.createEvent(Self.event())
            #expect(event.metadata.creationTimestamp != nil)
            #expect(try await writes.evictPod("web-1", namespace: "default") == .evicted)
            #expect(try await writes.evictPod("gone", namespace: "default") == .notFound)
            try await writes.deletePod("web-1", namespace: "default")
            try await writes.setDesiredCapacity(group: "workers", to: 4)
            try await writes.terminateInstance("i-0abc", decrementDesiredCapacity: true)

            #expect(server.audit.writes.isEmpty)
            let stored = try await client.get(Node.self, name: "node-a")
            #expect(stored.spec.unschedulable != true)
            _ = try await client.get(Pod.self, name: "web-1", namespace: "default")

            let lines = try parsedLines(sink).filter { $0["message"] as? String == "dry-run: would write" }
            #expect(
                lines.compactMap { $0["verb"] as? String } == [
                    "patch_node", "create_event", "evict_pod", "evict_pod", "delete_pod", "set_desired_capacity",
                    "terminate_instance",
                ])
            #expect(lines.first?["object"] as? String == "node/node-a")
            #expect(lines.first?["change"] as? String == #"merge {"spec":{"unschedulable":true}}"#)
            #expect(lines[5]["change"] as? String == "desiredCapacity=4")
            let metrics = registry.emitToString()
            #expect(sample(metrics, "mend_writes_total", ["verb": "evict_pod", "result": "dry_run", "mode": "dry_run"]) == 2)
            #expect(sample(metrics, "mend_writes_total", ["verb": "patch_node", "result": "dry_run"]) == 1)
        }
    }

    @Test func livePathMakesExactlyTheWritesAsked() async throws {
        try await Sim.with { server, client in
            try await Self.seed(client)
            server.audit.clear()
            let registry = PrometheusCollectorRegistry()
            let writes = WritePath(
                kubernetes: client, dryRun: false, logger: memoryLogger(MemoryLogSink()),
                factory: PrometheusMetricsFactory(registry: registry))

            _ = try await writes.patchNode("node-a", patch: Self.cordon)
            _ = try await writes.patchNodeStatus(
                "node-a",
                patch: .strategicMerge(["status": ["conditions": [["type": "KernelDeadlock", "status": "True", "reason": "Hung"]]]]))
            _ = try await writes.createEvent(Self.event())
            #expect(try await writes.evictPod("web-1", namespace: "default") == .evicted)

            let entries = server.audit.writes.map { "\($0.verb) \($0.resource)/\($0.subresource) \($0.name)" }
            #expect(
                entries == [
                    "patch nodes/ node-a", "patch nodes/status node-a", "create events/ node-a.cordon",
                    "create pods/eviction web-1",
                ])
            let node = try await client.get(Node.self, name: "node-a")
            #expect(node.spec.unschedulable == true)
            #expect(node.status.conditions?.contains { $0.type == "KernelDeadlock" } == true)
            let metrics = registry.emitToString()
            #expect(sample(metrics, "mend_writes_total", ["verb": "patch_node", "result": "success", "mode": "live"]) == 1)
            #expect(sample(metrics, "mend_writes_total", ["verb": "evict_pod", "result": "success", "mode": "live"]) == 1)
        }
    }

    @Test func failedWritesAreCountedAndRethrown() async throws {
        try await Sim.with { server, client in
            let registry = PrometheusCollectorRegistry()
            let writes = WritePath(
                kubernetes: client, dryRun: false, logger: memoryLogger(MemoryLogSink()),
                factory: PrometheusMetricsFactory(registry: registry))
            await #expect(throws: KubeClientError.self) { try await writes.patchNode("missing", patch: Self.cordon) }
            await #expect(throws: WritePathError.notConfigured(verb: "set_desired_capacity", missing: "node-group provider")) {
                try await writes.setDesiredCapacity(group: "workers", to: 3)
            }
            #expect(server.audit.writes.allSatisfy { $0.code >= 400 })
            let metrics = registry.emitToString()
            #expect(sample(metrics, "mend_writes_total", ["verb": "patch_node", "result": "error"]) == 1)
            #expect(sample(metrics, "mend_writes_total", ["verb": "set_desired_capacity", "result": "error"]) == 1)
        }
    }

    @Test func testsCanCountCallsWithTheirOwnExecutor() async throws {
        let recorder = RecordingExecutor()
        let registry = PrometheusCollectorRegistry()
        let writes = WritePath(
            executor: recorder, dryRun: false, logger: memoryLogger(MemoryLogSink()),
            factory: PrometheusMetricsFactory(registry: registry))
        let outcome = try await writes.evictPod("web-1", namespace: "default")
        #expect(outcome == .blockedByDisruptionBudget(message: "budget", retryAfter: nil))
        #expect(recorder.requests == [.evictPod(name: "web-1", namespace: "default", options: nil)])
        #expect(sample(registry.emitToString(), "mend_writes_total", ["verb": "evict_pod", "result": "blocked"]) == 1)
    }

    @Test func eventRecorderWritesThroughTheWritePath() async throws {
        try await Sim.with { server, client in
            _ = try await client.create(Node(metadata: ObjectMeta(name: "node-a")))
            server.audit.clear()
            let sink = MemoryLogSink()
            let writes = WritePath(
                kubernetes: client, dryRun: true, logger: memoryLogger(sink),
                factory: PrometheusMetricsFactory(registry: PrometheusCollectorRegistry()))
            let recorder = EventRecorder(sink: writes, component: "mend-drainer")
            let node = try await client.get(Node.self, name: "node-a")
            #expect(await recorder.record(node, type: "Warning", reason: "Draining", message: "draining node-a").isCreated)
            // The repeat is a patch of an Event that only the dry run "created"; it must not fail.
            let repeated = await recorder.record(node, type: "Warning", reason: "Draining", message: "draining node-a")
            #expect(repeated == .updated(name: try #require(repeated.name), count: 2))
            #expect(server.audit.writes.isEmpty)
            let lines = try parsedLines(sink)
            #expect(lines.compactMap { $0["verb"] as? String } == ["create_event", "patch_event"])
            #expect(!lines.contains { $0["level"] as? String == "warning" })
        }
    }
}

extension EventRecordOutcome {
    var isCreated: Bool { if case .created = self { true } else { false } }
    var name: String? {
        switch self {
        case .created(let name), .updated(let name, _): name
        default: nil
        }
    }
}
