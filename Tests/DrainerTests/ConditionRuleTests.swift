import Foundation
import KubeModels
import MendCore
import Testing
@testable import Drainer

@Suite("Draino condition rules")
struct ConditionRuleTests {
    @Test func fullRuleParsesTypeStatusAndDuration() throws {
        let rule = try ConditionRule(parsing: "KernelDeadlock=True,10m")
        #expect(rule.type.rawValue == "KernelDeadlock")
        #expect(rule.status == .true)
        #expect(rule.duration == .seconds(600))
        #expect(rule.description == "KernelDeadlock=True,10m0s")
    }

    @Test func bareTypeDefaultsToTrueForZeroTime() throws {
        let rule = try ConditionRule(parsing: "ReadonlyFilesystem")
        #expect(rule.status == .true)
        #expect(rule.duration == .zero)
    }

    @Test func statusIsCaseInsensitiveAndUnknownIsAllowed() throws {
        #expect(try ConditionRule(parsing: "Ready=unknown,5m").status == .unknown)
        #expect(try ConditionRule(parsing: "Ready=False,1h30m").duration == .seconds(5400))
    }

    @Test func descriptionRoundTrips() throws {
        for text in ["A=True,1h30m0s", "B=False,0s", "C=Unknown,1.5s"] {
            let rule = try ConditionRule(parsing: text)
            #expect(try ConditionRule(parsing: rule.description) == rule)
        }
    }

    @Test func statusWithoutDurationIsAnErrorNamingTheRule() {
        #expect(throws: ConditionRuleError.missingDuration(rule: "KernelDeadlock=True")) {
            try ConditionRule(parsing: "KernelDeadlock=True")
        }
        let message = ConditionRuleError.missingDuration(rule: "KernelDeadlock=True").description
        #expect(message.contains("KernelDeadlock=True"))
        #expect(message.contains("0s"))
    }

    @Test func unparseableDurationIsAnErrorNamingRuleAndDuration() {
        #expect(throws: ConditionRuleError.badDuration(rule: "KernelDeadlock=True,10 minutes", duration: "10 minutes")) {
            try ConditionRule(parsing: "KernelDeadlock=True,10 minutes")
        }
        #expect(throws: ConditionRuleError.badDuration(rule: "X=True,", duration: "")) { try ConditionRule(parsing: "X=True,") }
        #expect(throws: ConditionRuleError.badDuration(rule: "X=True,-5m", duration: "-5m")) { try ConditionRule(parsing: "X=True,-5m") }
    }

    @Test func unknownStatusIsAnError() {
        #expect(throws: ConditionRuleError.unknownStatus(rule: "KernelDeadlock=Yes,10m", status: "Yes")) {
            try ConditionRule(parsing: "KernelDeadlock=Yes,10m")
        }
    }

    @Test func emptyOrTypelessRulesAreErrors() {
        #expect(throws: ConditionRuleError.empty) { try ConditionRule(parsing: "  ") }
        #expect(throws: ConditionRuleError.missingType(rule: "=True,1m")) { try ConditionRule(parsing: "=True,1m") }
        #expect(throws: ConditionRuleError.badType(rule: "Kernel Deadlock", type: "Kernel Deadlock")) {
            try ConditionRule(parsing: "Kernel Deadlock")
        }
    }

    @Test func ruleMatchesOnlyAfterItsDurationFromTheTransition() throws {
        let rule = try ConditionRule(parsing: "KernelDeadlock=True,10m")
        let since = Date(timeIntervalSince1970: 1_800_000_000)
        let node = Build.node("n1", conditions: [Build.condition("KernelDeadlock", .true, since: since)])
        #expect(rule.matchesFrom(node, firstSeen: .distantFuture) == since.addingTimeInterval(600))
        let healthy = Build.node("n1", conditions: [Build.condition("KernelDeadlock", .false, since: since)])
        #expect(rule.matchesFrom(healthy, firstSeen: since) == nil)
        #expect(rule.matchesFrom(Build.node("n1"), firstSeen: since) == nil, "a missing condition never matches")
    }

    @Test func conditionWithoutTransitionTimeCountsFromFirstSeen() throws {
        let rule = try ConditionRule(parsing: "KernelDeadlock=True,1m")
        let seen = Date(timeIntervalSince1970: 1_800_000_000)
        let node = Build.node("n1", conditions: [NodeCondition(type: "KernelDeadlock", status: .true)])
        #expect(rule.matchesFrom(node, firstSeen: seen) == seen.addingTimeInterval(60))
    }

    @Test func goDurationsParseAndFormatLikeGo() {
        #expect(GoDuration.nonNegative("1h30m") == .seconds(5400))
        #expect(GoDuration.nonNegative("500ms") == .milliseconds(500))
        #expect(GoDuration.nonNegative("1.5h") == .seconds(5400))
        #expect(GoDuration.nonNegative("0") == .zero)
        #expect(GoDuration.nonNegative("10") == nil, "a unit is required")
        #expect(GoDuration.nonNegative("10x") == nil)
        #expect(GoDuration.format(.seconds(5400)) == "1h30m0s")
        #expect(GoDuration.format(.seconds(90)) == "1m30s")
        #expect(GoDuration.format(.milliseconds(1500)) == "1.5s")
        #expect(GoDuration.format(.zero) == "0s")
    }
}
