import Foundation
import KubeModels
import MendCore
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
        surge:
          enabled: true
          timeout: 20m
          onTimeout: stay-cordoned
          recheckInterval: 15s
        """

    static func parse(_ yaml: String, source: String = "d.yaml", overrides: DrainerOverrides = DrainerOverrides()) throws(ConfigError) -> DrainerPolicy {
        try DrainerConfig.parse(yaml: yaml, source: source, overrides: overrides).policy
    }

    @Test func fullFileBuildsThePolicy() throws {
        let policy = try Self.parse(Self.full, source: "drainer.yaml")
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
        #expect(policy.budget.maintenanceWindows == [
            MaintenanceWindow(days: [2, 3, 4, 5, 6], startMinute: 22 * 60, endMinute: 6 * 60, timeZone: TimeZone(identifier: "Europe/Berlin")!)
        ])
        #expect(policy.uncordonAfterHealthyFor == .seconds(900))
        #expect(policy.surge == SurgeSettings(enabled: true, timeout: .seconds(1200), onTimeout: .stayCordoned, recheckInterval: .seconds(15)))
    }

    @Test func normalFormLoadsBackToTheSamePolicy() throws {
        let config = try DrainerConfig.parse(yaml: Self.full, source: "drainer.yaml")
        let text = try ConfigLoader.render(config)
        #expect(try DrainerConfig.parse(yaml: text, source: "normal") == config)
    }

    @Test func flagsOverrideTheFile() throws {
        let overrides = DrainerOverrides(
            conditions: ["OutOfDisk=True,1m"], nodeSelector: "pool=spot,!no-drain", maxConcurrentDrains: "3", maxCordoned: "4",
            drainTimeout: "5m", set: ["surge.enabled=false"])
        let policy = try Self.parse(Self.full, source: "drainer.yaml", overrides: overrides)
        #expect(policy.rules.map(\.description) == ["OutOfDisk=True,1m0s"])
        #expect(policy.nodeSelector.matches(["pool": "spot"]))
        #expect(!policy.nodeSelector.matches(["pool": "spot", "no-drain": ""]))
        #expect(policy.budget.maxConcurrentDrains == 3)
        #expect(policy.budget.maxCordoned == .count(4))
        #expect(policy.drain.timeout == .seconds(300))
        #expect(!policy.surge.enabled)
    }

    @Test func flagsAloneAreEnough() throws {
        let policy = try DrainerConfig.load(path: nil, overrides: DrainerOverrides(conditions: ["KernelDeadlock"])).policy
        #expect(policy.rules.count == 1)
        #expect(policy.budget == SafetyBudget())
        #expect(policy.surge == SurgeSettings())
    }

    @Test func malformedRuleNamesFileLineFieldAndRule() {
        let yaml = "conditions:\n  - KernelDeadlock=True,10m\n  - ReadonlyFilesystem=True\n"
        do {
            _ = try Self.parse(yaml, source: "/etc/mend/drainer.yaml")
            Issue.record("a rule without a duration must be rejected")
        } catch {
            guard case .invalidValue(let location, let field, let value, let expected) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(location == ConfigLocation(source: "/etc/mend/drainer.yaml", line: 3, column: 5))
            #expect(field == "conditions[1]")
            #expect(value == "\"ReadonlyFilesystem=True\"")
            #expect(expected.contains("has a status but no duration"))
            #expect(error.description.hasPrefix("/etc/mend/drainer.yaml:3:5: conditions[1]: got \"ReadonlyFilesystem=True\""))
        }
    }

    @Test(arguments: ["KernelDeadlock=True,soon", "KernelDeadlock=Maybe,1m", "=True,1m", "Kernel Deadlock", ""])
    func everyKindOfMalformedRuleIsAStartUpError(rule: String) {
        do {
            _ = try Self.parse("conditions:\n  - \"\(rule)\"\n")
            Issue.record("\(rule) must be rejected")
        } catch {
            guard case .invalidValue(_, let field, _, let expected) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(field == "conditions[0]")
            #expect(expected.contains("condition rule"))
        }
    }

    @Test func malformedFlagRuleIsNamedAsTheFlag() {
        do {
            _ = try DrainerConfig.load(path: nil, overrides: DrainerOverrides(conditions: ["A", "X=Maybe,1m"]))
            Issue.record("an unknown status must be rejected")
        } catch {
            #expect(error.description.hasPrefix("--condition X=Maybe,1m: conditions[1]: got \"X=Maybe,1m\""))
            #expect(error.description.contains("True, False or Unknown"))
        }
    }

    @Test func missingRulesAreAnError() {
        do {
            _ = try Self.parse("budget:\n  maxConcurrentDrains: 1\n")
            Issue.record("no rules must be rejected")
        } catch {
            guard case .invalidValue(_, let field, _, let expected) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(field == "conditions")
            #expect(expected.contains("at least one rule"))
        }
    }

    @Test(arguments: [
        ("conditions: [A]\nbudget:\n  maxCordoned: 0\n", "budget.maxCordoned", 3),
        ("conditions: [A]\nbudget:\n  maxCordoned: 150%\n", "budget.maxCordoned", 3),
        ("conditions: [A]\nbudget:\n  maxConcurrentDrains: -1\n", "budget.maxConcurrentDrains", 3),
        ("conditions: [A]\ndrain:\n  timeout: soon\n", "drain.timeout", 3),
        ("conditions: [A]\ndrain:\n  timeout: 0s\n", "drain.timeout", 3),
        ("conditions: [A]\ndrain:\n  evictionRetryInterval: -5s\n", "drain.evictionRetryInterval", 3),
        ("conditions: [A]\ndrain:\n  onTimeout: panic\n", "drain.onTimeout", 3),
        ("conditions: [A]\nnodeSelector: \"a in (b\"\n", "nodeSelector", 2),
        ("conditions: [A]\noptOutAnnotation: \"bad key!\"\n", "optOutAnnotation", 2),
        ("conditions: [A]\npods:\n  evictUnowned: maybe\n", "pods.evictUnowned", 3),
        ("conditions: [A]\nsurge:\n  onTimeout: later\n", "surge.onTimeout", 3),
        ("conditions: [A]\nbudget:\n  maintenanceWindows:\n    - days: [Funday]\n      start: \"22:00\"\n      end: \"06:00\"\n", "budget.maintenanceWindows[0].days[0]", 4),
        ("conditions: [A]\nbudget:\n  maintenanceWindows:\n    - days: [Mon]\n      start: \"25:00\"\n      end: \"06:00\"\n", "budget.maintenanceWindows[0].start", 5),
        ("conditions: [A]\nbudget:\n  maintenanceWindows:\n    - days: [Mon]\n      start: \"22:00\"\n      end: \"06:00\"\n      timeZone: Mars/Olympus\n", "budget.maintenanceWindows[0].timeZone", 7),
    ])
    func badValuesNameTheirFieldAndLine(yaml: String, field: String, line: Int) {
        do {
            _ = try Self.parse(yaml)
            Issue.record("\(field) should have been rejected")
        } catch {
            switch error {
            case .invalidValue(let location, let badField, _, let expected), .wrongType(let location, let badField, _, let expected):
                #expect(location.source == "d.yaml")
                #expect(location.line == line)
                #expect(badField == field)
                #expect(!expected.isEmpty)
            default:
                Issue.record("unexpected error \(error)")
            }
        }
    }

    @Test func unknownFieldsAreRejectedWithASuggestion() {
        #expect(throws: ConfigError.unknownField(location: ConfigLocation(source: "d.yaml", line: 2, column: 8), path: "buget", suggestion: "budget")) {
            try Self.parse("conditions: [A]\nbuget: {}\n")
        }
        #expect(throws: ConfigError.unknownField(location: ConfigLocation(source: "d.yaml", line: 3, column: 11), path: "drain.timout", suggestion: "timeout")) {
            try Self.parse("conditions: [A]\ndrain:\n  timout: 5m\n")
        }
    }

    @Test func unreadableFileAndNonYAMLAreErrors() {
        do {
            _ = try DrainerConfig.load(path: "/nonexistent/drainer.yaml")
            Issue.record("a missing file must be reported")
        } catch {
            guard case .unreadable(file: "/nonexistent/drainer.yaml", _) = error else { Issue.record("unexpected error \(error)"); return }
        }
        do {
            _ = try Self.parse("- a\n- b\n")
            Issue.record("a list is not a configuration")
        } catch {
            guard case .wrongType(_, "(root)", _, _) = error else { Issue.record("unexpected error \(error)"); return }
        }
        do {
            _ = try Self.parse("conditions: [A\n")
            Issue.record("broken YAML must be rejected")
        } catch {
            guard case .syntax(let location, _) = error else { Issue.record("unexpected error \(error)"); return }
            #expect(location.source == "d.yaml")
        }
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func exampleConfigInTheRepositoryIsValid() throws {
        let path = Self.repository.appendingPathComponent("config/drainer.example.yaml").path
        let policy = try DrainerConfig.load(path: path).policy
        #expect(!policy.rules.isEmpty)
    }

    @Test func policyTheManifestsShipIsValid() throws {
        // manifests/base/drainer's kustomization generates the ConfigMap from this file.
        let path = Self.repository.appendingPathComponent("manifests/base/drainer/config/drainer.yaml").path
        let policy = try DrainerConfig.load(path: path).policy
        #expect(!policy.rules.isEmpty)
    }
}
