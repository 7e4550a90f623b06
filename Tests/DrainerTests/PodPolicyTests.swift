import Foundation
import KubeModels
import Testing
@testable import Drainer

@Suite("Pod filters")
struct PodPolicyTests {
    let policy = PodPolicy()

    @Test func ordinaryControllerPodIsEvicted() {
        #expect(policy.disposition(of: Build.pod("web")) == .evict(gracePeriodSeconds: nil))
    }

    @Test func daemonSetPodsAreSkipped() {
        #expect(policy.disposition(of: Build.pod("fluentd", owner: "DaemonSet")) == .skip(.daemonSet))
    }

    @Test func mirrorPodsAreSkipped() {
        let pod = Build.pod("kube-proxy", owner: nil, annotations: [PodAnnotations.mirror: "abc"])
        #expect(policy.disposition(of: pod) == .skip(.mirror))
    }

    @Test func completedPodsAreIgnored() {
        #expect(policy.disposition(of: Build.pod("job", phase: .succeeded)) == .skip(.completed))
        #expect(policy.disposition(of: Build.pod("job", owner: nil, phase: .failed)) == .skip(.completed))
    }

    @Test func terminatingPodsAreNotEvictedAgain() {
        var pod = Build.pod("web")
        pod.metadata.deletionTimestamp = KubeTime(secondsSince1970: 1_800_000_000)
        #expect(policy.disposition(of: pod) == .skip(.alreadyTerminating))
    }

    @Test func unownedPodsBlockUnlessAllowed() {
        let pod = Build.pod("bare", owner: nil)
        #expect(policy.disposition(of: pod) == .block(.unowned))
        #expect(PodPolicy(evictUnowned: true).disposition(of: pod) == .evict(gracePeriodSeconds: nil))
    }

    @Test func localStoragePodsBlockUnlessAllowed() {
        let pod = Build.pod("cache", emptyDir: true)
        #expect(policy.disposition(of: pod) == .block(.localStorage))
        #expect(PodPolicy(evictLocalStorage: true).disposition(of: pod) == .evict(gracePeriodSeconds: nil))
    }

    @Test func protectedAnnotationBlocksEvenWhenEverythingElseIsAllowed() {
        let pod = Build.pod("db", annotations: [MendNodeKeys.defaultProtectedPod: "true"])
        let lenient = PodPolicy(evictLocalStorage: true, evictUnowned: true)
        #expect(lenient.disposition(of: pod) == .block(.protected(annotation: MendNodeKeys.defaultProtectedPod)))
        let notProtected = Build.pod("db", annotations: [MendNodeKeys.defaultProtectedPod: "false"])
        #expect(lenient.disposition(of: notProtected).mustRemove)
    }

    @Test func gracePeriodIsCappedByTheMaximum() {
        let capped = PodPolicy(maxGracePeriod: .seconds(60))
        #expect(capped.disposition(of: Build.pod("slow", grace: 600)) == .evict(gracePeriodSeconds: 60))
        #expect(capped.disposition(of: Build.pod("quick", grace: 10)) == .evict(gracePeriodSeconds: 10))
        #expect(capped.disposition(of: Build.pod("default")) == .evict(gracePeriodSeconds: 30), "the API's default is 30 s")
    }

    @Test func namedPodsAreDeletedInsteadOfEvicted() throws {
        let policy = PodPolicy(deleteInsteadOfEvict: try LabelQuery(parsing: "app=legacy"))
        #expect(policy.disposition(of: Build.pod("old", labels: ["app": "legacy"])) == .delete(gracePeriodSeconds: nil))
        #expect(policy.disposition(of: Build.pod("new", labels: ["app": "web"])) == .evict(gracePeriodSeconds: nil))
    }
}

@Suite("Node selection and safety budget")
struct PolicyAndBudgetTests {
    @Test func selectorAndOptOutDecideWhichNodesCount() throws {
        let policy = DrainerPolicy(nodeSelector: try LabelQuery(parsing: "pool in (general,spot)"), rules: [ConditionRule(type: "KernelDeadlock")])
        #expect(policy.selects(Build.node("a", labels: ["pool": "general"])))
        #expect(!policy.selects(Build.node("b", labels: ["pool": "gpu"])))
        #expect(!policy.selects(Build.node("c", labels: ["pool": "spot"], annotations: [MendNodeKeys.defaultOptOut: "true"])))
    }

    @Test func earliestMatchingRuleWins() throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let policy = DrainerPolicy(rules: [try ConditionRule(parsing: "A=True,10m"), try ConditionRule(parsing: "B=True,1m")])
        let node = Build.node("n", conditions: [Build.condition("A", since: start), Build.condition("B", since: start)])
        let match = try #require(policy.match(node, firstSeen: start))
        #expect(match.rule.type.rawValue == "B")
        #expect(match.from == start.addingTimeInterval(60))
    }

    @Test func cordonLimitAsCountOrShare() {
        #expect(SafetyBudget.CordonLimit.count(3).limit(selectedNodes: 100) == 3)
        #expect(SafetyBudget.CordonLimit.percent(10).limit(selectedNodes: 25) == 2)
        #expect(SafetyBudget.CordonLimit.percent(10).limit(selectedNodes: 3) == 1, "a share always allows one node")
    }

    @Test func maintenanceWindowHonoursDaysHoursAndTimeZone() throws {
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        // Mon-Fri 22:00-06:00 Berlin time (spans midnight).
        let window = MaintenanceWindow(days: [2, 3, 4, 5, 6], startMinute: 22 * 60, endMinute: 6 * 60, timeZone: berlin)
        func at(_ text: String) throws -> Date { try KubeTime(parsing: text).date }
        #expect(window.contains(try at("2026-11-23T21:30:00Z")), "Monday 22:30 in Berlin")
        #expect(!window.contains(try at("2026-11-23T20:30:00Z")), "Monday 21:30 in Berlin")
        #expect(window.contains(try at("2026-11-24T04:30:00Z")), "Tuesday 05:30 in Berlin, the morning after Monday")
        #expect(!window.contains(try at("2026-11-29T02:00:00Z")), "Sunday 03:00 in Berlin: Saturday's window does not exist")
        #expect(window.contains(try at("2026-11-28T02:00:00Z")), "Saturday 03:00 in Berlin: the morning after Friday")
        let budget = SafetyBudget(maintenanceWindows: [window])
        #expect(!budget.inMaintenanceWindow(try at("2026-11-25T12:00:00Z")))
        #expect(SafetyBudget().inMaintenanceWindow(try at("2026-11-25T12:00:00Z")), "no windows: always")
    }

    @Test func weekdayAndTimeParsing() {
        #expect(MaintenanceWindow.weekday(named: "Monday") == 2)
        #expect(MaintenanceWindow.weekday(named: "sun") == 1)
        #expect(MaintenanceWindow.weekday(named: "Funday") == nil)
        #expect(MaintenanceWindow.minutes(from: "06:30") == 390)
        #expect(MaintenanceWindow.minutes(from: "24:00") == 1440)
        #expect(MaintenanceWindow.minutes(from: "24:01") == nil)
        #expect(MaintenanceWindow.minutes(from: "6:3") == nil)
    }
}
