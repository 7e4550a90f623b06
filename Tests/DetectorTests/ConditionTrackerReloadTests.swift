import Foundation
import KubeModels
import Testing
@testable import Detector

/// ``ConditionTracker/reconfigure(monitors:existing:now:staleBefore:restartedPluginSources:)``
/// without a cluster: what a reload keeps, adopts and drops.
@Suite struct ConditionTrackerReloadTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// The lifecycle monitor with `DiskSlow` replaced by `edit`.
    func monitor(_ edit: (String) -> String = { $0 }) throws -> Monitor {
        .systemLog(try Fixtures.logMonitor(edit(LifecycleMonitor.json), file: "lifecycle.json"))
    }

    @Test func aReloadKeepsTrueConditionsUpdatesHealthyDefaultsAndDropsRemovedTypes() throws {
        var t = ConditionTracker(monitors: [try monitor()], existing: [], now: now)
        _ = t.apply(RuleMatch(ruleIndex: 1, action: .setCondition(condition: "KernelDeadlock", reason: "DockerHung"), message: "hung"),
                    source: "s", at: now)
        _ = t.apply(RuleMatch(ruleIndex: 3, action: .setCondition(condition: "DiskSlow", reason: "DiskTimeout"), message: "slow"),
                    source: "s", at: now)
        _ = t.takeChanges()
        let later = now.addingTimeInterval(60)
        // NetDown gets a new healthy message; DiskSlow's expiry becomes 1h; a new type appears;
        // the node says the new type is True already (adopted as at start-up).
        let next = try monitor {
            $0.replacingOccurrences(of: #""message": "network is up""#, with: #""message": "all links up""#)
                .replacingOccurrences(of: #""expireAfter": "10m""#, with: #""expireAfter": "1h""#)
                .replacingOccurrences(of: #""conditions": ["#, with: #""conditions": [{"type": "NicBroken", "reason": "NicIsFine", "message": "fine"}, "#)
                .replacingOccurrences(of: #"{"type": "KernelDeadlock", "reason": "KernelHasNoDeadlock", "message": "kernel has no deadlock"},"#, with: "")
                .replacingOccurrences(of: #"{"type": "permanent", "condition": "KernelDeadlock", "reason": "DockerHung", "pattern": "task docker:\\w+ blocked for more than \\w+ seconds\\."},"#, with: "")
        }
        let onNode = [NodeCondition(type: NodeConditionType(rawValue: "NicBroken"), status: .true, lastTransitionTime: KubeTime(now),
                                    reason: "NicReset", message: "reset seen")]
        let removed = t.reconfigure(monitors: [next], existing: onNode, now: later)

        #expect(removed == ["KernelDeadlock"])
        #expect(t.types == ["DiskSlow", "NetDown", "NicBroken"])
        let disk = try #require(t.conditions["DiskSlow"])
        #expect(disk.status == "True" && disk.reason == "DiskTimeout" && disk.lastTransitionTime == now, "True stays True")
        #expect(disk.expiresAt == later.addingTimeInterval(3_600), "the new expiry applies from the reload")
        #expect(t.conditions["NetDown"]?.message == "all links up")
        #expect(t.conditions["NicBroken"]?.status == "True", "a new type is adopted from the node")
        #expect(t.takeChanges() == ["NetDown"], "only the changed default is sent; kept and adopted True conditions are not")
    }

    @Test func aReloadWithTheSameMonitorsChangesNothing() throws {
        var t = ConditionTracker(monitors: [try monitor()], existing: [], now: now)
        _ = t.apply(RuleMatch(ruleIndex: 2, action: .setCondition(condition: "NetDown", reason: "LinkDown"), message: "down"),
                    source: "s", at: now)
        _ = t.takeChanges()
        let before = t.conditions
        #expect(t.reconfigure(monitors: [try monitor()], existing: [], now: now.addingTimeInterval(5)).isEmpty)
        #expect(t.conditions == before)
        #expect(!t.hasChanges)
    }
}
