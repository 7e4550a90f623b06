import Foundation
import KubeModels
import Testing
@testable import Detector

/// The tracker's decisions without a cluster.
@Suite struct ConditionTrackerTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func tracker(existing: [NodeCondition] = []) throws -> ConditionTracker {
        ConditionTracker(monitors: [.systemLog(try LifecycleMonitor.monitor())], existing: existing, now: now)
    }

    @Test func statusPatchTouchesOnlyOurConditionTypes() throws {
        let t = try tracker()
        let patch = t.statusPatch(types: t.types, heartbeat: now)
        let items = try #require(patch["status"]?["conditions"]?.arrayValue)
        #expect(items.compactMap { $0["type"]?.stringValue } == ["DiskSlow", "KernelDeadlock", "NetDown"])
        #expect(items.allSatisfy { $0["status"]?.stringValue == "False" })
        #expect(patch["status"]?.objectValue?.keys.sorted() == ["conditions"])
    }

    @Test func sameReasonAgainIsNotAChangeButANewReasonIs() throws {
        var t = try tracker()
        _ = t.takeChanges()
        let first = t.apply(RuleMatch(ruleIndex: 1, action: .setCondition(condition: "KernelDeadlock", reason: "DockerHung"), message: "a"), source: "s", at: now)
        #expect(first.map(\.reason) == ["DockerHung"])
        #expect(t.takeChanges() == ["KernelDeadlock"])
        let again = t.apply(RuleMatch(ruleIndex: 1, action: .setCondition(condition: "KernelDeadlock", reason: "DockerHung"), message: "b"), source: "s", at: now)
        #expect(again.isEmpty)
        #expect(!t.hasChanges)
        _ = t.apply(RuleMatch(ruleIndex: 1, action: .setCondition(condition: "KernelDeadlock", reason: "HardLockup"), message: "c"), source: "s", at: now)
        #expect(t.takeChanges() == ["KernelDeadlock"])
        #expect(t.conditions["KernelDeadlock"]?.lastTransitionTime == now)
    }

    @Test func recoveryOfAFalseConditionIsNotAnEvent() throws {
        var t = try tracker()
        _ = t.takeChanges()
        #expect(t.apply(RuleMatch(ruleIndex: 4, action: .recover(condition: "NetDown"), message: "up"), source: "s", at: now).isEmpty)
        #expect(!t.hasChanges)
    }

    @Test func unchangedNodeNeedsNoStartUpChange() throws {
        let healthy = ["KernelDeadlock": ("KernelHasNoDeadlock", "kernel has no deadlock"), "NetDown": ("NetIsUp", "network is up"),
                       "DiskSlow": ("DiskIsFast", "disk is fast")].map { type, rm in
            NodeCondition(type: NodeConditionType(rawValue: type), status: .false, lastTransitionTime: KubeTime(now.addingTimeInterval(-60)),
                          reason: rm.0, message: rm.1)
        }
        var t = try tracker(existing: healthy)
        #expect(t.takeChanges().isEmpty)
        #expect(t.conditions["NetDown"]?.lastTransitionTime == now.addingTimeInterval(-60))
    }

    @Test func expiryClearsOnlyAfterItsTime() throws {
        var t = try tracker()
        _ = t.apply(RuleMatch(ruleIndex: 3, action: .setCondition(condition: "DiskSlow", reason: "DiskTimeout"), message: "x"), source: "s", at: now)
        #expect(t.nextExpiry == now.addingTimeInterval(600))
        #expect(t.expire(at: now.addingTimeInterval(599)).isEmpty)
        let events = t.expire(at: now.addingTimeInterval(600))
        #expect(events.map(\.type) == ["Normal"])
        #expect(t.conditions["DiskSlow"]?.status == "False")
    }

    @Test func metricsRenderAsPrometheusTextUnderTheirDocumentedNames() {
        let test = TestMetrics()
        let m = test.metrics
        m.problem(type: "KernelDeadlock", reason: "DockerHung")
        m.setProblemGauge(type: "KernelDeadlock", reason: "DockerHung", active: true)
        m.linesRead("kmsg", 3)
        m.pluginRun("ok")
        #expect(test.value("mend_detector_problem_counter", #"type="KernelDeadlock",reason="DockerHung""#) == 1)
        #expect(test.value("mend_detector_problem_gauge", #"type="KernelDeadlock",reason="DockerHung""#) == 1)
        #expect(test.value("mend_detector_lines_read_total", #"source="kmsg""#) == 3)
        #expect(test.value("mend_detector_plugin_runs_total", #"result="ok""#) == 1)
        #expect(test.text.contains("# TYPE mend_detector_kmsg_records_lost_total counter"))
    }

    @Test func problemGaugeFollowsTheReasonAndDropsToZeroOnRecovery() {
        let test = TestMetrics()
        let m = test.metrics
        m.setProblemGauge(type: "KernelDeadlock", reason: "KernelHasNoDeadlock", active: false)
        m.setProblemGauge(type: "KernelDeadlock", reason: "DockerHung", active: true)
        #expect(test.value("mend_detector_problem_gauge", #"type="KernelDeadlock",reason="DockerHung""#) == 1)
        #expect(test.value("mend_detector_problem_gauge", #"type="KernelDeadlock",reason="KernelHasNoDeadlock""#) == 0)
        m.setProblemGauge(type: "KernelDeadlock", reason: "KernelHasNoDeadlock", active: false)
        #expect(test.value("mend_detector_problem_gauge", #"type="KernelDeadlock",reason="DockerHung""#) == 0)
    }

    @Test func aSourceWithoutHeartbeatsIsStalled() {
        let m = TestMetrics().metrics
        m.heartbeat("kmsg", at: now)
        #expect(m.stalledSources(now: now.addingTimeInterval(10), threshold: 30).isEmpty)
        #expect(m.stalledSources(now: now.addingTimeInterval(31), threshold: 30) == ["kmsg"])
        #expect(m.sourceHealth(now: now.addingTimeInterval(10), threshold: 30).isHealthy)
        #expect(!m.sourceHealth(now: now.addingTimeInterval(31), threshold: 30).isHealthy)
    }
}
