import Foundation
import MendCore
import Testing

@Suite("Configuration loading")
struct ConfigLoaderTests {
    func load(_ yaml: String, overrides: [ConfigOverride] = []) throws(ConfigError) -> SampleConfig {
        try ConfigLoader.load(SampleConfig.self, yaml: yaml, source: "drainer.yaml", overrides: overrides)
    }

    func error(_ yaml: String, overrides: [ConfigOverride] = []) -> ConfigError? {
        do {
            _ = try load(yaml, overrides: overrides)
            return nil
        } catch {
            return error
        }
    }

    @Test func validFileIsDecodedAndDefaultsFillTheRest() throws {
        let config = try load(
            """
            drain:
              budget:
                maxConcurrentDrains: 3
                maxUnavailable: 20%
              gracePeriod: 1h30m
              nodeSelector: "node.kubernetes.io/lifecycle=spot,!mend.io/skip"
            logging:
              level: debug
            """)
        #expect(config.drain.budget.maxConcurrentDrains == 3)
        #expect(config.drain.budget.maxUnavailable == .percent(20))
        #expect(config.drain.gracePeriod.duration == .seconds(5400))
        #expect(config.drain.nodeSelector.matches(["node.kubernetes.io/lifecycle": "spot"]))
        #expect(!config.drain.nodeSelector.matches(["node.kubernetes.io/lifecycle": "spot", "mend.io/skip": ""]))
        #expect(config.drain.conditions == ["KernelDeadlock=True,10m"])
        #expect(config.logging.level == .debug)
        #expect(config.logging.format == .auto)
        #expect(config.server.address == ListenAddress(host: "0.0.0.0", port: 8080))
        #expect(config.leaderElection.leaseName == "mend-drainer")
    }

    @Test func emptyFileGivesTheDefaults() throws {
        #expect(try load("") == SampleConfig.defaults)
    }

    @Test func flagsOverrideFileValues() throws {
        let overrides = [
            try ConfigOverride(parsing: "drain.budget.maxConcurrentDrains=5"),
            ConfigOverride(path: "dryRun", value: "true", flag: "--dry-run"),
            try ConfigOverride(parsing: "drain.conditions=[ReadonlyFilesystem=True]"),
        ]
        let config = try load("drain:\n  budget:\n    maxConcurrentDrains: 3\n", overrides: overrides)
        #expect(config.drain.budget.maxConcurrentDrains == 5)
        #expect(config.dryRun)
        #expect(config.drain.conditions == ["ReadonlyFilesystem=True"])
    }

    @Test func commonFlagsBecomeOverrides() throws {
        let options = try CommonOptions.parse(["--dry-run", "--log-level", "warning", "--health-address", ":9090", "--set", "drain.gracePeriod=5m"])
        let config = try ConfigLoader.load(SampleConfig.self, options: options)
        #expect(config.dryRun)
        #expect(config.logging.level == .warning)
        #expect(config.server.address.port == 9090)
        #expect(config.drain.gracePeriod == "5m")
    }

    @Test func yamlSyntaxErrorNamesLineAndColumn() {
        let problem = error("drain:\n  budget: [1, 2\n  gracePeriod: 5m\n")
        guard case .syntax(let location, _) = problem else {
            Issue.record("expected a syntax error, got \(String(describing: problem))")
            return
        }
        #expect(location.source == "drainer.yaml")
        #expect(location.line == 3)
        #expect(location.column != nil)
        #expect(problem?.description.hasPrefix("drainer.yaml:3:") == true)
        #expect(problem?.description.contains("YAML syntax error") == true)
    }

    @Test func unknownFieldIsRejectedWithASuggestion() {
        let problem = error("drain:\n  budget:\n    maxConcurentDrains: 2\n")
        #expect(
            problem?.description
                == "drainer.yaml:3:25: unknown field drain.budget.maxConcurentDrains (did you mean \"maxConcurrentDrains\"?)")
    }

    @Test func unknownTopLevelFieldIsRejected() {
        let problem = error("dryrun: true\n")
        #expect(problem?.description == "drainer.yaml:1:9: unknown field dryrun (did you mean \"dryRun\"?)")
    }

    @Test func wrongTypeNamesFieldValueAndExpectation() {
        #expect(
            error("drain:\n  budget:\n    maxConcurrentDrains: ten\n")?.description
                == "drainer.yaml:3:26: drain.budget.maxConcurrentDrains: got \"ten\", expected an integer")
        #expect(
            error("dryRun: maybe\n")?.description == "drainer.yaml:1:9: dryRun: got \"maybe\", expected true or false")
        #expect(
            error("drain:\n  conditions: KernelDeadlock\n")?.description
                == "drainer.yaml:2:15: drain.conditions: got \"KernelDeadlock\", expected a list")
        #expect(
            error("drain: [1]\n")?.description == "drainer.yaml:1:8: drain: got a list, expected a mapping of fields")
    }

    @Test func outOfRangeValueNamesFileFieldValueAndRange() {
        #expect(
            error("drain:\n  budget:\n    maxConcurrentDrains: 0\n")?.description
                == "drainer.yaml:3:26: drain.budget.maxConcurrentDrains: got 0, expected an integer from 1 to 100")
    }

    @Test func badValuesOfValueTypesSayWhatIsAccepted() {
        #expect(
            error("drain:\n  gracePeriod: 10 minutes\n")?.description
                == "drainer.yaml:2:16: drain.gracePeriod: got \"10 minutes\", expected \(GoDuration.expectation)")
        #expect(
            error("drain:\n  budget:\n    maxUnavailable: 120%\n")?.description
                == "drainer.yaml:3:21: drain.budget.maxUnavailable: got \"120%\", expected a percentage from 0% to 100%")
        #expect(
            error("logging:\n  level: loud\n")?.description
                == "drainer.yaml:2:10: logging.level: got \"loud\", expected one of: trace, debug, info, notice, warning, error, critical")
        #expect(
            error("server:\n  address: localhost\n")?.description
                == "drainer.yaml:2:12: server.address: got \"localhost\", expected host:port or :port with a port from 0 to 65535, e.g. :8080")
        let selector = error("drain:\n  nodeSelector: \"a in b\"\n")
        guard case .invalidValue(_, let path, _, let expected) = selector else {
            Issue.record("expected an invalid selector, got \(String(describing: selector))")
            return
        }
        #expect(path == "drain.nodeSelector")
        #expect(expected.hasPrefix("a label selector"))
    }

    @Test func everyValidationProblemIsReportedAtOnce() {
        let problem = error(
            """
            drain:
              budget:
                maxConcurrentDrains: 500
              gracePeriod: 48h
            leaderElection:
              renewDeadline: 20s
            """)
        let descriptions = problem?.problems.map(\.description) ?? []
        #expect(
            descriptions == [
                "drainer.yaml:3:26: drain.budget.maxConcurrentDrains: got 500, expected an integer from 1 to 100",
                "drainer.yaml:4:16: drain.gracePeriod: got 48h0m0s, expected a duration from 0s to 24h0m0s",
                "(default): leaderElection.leaseDuration: got 15s, expected a duration longer than renewDeadline (20s)",
            ])
    }

    @Test func badOverrideNamesTheFlag() {
        let problem = error("", overrides: [try! ConfigOverride(parsing: "drain.budget.maxConcurrentDrains=lots")])
        #expect(
            problem?.description
                == "--set drain.budget.maxConcurrentDrains=lots: drain.budget.maxConcurrentDrains: got \"lots\", expected an integer")
        #expect(throws: ConfigError.invalidOverride(flag: "--set novalue", expected: "path=value, e.g. --set drain.budget.maxConcurrentDrains=2")) {
            _ = try ConfigOverride(parsing: "novalue")
        }
    }

    @Test func unknownFieldFromAFlagIsRejected() {
        let problem = error("", overrides: [try! ConfigOverride(parsing: "drain.maxDrains=2")])
        guard case .unknownField(let location, let path, _) = problem else {
            Issue.record("expected an unknown field, got \(String(describing: problem))")
            return
        }
        #expect(location.source == "--set drain.maxDrains=2")
        #expect(path == "drain.maxDrains")
    }

    @Test func missingFileIsReportedWithItsPath() {
        do {
            _ = try ConfigLoader.load(SampleConfig.self, file: "/nonexistent/mend.yaml")
            Issue.record("a missing file must not load")
        } catch {
            guard case .unreadable(let file, let reason) = error else {
                Issue.record("expected unreadable, got \(error)")
                return
            }
            #expect(file == "/nonexistent/mend.yaml")
            #expect(reason.lowercased().contains("no such file"))
            #expect(error.description.hasPrefix("/nonexistent/mend.yaml: cannot read configuration: "))
        }
    }

    @Test func checkPrintsTheNormalizedConfiguration() throws {
        let files = try TempFiles()
        let path = try files.write("drainer.yaml", "drain:\n  gracePeriod: 90m\n  budget:\n    maxUnavailable: 3\n")
        let text = try ConfigLoader.check(SampleConfig.self, file: path)
        #expect(text.contains("gracePeriod: 1h30m0s"))
        #expect(text.contains("maxUnavailable: 3"))
        #expect(text.contains("0.0.0.0:8080"))
        // The normal form loads back to the same configuration.
        let again = try ConfigLoader.load(SampleConfig.self, yaml: text, source: "normalized")
        #expect(again == (try ConfigLoader.load(SampleConfig.self, file: path)))
    }

    @Test func nullOrListForAValueTypeSaysWhatTheTypeAccepts() {
        #expect(
            error("drain:\n  gracePeriod:\n")?.description
                == "drainer.yaml:2:15: drain.gracePeriod: got null, expected \(GoDuration.expectation)")
        #expect(
            error("logging:\n  level: [debug]\n")?.description
                == "drainer.yaml:2:10: logging.level: got a list, expected one of: trace, debug, info, notice, warning, error, critical")
    }

    @Test func duplicateKeysAreASyntaxError() {
        let problem = error("dryRun: true\ndryRun: false\n")
        guard case .syntax(let location, let text) = problem else {
            Issue.record("expected a syntax error, got \(String(describing: problem))")
            return
        }
        #expect(location.source == "drainer.yaml")
        #expect(location.line != nil)
        #expect(text.contains("dryRun"))
    }

    @Test func aDocumentThatIsNotAMappingIsRejected() {
        #expect(error("- a\n- b\n")?.description == "drainer.yaml:1:1: (root): got a list, expected a mapping of fields")
    }
}
