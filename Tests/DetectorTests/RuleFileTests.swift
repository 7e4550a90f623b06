import Foundation
import Testing
@testable import Detector

@Suite struct RuleFileTests {
    @Test func upstreamKernelMonitorLoadsUnchanged() throws {
        let monitor = try MonitorLoader.load(path: Fixtures.upstreamKernelMonitor)
        guard case .systemLog(let m) = monitor else { Issue.record("expected a system-log monitor"); return }
        #expect(m.plugin == .kmsg)
        #expect(m.logPath == "/dev/kmsg")
        #expect(m.lookback == .seconds(300))
        #expect(m.bufferSize == 10)
        #expect(m.source == "kernel-monitor")
        #expect(m.conditions.map(\.type) == ["KernelDeadlock", "ReadonlyFilesystem", "XfsShutdown"])
        #expect(m.matcher.rules.count == 12)
        #expect(m.matcher.rules[10].action == .setCondition(condition: "KernelDeadlock", reason: "DockerHung"))
        // Every upstream pattern has a literal for the prefilter and stays on one line.
        for rule in m.matcher.rules {
            #expect(!rule.pattern.requiredLiteral.isEmpty, "no literal for \(rule.pattern.source)")
            #expect(!rule.pattern.spansLines, "\(rule.pattern.source) judged multi-line")
        }
        #expect(m.matcher.rules[1].pattern.requiredLiteral == " blocked for more than ")
    }

    @Test func customPluginMonitorLoadsWithGoDurations() throws {
        let json = """
        {"plugin": "custom",
         "pluginConfig": {"invoke_interval": "30s", "timeout": "5s", "max_output_length": 80, "concurrency": 3,
                          "enable_message_change_based_condition_update": false},
         "source": "ntp-custom-plugin-monitor", "metricsReporting": true,
         "conditions": [{"type": "NTPProblem", "reason": "NTPIsUp", "message": "ntp service is up"}],
         "rules": [{"type": "temporary", "reason": "NTPIsDown", "path": "./config/plugin/check_ntp.sh", "timeout": "3s"},
                   {"type": "permanent", "condition": "NTPProblem", "reason": "NTPIsDown", "path": "./config/plugin/check_ntp.sh", "args": ["-v"], "timeout": "3s"}]}
        """
        guard case .customPlugin(let m) = try MonitorLoader.load(data: Data(json.utf8), file: "ntp.json") else {
            Issue.record("expected a custom-plugin monitor"); return
        }
        #expect(m.interval == .seconds(30))
        #expect(m.timeout == .seconds(5))
        #expect(m.maxOutputLength == 80)
        #expect(m.concurrency == 3)
        #expect(m.rules[1].args == ["-v"])
        #expect(m.rules[1].timeout == .seconds(3))
        #expect(m.conditions.first?.canRecover == true)
    }

    @Test func malformedJSONNamesTheFile() {
        #expect {
            try MonitorLoader.load(data: Data("{\"plugin\": \"kmsg\", ".utf8), file: "broken.json")
        } throws: { error in
            guard let e = error as? MonitorConfigError, case .malformed(let file, _, _) = e else { return false }
            return file == "broken.json" && e.description.contains("broken.json")
        }
    }

    @Test func missingRequiredFieldIsNamed() {
        let json = #"{"plugin": "kmsg", "source": "k", "rules": [{"type": "temporary", "pattern": "x"}]}"#
        #expect {
            try MonitorLoader.load(data: Data(json.utf8), file: "k.json")
        } throws: { error in
            let text = "\(error)"
            return text.contains("k.json") && text.contains("rules[0].reason") && text.contains("missing")
        }
    }

    @Test func unknownPluginIsRejectedWithTheChoices() {
        let json = #"{"plugin": "syslog", "source": "k", "rules": []}"#
        #expect {
            try MonitorLoader.load(data: Data(json.utf8), file: "k.json")
        } throws: { error in
            "\(error)".contains("\"syslog\"") && "\(error)".contains("kmsg")
        }
    }

    @Test func badDurationNamesFieldAndValue() {
        let json = #"{"plugin": "kmsg", "source": "k", "lookback": "5 minutes", "rules": []}"#
        #expect {
            try MonitorLoader.load(data: Data(json.utf8), file: "k.json")
        } throws: { error in
            let text = "\(error)"
            return text.contains("lookback") && text.contains("5 minutes") && text.contains("Go duration")
        }
    }

    @Test func badPatternNamesFileRuleAndColumn() {
        let json = #"{"plugin": "kmsg", "source": "k", "rules": [{"type": "temporary", "reason": "Ok", "pattern": "a"}, {"type": "temporary", "reason": "Bad", "pattern": "task (\\w+) again \\1"}]}"#
        #expect {
            try MonitorLoader.load(data: Data(json.utf8), file: "k.json")
        } throws: { error in
            guard case .badPattern(let file, let rule, _, let column, let problem) = error as? MonitorConfigError else { return false }
            return file == "k.json" && rule == "rules[1] (reason Bad)" && column == 18 && problem.contains("back-reference")
        }
    }

    @Test func permanentRuleMustNameADeclaredCondition() {
        let json = #"{"plugin": "kmsg", "source": "k", "conditions": [{"type": "A", "reason": "AOk", "message": "fine"}], "rules": [{"type": "permanent", "condition": "B", "reason": "BBad", "pattern": "b"}]}"#
        #expect {
            try MonitorLoader.load(data: Data(json.utf8), file: "k.json")
        } throws: { error in
            "\(error)".contains("rules[0].condition") && "\(error)".contains("\"B\"")
        }
    }

    @Test func conditionTypeClaimedByTwoFilesIsAConfigurationError() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.json"), b = dir.appendingPathComponent("b.json")
        let json = #"{"plugin": "kmsg", "source": "k", "conditions": [{"type": "KernelDeadlock", "reason": "Ok", "message": "fine"}], "rules": []}"#
        try Fixtures.write(json, to: a)
        try Fixtures.write(json, to: b)
        #expect(throws: MonitorConfigError.conditionClaimedTwice(type: "KernelDeadlock", firstFile: a.path, secondFile: b.path)) {
            try MonitorLoader.loadAll(paths: [a.path, b.path])
        }
    }

    @Test func unreadableFileIsReported() {
        #expect {
            try MonitorLoader.load(path: "/nonexistent/mend/rules.json")
        } throws: { error in
            guard case .unreadable(let file, _) = error as? MonitorConfigError else { return false }
            return file == "/nonexistent/mend/rules.json"
        }
    }

    @Test func filelogNeedsItsTimestampFormat() {
        let json = #"{"plugin": "filelog", "logPath": "/var/log/syslog", "pluginConfig": {"timestamp": "^.{15}", "message": "kernel: (.*)"}, "source": "k", "rules": []}"#
        #expect {
            try MonitorLoader.load(data: Data(json.utf8), file: "f.json")
        } throws: { error in "\(error)".contains("pluginConfig.timestampFormat") }
    }

    @Test func taintEffectIsValidated() {
        let json = #"{"plugin": "kmsg", "source": "k", "conditions": [{"type": "A", "reason": "AOk", "message": "fine", "taint": {"key": "mend.io/a", "effect": "NoWay"}}], "rules": []}"#
        #expect {
            try MonitorLoader.load(data: Data(json.utf8), file: "k.json")
        } throws: { error in "\(error)".contains("taint.effect") && "\(error)".contains("NoWay") }
    }
}

@Suite struct ShippedConfigTests {
    static let files = ["kernel-monitor.json", "containerd-monitor.json", "systemd-monitor.json"]

    @Test func shippedRuleFilesLoadTogether() throws {
        let monitors = try MonitorLoader.loadAll(paths: Self.files.map(Fixtures.config))
        #expect(monitors.count == 3)
        #expect(Set(monitors.flatMap(\.conditions).map(\.type)).count == monitors.flatMap(\.conditions).count)
    }

    @Test func manifestCopiesMatchConfig() throws {
        // kustomize only reads files below the kustomization, so manifests/base/detector/config holds copies.
        for name in Self.files {
            let shipped = try Data(contentsOf: URL(fileURLWithPath: Fixtures.config(name)))
            let copy = try Data(contentsOf: Fixtures.repoRoot.appendingPathComponent("manifests/base/detector/config/\(name)"))
            #expect(shipped == copy, "manifests/base/detector/config/\(name) differs from config/\(name)")
        }
    }

    @Test func everyShippedConditionHasARunbook() throws {
        let monitors = try MonitorLoader.loadAll(paths: Self.files.map(Fixtures.config))
        for type in monitors.flatMap(\.conditions).map(\.type) {
            let page = Fixtures.repoRoot.appendingPathComponent("runbooks/detector-\(type).md").path
            #expect(FileManager.default.fileExists(atPath: page), "missing runbook \(page)")
        }
    }
}
