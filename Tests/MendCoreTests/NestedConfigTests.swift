import MendCore
import Testing

/// A configuration with a list of structured items and a free-form map.
struct RulesConfig: ValidatableConfiguration, Equatable {
    struct Rule: Codable, Sendable, Equatable {
        var condition: String
        var after: GoDuration
        var taint: String?
    }

    var rules: [Rule]
    var labels: [String: String]
    var webhookToken: String?

    static var defaults: RulesConfig { RulesConfig(rules: [], labels: [:], webhookToken: nil) }

    func validate(_ v: inout ConfigValidator) {
        for (index, rule) in rules.enumerated() {
            v.checkNotEmpty(rule.condition, at: "rules[\(index)].condition")
        }
        if let webhookToken {
            v.check(webhookToken.count >= 16, at: "webhookToken", value: webhookToken, expected: "at least 16 characters")
        }
    }
}

@Suite("Nested configuration")
struct NestedConfigTests {
    func load(_ yaml: String) throws(ConfigError) -> RulesConfig {
        try ConfigLoader.load(RulesConfig.self, yaml: yaml, source: "rules.yaml")
    }

    @Test func listItemsAndMapsDecode() throws {
        let config = try load(
            """
            rules:
              - condition: KernelDeadlock
                after: 10m
              - condition: ReadonlyFilesystem
                after: 1m
                taint: mend.io/readonly
            labels:
              team: sre
              tier: infra
            """)
        #expect(config.rules.map(\.condition) == ["KernelDeadlock", "ReadonlyFilesystem"])
        #expect(config.rules[1].taint == "mend.io/readonly")
        #expect(config.labels == ["team": "sre", "tier": "infra"])
    }

    @Test func unknownFieldInAListItemNamesItsIndex() {
        #expect(throws: ConfigError.unknownField(
            location: ConfigLocation(source: "rules.yaml", line: 4, column: 13), path: "rules[1].afterr", suggestion: "after")
        ) {
            _ = try load("rules:\n  - condition: A\n    after: 1m\n  - afterr: 2m\n    condition: B\n")
        }
    }

    @Test func missingRequiredFieldInAListItemIsNamed() {
        #expect(throws: ConfigError.missingField(location: ConfigLocation(source: "rules.yaml", line: 2, column: 5), path: "rules[0].after")) {
            _ = try load("rules:\n  - condition: A\n")
        }
    }

    @Test func validationPathsPointIntoLists() {
        #expect(throws: ConfigError.invalidValue(
            location: ConfigLocation(source: "rules.yaml", line: 3, column: 17), path: "rules[1].condition", value: "\"\"",
            expected: "a non-empty value")
        ) {
            _ = try load("rules:\n  - {condition: A, after: 1m}\n  - {condition: '', after: 1m}\n")
        }
    }

    @Test func secretValuesNeverAppearInErrors() {
        #expect(throws: ConfigError.invalidValue(
            location: ConfigLocation(source: "rules.yaml", line: 1, column: 15), path: "webhookToken", value: "[redacted]",
            expected: "at least 16 characters")
        ) {
            _ = try load("webhookToken: hunter2\n")
        }
        #expect(throws: ConfigError.wrongType(
            location: ConfigLocation(source: "rules.yaml", line: 1, column: 15), path: "webhookToken", value: "[redacted]",
            expected: "text")
        ) {
            _ = try load("webhookToken: {a: hunter2}\n")
        }
    }

    @Test func flagsCanAddressListItems() throws {
        let yaml = "rules:\n  - {condition: A, after: 1m}\n  - {condition: B, after: 1m}\n"
        let config = try ConfigLoader.load(
            RulesConfig.self, yaml: yaml, source: "rules.yaml", overrides: [try ConfigOverride(parsing: "rules[1].after=5m")])
        #expect(config.rules.map(\.after) == ["1m", "5m"])
        #expect(throws: ConfigError.invalidOverride(
            flag: "--set rules[2].after=5m", expected: "a path to an existing list item (the list has no such index)")
        ) {
            _ = try ConfigLoader.load(
                RulesConfig.self, yaml: yaml, source: "rules.yaml", overrides: [try ConfigOverride(parsing: "rules[2].after=5m")])
        }
    }
}
