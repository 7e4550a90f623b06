import ClusterSim
import Foundation
import KubeClient
import KubeModels
import MendTime

/// How a demo ended.
public struct DemoReport: Sendable {
    /// Whether the cluster healed within the time allowed.
    public var healed: Bool
    /// Simulated time from the fault to the healthy cluster (nil if it did not heal).
    public var timeToHeal: Duration?
    /// Pods evicted from sick nodes.
    public var podsDisrupted: Int
    /// Nodes added by scale-ups.
    public var capacityAdded: Int
    /// Nodes removed.
    public var nodesRemoved: Int
    /// The most nodes cordoned at once (the drain budget's ceiling shows here).
    public var mostCordonedAtOnce: Int
    /// Every step seen, in order.
    public var timeline: [TimelineEntry]
}

/// Drives a ``Chain`` through its scenario: waits for the cluster to settle, injects the kernel
/// fault, watches the chain heal it, and reports.
public struct DemoRun: Sendable {
    public let chain: Chain
    /// The longest the demo waits for healing, in simulated time.
    public let timeout: Duration

    /// A run of `chain`.
    public init(chain: Chain, timeout: Duration = .seconds(1800)) {
        self.chain = chain
        self.timeout = timeout
    }

    /// Runs the scenario; `report` is called with each timeline entry as it happens, and
    /// `afterwards` with the report while the chain still runs (e.g. to keep it up for kubectl).
    public func run(
        report: @escaping @Sendable (TimelineEntry) -> Void,
        afterwards: @escaping @Sendable (DemoReport) async throws -> Void = { _ in }
    ) async throws -> DemoReport {
        try await chain.run {
            let result = try await self.observe(report: report)
            try await afterwards(result)
            return result
        }
    }

    private func observe(report: @escaping @Sendable (TimelineEntry) -> Void) async throws -> DemoReport {
        let client = try chain.client("mend-demo")
        defer { Task { try? await client.shutdown() } }
        let clock = chain.clock
        let scenario = chain.configuration.scenario
        var observer = HealingObserver(conditionType: DemoScenario.conditionType)
        var timeline: [TimelineEntry] = []
        var mostCordoned = 0

        func look() async throws -> ClusterObservation {
            let nodes = try await client.listAll(Node.self).items
            let pods = try await client.listAll(PodSummary.self, resource: .pods).items
            let sizes = Dictionary(
                (chain.simulation.cloud?.nodeGroups() ?? []).map { ($0.name, $0.desiredCapacity) }, uniquingKeysWith: { a, _ in a })
            mostCordoned = max(mostCordoned, nodes.filter(\.isUnschedulable).count)
            return ClusterObservation(time: clock.now, nodes: nodes, pods: pods, groupSizes: sizes)
        }

        // Settle: every workload pod running before the fault.
        let settleDeadline = clock.now.addingTimeInterval(600)
        while clock.now < settleDeadline {
            guard let now = try? await look() else {
                try await clock.sleep(for: .seconds(2))
                continue
            }
            let workload = now.pods.filter(HealingObserver.isWorkload)
            if !workload.isEmpty, workload.allSatisfy({ $0.phase == .running }), now.nodes.allSatisfy(\.isReady) {
                _ = observer.observe(now)
                break
            }
            try await clock.sleep(for: .seconds(2))
        }

        let victims = try await client.listAll(Node.self).items
            .sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
            .prefix(scenario.faultyNodes).compactMap(\.metadata.name)
        for node in victims {
            chain.simulation.kubelets?.inject(node: node, line: DemoScenario.faultLine)
        }
        let start = clock.now
        let injected = observer.faultInjected(
            at: start, text: "kernel: \(DemoScenario.faultLine) (injected into \(victims.joined(separator: ", ")))")
        timeline.append(injected)
        report(injected)

        while clock.now.timeIntervalSince(start) < timeout.seconds {
            // A failed look (an API fault) is skipped: the next one sees what changed since.
            guard let observation = try? await look() else {
                try await clock.sleep(for: .seconds(1))
                continue
            }
            for entry in observer.observe(observation) {
                timeline.append(entry)
                report(entry)
            }
            if observer.healedAt != nil { break }
            try await clock.sleep(for: .seconds(1))
        }
        let healedAt = observer.healedAt
        return DemoReport(
            healed: healedAt != nil,
            timeToHeal: healedAt.map { .milliseconds(Int64(($0.timeIntervalSince(start) * 1000).rounded())) },
            podsDisrupted: observer.podsDisrupted, capacityAdded: observer.capacityAdded,
            nodesRemoved: observer.nodesRemoved, mostCordonedAtOnce: mostCordoned, timeline: timeline)
    }
}

extension DemoReport {
    /// The closing lines: time to heal, disruption, capacity moved.
    public func summary(realTime: Duration) -> String {
        let real = String(format: "%.1f s real", realTime.seconds)
        guard healed, let heal = timeToHeal else {
            return "NOT HEALED within the time allowed (\(real)): \(podsDisrupted) pods disrupted, \(capacityAdded) nodes added, \(nodesRemoved) removed"
        }
        let seconds = Int(heal.seconds.rounded())
        return """
            healed in \(seconds / 60)m\(String(format: "%02d", seconds % 60))s of simulated time (\(real)): \
            \(podsDisrupted) pod\(podsDisrupted == 1 ? "" : "s") disrupted, \(capacityAdded) node\(capacityAdded == 1 ? "" : "s") added, \
            \(nodesRemoved) removed, at most \(mostCordonedAtOnce) cordoned at once
            """
    }
}
