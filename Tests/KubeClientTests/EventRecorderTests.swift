import ClusterSim
import Foundation
import KubeModels
import MendTime
import Synchronization
import Testing

@testable import KubeClient

/// A sink that writes nothing and remembers what it was asked (as a dry-run path would).
final class DryRunSink: EventSink {
    private let calls = Mutex<[String]>([])
    var all: [String] { calls.withLock { $0 } }

    func createEvent(_ event: CoreV1Event) async throws -> CoreV1Event {
        calls.withLock { $0.append("create \(event.reason ?? "")") }
        return event
    }

    func patchEvent(name: String, namespace: String, patch: JSONValue) async throws -> CoreV1Event {
        calls.withLock { $0.append("patch \(name) count=\(patch["count"]?.intValue ?? 0)") }
        return CoreV1Event(metadata: ObjectMeta(name: name, namespace: namespace), involvedObject: ObjectReference())
    }
}

@Suite("Event recorder")
struct EventRecorderTests {
    static func node(_ name: String) -> Node {
        Node(metadata: ObjectMeta(name: name, uid: "uid-\(name)"))
    }

    @Test func repeatedEventBecomesOneEventWithACount() async throws {
        let clock = ManualClock()
        try await SimHarness.with { server, client in
            let recorder = EventRecorder(sink: client, component: "mend-drainer", host: "pod-1", clock: clock)
            let node = Self.node("node-1")
            var outcomes: [EventRecordOutcome] = []
            for _ in 0..<5 {
                outcomes.append(await recorder.record(node, type: EventType.warning, reason: "KernelDeadlock", message: "task hung"))
                clock.advance(by: .seconds(10))
            }
            guard case .created(let name) = outcomes[0] else {
                Issue.record("first record did not create: \(outcomes[0])")
                return
            }
            #expect(outcomes.last == .updated(name: name, count: 5))
            let events = try await client.list(CoreV1Event.self, namespace: "default").items
            #expect(events.count == 1)
            let event = try #require(events.first)
            #expect(event.count == 5)
            #expect(event.involvedObject.name == "node-1")
            #expect(event.involvedObject.kind == "Node")
            #expect(event.source?.component == "mend-drainer")
            #expect(event.type == "Warning")
            #expect(event.firstTimestamp == KubeTime(clock.now.addingTimeInterval(-50)))
            #expect(event.lastTimestamp == KubeTime(clock.now.addingTimeInterval(-10)))
            // Exactly one create and four patches reached the server.
            let writes = server.audit.writes.filter { $0.resource == "events" }
            #expect(writes.map(\.verb) == ["create", "patch", "patch", "patch", "patch"])
            // A different message is a different Event.
            _ = await recorder.record(node, type: EventType.warning, reason: "KernelDeadlock", message: "other")
            #expect(try await client.list(CoreV1Event.self, namespace: "default").items.count == 2)
        }
    }

    @Test func spamFilterAllowsABurstThenOnePerInterval() async throws {
        let clock = ManualClock()
        let sink = DryRunSink()
        let recorder = EventRecorder(sink: sink, component: "mend-detector", clock: clock)
        let node = Self.node("flappy")
        var dropped = 0
        for i in 0..<30 {
            if await recorder.record(node, type: "Normal", reason: "Flap", message: "flap \(i)") == .droppedAsSpam { dropped += 1 }
        }
        #expect(dropped == 5)
        #expect(sink.all.count == 25)
        // Another object has its own budget.
        #expect(await recorder.record(Self.node("calm"), type: "Normal", reason: "R", message: "m") != .droppedAsSpam)
        clock.advance(by: .seconds(299))
        #expect(await recorder.record(node, type: "Normal", reason: "Flap", message: "late") == .droppedAsSpam)
        clock.advance(by: .seconds(1))
        #expect(await recorder.record(node, type: "Normal", reason: "Flap", message: "late") != .droppedAsSpam)
        #expect(await recorder.record(node, type: "Normal", reason: "Flap", message: "later") == .droppedAsSpam)
    }

    @Test func expiredEventIsCreatedAgain() async throws {
        try await SimHarness.with { _, client in
            let recorder = EventRecorder(sink: client, component: "mend-drainer")
            let node = Self.node("node-2")
            guard case .created(let name) = await recorder.record(node, type: "Normal", reason: "Cordoned", message: "m")
            else {
                Issue.record("not created")
                return
            }
            try await client.delete(CoreV1Event.self, name: name, namespace: "default")
            guard case .created(let again) = await recorder.record(node, type: "Normal", reason: "Cordoned", message: "m")
            else {
                Issue.record("not re-created")
                return
            }
            #expect(again != name)
            let events = try await client.list(CoreV1Event.self, namespace: "default").items
            #expect(events.map(\.count) == [1])
        }
    }

    @Test func writesGoThroughTheSinkSoDryRunCanInterceptThem() async throws {
        let sink = DryRunSink()
        let recorder = EventRecorder(sink: sink, component: "mend-drainer")
        let pod = Pod(metadata: ObjectMeta(name: "web", namespace: "shop", uid: "u1"))
        _ = await recorder.record(pod, type: "Normal", reason: "Evicted", message: "drained")
        _ = await recorder.record(pod, type: "Normal", reason: "Evicted", message: "drained")
        #expect(sink.all.count == 2)
        #expect(sink.all[0] == "create Evicted")
        #expect(sink.all[1].hasPrefix("patch web.") && sink.all[1].hasSuffix("count=2"))
    }

    @Test func similarEventsBeyondTheThresholdAreCombinedIntoOneEvent() async throws {
        let clock = ManualClock()
        try await SimHarness.with { server, client in
            let recorder = EventRecorder(sink: client, component: "mend-detector", clock: clock, spamBurst: 1_000)
            let node = Self.node("node-3")
            var outcomes: [EventRecordOutcome] = []
            for i in 0..<30 {
                outcomes.append(
                    await recorder.record(node, type: EventType.warning, reason: "OOMKilling", message: "killed process \(i)"))
                clock.advance(by: .seconds(1))
            }
            // Nine distinct messages make nine Events; the tenth starts the combined one.
            #expect(outcomes.prefix(10).allSatisfy { if case .created = $0 { true } else { false } })
            guard case .created(let combinedName) = outcomes[9] else { return }
            #expect(outcomes.last == .updated(name: combinedName, count: 21))
            let events = try await client.list(CoreV1Event.self, namespace: "default").items
            #expect(events.count == 10)
            let combined = try #require(events.first { $0.metadata.name == combinedName })
            #expect(combined.count == 21)
            #expect(combined.message == EventRecorder.combinedMessagePrefix + "killed process 29")
            #expect(events.filter { $0.message?.hasPrefix(EventRecorder.combinedMessagePrefix) == true }.count == 1)
            #expect(server.audit.writes.filter { $0.resource == "events" && $0.verb == "create" }.count == 10)

            // Another reason is counted on its own.
            guard case .created = await recorder.record(node, type: EventType.warning, reason: "Other", message: "x")
            else {
                Issue.record("a different reason was combined")
                return
            }
            // After ten quiet minutes the count of distinct messages starts again.
            clock.advance(by: .seconds(601))
            let fresh = await recorder.record(node, type: EventType.warning, reason: "OOMKilling", message: "killed process 99")
            guard case .created(let freshName) = fresh else {
                Issue.record("expected a new individual Event, got \(fresh)")
                return
            }
            let created = try await client.get(CoreV1Event.self, name: freshName, namespace: "default")
            #expect(created.message == "killed process 99")
        }
    }

    @Test func combinedEventsStopAtTheSpamFilter() async throws {
        let sink = DryRunSink()
        let recorder = EventRecorder(sink: sink, component: "mend-detector", clock: ManualClock(), aggregateThreshold: 3)
        let node = Self.node("noisy")
        for i in 0..<40 { _ = await recorder.record(node, type: "Warning", reason: "R", message: "m\(i)") }
        // 2 individual creates, 1 combined create, then patches until the burst of 25 is spent.
        #expect(sink.all.count == 25)
        #expect(sink.all.filter { $0.hasPrefix("create") }.count == 3)
    }
}
