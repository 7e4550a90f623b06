import ClusterSim
import Foundation
import KubeModels
import Logging
import MendCore
import MendTime
import Synchronization
import Testing
@testable import Drainer

/// A configuration reload reaching the reconciler, wired as `mend-drainer run` wires it.
@Suite("Policy reload against ClusterSim", .serialized, .timeLimit(.minutes(1)))
struct ReloadTests {
    static func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func aValidChangeIsAppliedAtTheNextPassAndABadOneKeepsThePolicy() async throws {
        try await DrainerSim.with { (sim: DrainerSim) async throws in
            let path = NSTemporaryDirectory() + "drainer-reload-\(UUID().uuidString).yaml"
            defer { try? FileManager.default.removeItem(atPath: path) }
            try Self.write("conditions: [KernelDeadlock]\n", to: path)
            try sim.addNode("n1")
            try sim.setCondition("n1", "ReadonlyFilesystem", .true)
            let start = try DrainerConfig.load(path: path)
            let parts = sim.reconciler(start.policy)
            let reconciler = parts.0
            let failures = FailureLog()
            var logger = Logger(label: "reload-test")
            logger.logLevel = .critical
            let reloader = ConfigReloader<DrainerConfig>(
                path: path, clock: sim.clock, logger: logger,
                load: { text, source in try ConfigLoader.load(DrainerConfig.self, yaml: text, source: source) },
                apply: { config in await reconciler.apply(config.policy) },
                onFailure: { failures.add($0.message) })
            _ = try reloader.loadInitial()
            try await sim.running(parts) { () async throws in
                #expect(await passes(reconciler, beyond: 0))
                try await Task.sleep(for: .milliseconds(100))
                #expect(try !sim.node("n1").isUnschedulable, "ReadonlyFilesystem is not a rule yet")

                // A bad commit: refused, the running policy stays.
                try Self.write("conditions: [KernelDeadlock, \"ReadonlyFilesystem=True\"]\n", to: path)
                guard case .refused = await reloader.check() else {
                    Issue.record("a rule without a duration must be refused")
                    return
                }
                #expect(failures.messages.count == 1)
                #expect(failures.messages.first?.contains("\(path):1:30: conditions[1]") == true)
                #expect(await reconciler.policy.rules.map(\.description) == ["KernelDeadlock=True,0s"])

                // The fix: applied, and the next pass cordons the node.
                try Self.write("conditions: [KernelDeadlock, \"ReadonlyFilesystem=True,0s\"]\n", to: path)
                #expect(await reloader.check() == .applied)
                #expect(try await eventually { try sim.node("n1").isUnschedulable })
            }
        }
    }
}

final class FailureLog: Sendable {
    private let state = Mutex<[String]>([])
    func add(_ message: String) { state.withLock { $0.append(message) } }
    var messages: [String] { state.withLock { $0 } }
}
