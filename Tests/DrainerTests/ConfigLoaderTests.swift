import Foundation
import KubeModels
import Testing
@testable import Drainer

@Suite("Policy file and flags")
struct ConfigLoaderTests {
    static let full = """
        nodeSelector: "node-role.kubernetes.io/worker,topology.kubernetes.io/zone in (eu-west-1a,eu-west-1b),!no-drain"
        optOutAnnotation: example.com/no-drain
        conditions:
          - KernelDeadlock=True,10m
          - ReadonlyFilesystem
        pods:
          evictLocalStorage: true
          evictUnowned: false
          protectedAnnotation: example.com/protected
          maxGracePeriod: 2m
          deleteInsteadOfEvict: "app=legacy"
        drain:
          timeout: 20m
          onTimeout: keep-waiting
          concurrentEvictions: 5
        budget:
          maxConcurrentDrains: 2
          maxCordoned: 20%
          stormCooldown: 1h
          minIntervalBetweenDrains: 1m
          maintenanceWindows:
            - days: [Mon, Tue, Wed, Thu, Fri]
              start: "22:00"
              end: "06:00"
              timeZone: Europe/Berlin
        uncordon:
          healthyFor: 15m
        """

    @Test func fullFileBuildsThePolicy() throws {
        let policy = try DrainerConfigLoader.parse(yaml: Self.full, file: "drainer.yaml")
        #expect(policy.rules.map(\.description) == ["KernelDeadlock=True,10m0s", "ReadonlyFilesystem=True,0s"])
        #expect(policy.nodeSelector.matches(["node-role.kubernetes.io/worker": "", "topology.kubernetes.io/zone": "eu-west-1a"]))
        #expect(!policy.nodeSelector.matches(["node-role.kubernetes.io/worker": "", "topology.kubernetes.io/zone": "eu-west-1c"]))
        #expect(!policy.nodeSelector.matches(["node-role.kubernetes.io/worker": "", "topology.kubernetes.io/zone": "eu-west-1a", "no-drain": "x"]))
        #expect(policy.optOutAnnotation == "example.com/no-drain")
        #expect(policy.pods.evictLocalStorage && !policy.pods.evictUnowned)
        #expect(policy.pods.maxGracePeriod == .seconds(120))
        #expect(policy.pods.deleteInsteadOfEvict?.matches(["app": "legacy"]) == true)
        #expect(policy.drain.timeout == .seconds(1200))
        #expect(policy.drain.onTimeout == .keepWaiting)
        #expect(policy.drain.concurrentEvictions == 5)
        #expect(policy.budget.maxConcurrentDrains == 2)
        #expect(policy.budget.maxCordoned == .percent(20))
        #expect(policy.budget.stormCooldown == .seconds(3600))
        #expect(policy.budget.minIntervalBetweenDrains == .seconds(60))
        #expect(policy.budget.maintenanceWindows.count == 1)
        #expect(policy.uncordonAfterHealthyFor == .seconds(900))
    }

    @Test func flagsOverrideTheFile() throws {
        let overrides = DrainerOverrides(
            conditions: ["OutOfDisk=True,1m"], nodeSelector: "pool=spot", maxConcurrentDrains: "3", maxCordoned: "4",
            drainTimeout: "5m")
        let policy = try DrainerConfigLoader.parse(yaml: Self.full, file: "drainer.yaml", overrides: overrides)
        #expect(policy.rules.map(\.description) == ["OutOfDisk=True,1m0s"])
        #expect(policy.nodeSelector.matches(["pool": "spot"]))
        #expect(policy.budget.maxConcurrentDrains == 3)
        #expect(policy.budget.maxCordoned == .count(4))
        #expect(policy.drain.timeout == .seconds(300))
    }

    @Test func flagsAloneAreEnough() throws {
        let policy = try DrainerConfigLoader.load(path: nil, overrides: DrainerOverrides(conditions: ["KernelDeadlock"]))
        #expect(policy.rules.count == 1)
        #expect(policy.budget == SafetyBudget())
    }

    @Test func malformedRuleNamesFileFieldAndRule() {
        let yaml = "conditions:\n  - KernelDeadlock=True,10m\n  - ReadonlyFilesystem=True\n"
        do {
            _ = try DrainerConfigLoader.parse(yaml: yaml, file: "/etc/mend/drainer.yaml")
            Issue.record("a rule without a duration must be rejected")
        } catch {
            guard case .invalid(let file, let field, let value, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(file == "/etc/mend/drainer.yaml")
            #expect(field == "conditions[1]")
            #expect(value == "ReadonlyFilesystem=True")
            #expect(error.description.contains("has a status but no duration"))
        }
    }

    @Test func malformedFlagRuleIsNamedAsTheFlag() {
        #expect(throws: DrainerConfigError.self) {
            try DrainerConfigLoader.load(path: nil, overrides: DrainerOverrides(conditions: ["X=Maybe,1m"]))
        }
        do {
            _ = try DrainerConfigLoader.load(path: nil, overrides: DrainerOverrides(conditions: ["X=Maybe,1m"]))
        } catch {
            #expect(error.description.contains("--condition"))
            #expect(error.description.contains("X=Maybe,1m"))
            #expect(error.description.contains("True, False or Unknown"))
        }
    }

    @Test func missingRulesAreAnError() {
        #expect(throws: DrainerConfigError.missing(
            file: "d.yaml", field: "conditions", expected: "at least one rule such as KernelDeadlock=True,10m (or --condition)")
        ) {
            try DrainerConfigLoader.parse(yaml: "budget:\n  maxConcurrentDrains: 1\n", file: "d.yaml")
        }
    }

    @Test(arguments: [
        ("conditions: [A]\nbudget:\n  maxCordoned: 0\n", "budget.maxCordoned"),
        ("conditions: [A]\nbudget:\n  maxCordoned: 150%\n", "budget.maxCordoned"),
        ("conditions: [A]\nbudget:\n  maxConcurrentDrains: -1\n", "budget.maxConcurrentDrains"),
        ("conditions: [A]\ndrain:\n  timeout: soon\n", "drain.timeout"),
        ("conditions: [A]\ndrain:\n  onTimeout: panic\n", "drain.onTimeout"),
        ("conditions: [A]\nnodeSelector: \"a in (b\"\n", "nodeSelector"),
        ("conditions: [A]\npods:\n  evictUnowned: maybe\n", "pods.evictUnowned"),
        ("conditions: [A]\nbudget:\n  maintenanceWindows:\n    - days: [Funday]\n      start: \"22:00\"\n      end: \"06:00\"\n", "budget.maintenanceWindows[0].days[0]"),
        ("conditions: [A]\nbudget:\n  maintenanceWindows:\n    - days: [Mon]\n      start: \"25:00\"\n      end: \"06:00\"\n", "budget.maintenanceWindows[0].start"),
        ("conditions: [A]\nbudget:\n  maintenanceWindows:\n    - days: [Mon]\n      start: \"22:00\"\n      end: \"06:00\"\n      timeZone: Mars/Olympus\n", "budget.maintenanceWindows[0].timeZone"),
    ])
    func badValuesNameTheirField(yaml: String, field: String) {
        do {
            _ = try DrainerConfigLoader.parse(yaml: yaml, file: "d.yaml")
            Issue.record("\(field) should have been rejected")
        } catch {
            guard case .invalid(let file, let badField, _, let expected) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(file == "d.yaml")
            #expect(badField == field)
            #expect(!expected.isEmpty)
        }
    }

    @Test func unknownFieldsAreRejectedWithTheKnownOnes() {
        #expect(throws: DrainerConfigError.self) { try DrainerConfigLoader.parse(yaml: "conditions: [A]\nbuget: {}\n", file: "d.yaml") }
        do {
            _ = try DrainerConfigLoader.parse(yaml: "conditions: [A]\ndrain:\n  timout: 5m\n", file: "d.yaml")
        } catch {
            #expect(error.description.contains("drain.timout"))
            #expect(error.description.contains("timeout"))
        }
    }

    @Test func unreadableFileAndNonYAMLAreErrors() {
        #expect(throws: DrainerConfigError.self) { try DrainerConfigLoader.load(path: "/nonexistent/drainer.yaml") }
        #expect(throws: DrainerConfigError.self) { try DrainerConfigLoader.parse(yaml: "- a\n- b\n", file: "d.yaml") }
        #expect(throws: DrainerConfigError.self) { try DrainerConfigLoader.parse(yaml: "conditions: [A\n", file: "d.yaml") }
    }

    @Test func exampleConfigInTheRepositoryIsValid() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/drainer.example.yaml").path
        let policy = try DrainerConfigLoader.load(path: path)
        #expect(!policy.rules.isEmpty)
    }
}
