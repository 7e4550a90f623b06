import Foundation
import KubeModels
import MendCore
import Yams

/// Values given on the command line; each one set replaces the file's value.
public struct DrainerOverrides: Sendable, Hashable {
    public var conditions: [String]?
    public var nodeSelector: String?
    public var maxConcurrentDrains: String?
    public var maxCordoned: String?
    public var drainTimeout: String?

    public init(
        conditions: [String]? = nil, nodeSelector: String? = nil, maxConcurrentDrains: String? = nil,
        maxCordoned: String? = nil, drainTimeout: String? = nil
    ) {
        self.conditions = conditions
        self.nodeSelector = nodeSelector
        self.maxConcurrentDrains = maxConcurrentDrains
        self.maxCordoned = maxCordoned
        self.drainTimeout = drainTimeout
    }
}

/// Reads mend-drainer's YAML file (see `config/drainer.example.yaml`), applies flag overrides and
/// validates every value, reporting the file, the field, the bad value and what was expected.
public enum DrainerConfigLoader {
    /// Loads the file at `path` (or only defaults and flags when `path` is `nil`).
    public static func load(path: String?, overrides: DrainerOverrides = DrainerOverrides()) throws(DrainerConfigError)
        -> DrainerPolicy
    {
        guard let path else { return try parse(yaml: "", file: "(flags)", overrides: overrides) }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(file: path, reason: (error as NSError).localizedDescription)
        }
        return try parse(yaml: text, file: path, overrides: overrides)
    }

    /// Parses YAML text; `file` names it in errors.
    public static func parse(yaml: String, file: String, overrides: DrainerOverrides = DrainerOverrides())
        throws(DrainerConfigError) -> DrainerPolicy
    {
        let root: [String: Any]
        do {
            let loaded = try Yams.load(yaml: yaml)
            if loaded == nil {
                root = [:]
            } else if let mapping = loaded as? [String: Any] {
                root = mapping
            } else {
                throw DrainerConfigError.notYAML(file: file, reason: "the top level must be a mapping of fields")
            }
        } catch let error as DrainerConfigError {
            throw error
        } catch {
            throw .notYAML(file: file, reason: "\(error)")
        }
        var reader = Reader(file: file)
        return try reader.policy(root, overrides: overrides)
    }
}

/// Walks the decoded YAML with the path of each field, for error messages.
private struct Reader {
    let file: String

    func fail(_ field: String, _ value: Any, _ expected: String) -> DrainerConfigError {
        .invalid(file: file, field: field, value: "\(value)", expected: expected)
    }

    func checkKnown(_ map: [String: Any], _ known: [String], at prefix: String) throws(DrainerConfigError) {
        for key in map.keys.sorted() where !known.contains(key) {
            throw .unknownField(file: file, field: prefix.isEmpty ? key : "\(prefix).\(key)", known: known)
        }
    }

    func mapping(_ value: Any?, _ field: String) throws(DrainerConfigError) -> [String: Any] {
        guard let value else { return [:] }
        guard let map = value as? [String: Any] else { throw fail(field, value, "a mapping of fields") }
        return map
    }

    func bool(_ value: Any?, _ field: String, default fallback: Bool) throws(DrainerConfigError) -> Bool {
        guard let value else { return fallback }
        guard let flag = value as? Bool else { throw fail(field, value, "true or false") }
        return flag
    }

    func string(_ value: Any?, _ field: String) throws(DrainerConfigError) -> String? {
        guard let value else { return nil }
        guard let text = value as? String else { throw fail(field, value, "a string") }
        return text
    }

    func positiveInt(_ value: Any?, _ field: String, default fallback: Int) throws(DrainerConfigError) -> Int {
        guard let value else { return fallback }
        if let n = value as? Int, n >= 1 { return n }
        if let text = value as? String, let n = Int(text), n >= 1 { return n }
        throw fail(field, value, "a whole number of at least 1")
    }

    func duration(_ value: Any?, _ field: String, default fallback: Duration?) throws(DrainerConfigError) -> Duration? {
        guard let value else { return fallback }
        if let n = value as? Int, n == 0 { return .zero }
        guard let text = value as? String, let parsed = GoDuration.nonNegative(text) else {
            throw fail(field, value, "a duration such as 30s, 10m or 1h30m")
        }
        return parsed
    }

    func cordonLimit(_ value: Any?, _ field: String) throws(DrainerConfigError) -> SafetyBudget.CordonLimit? {
        guard let value else { return nil }
        if let n = value as? Int, n >= 1 { return .count(n) }
        if let text = value as? String {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.hasSuffix("%"), let p = Int(trimmed.dropLast()), (1...100).contains(p) { return .percent(p) }
            if let n = Int(trimmed), n >= 1 { return .count(n) }
        }
        throw fail(field, value, "a node count of at least 1 or a percentage from 1% to 100%")
    }

    func labelQuery(_ value: Any?, _ field: String) throws(DrainerConfigError) -> LabelQuery? {
        guard let text = try string(value, field) else { return nil }
        do {
            return try LabelQuery(parsing: text)
        } catch {
            throw fail(field, text, "a label selector such as \"role=worker,zone in (a,b),!no-drain\" (\(error))")
        }
    }

    mutating func policy(_ root: [String: Any], overrides: DrainerOverrides) throws(DrainerConfigError) -> DrainerPolicy {
        try checkKnown(root, ["nodeSelector", "optOutAnnotation", "conditions", "pods", "drain", "budget", "uncordon"], at: "")

        // Nodes.
        var selector = try labelQuery(root["nodeSelector"], "nodeSelector") ?? .everything
        if let flag = overrides.nodeSelector {
            selector = try labelQuery(flag, "--node-selector") ?? .everything
        }
        let optOut = try string(root["optOutAnnotation"], "optOutAnnotation") ?? MendNodeKeys.defaultOptOut
        if let problem = LabelSyntax.keyProblem(optOut) { throw fail("optOutAnnotation", optOut, "an annotation key (\(problem))") }

        // Rules.
        var ruleTexts: [(field: String, text: String)] = []
        if let flags = overrides.conditions {
            ruleTexts = flags.map { (field: "--condition", text: $0) }
        } else if let list = root["conditions"] {
            guard let items = list as? [Any] else { throw fail("conditions", list, "a list of rules such as KernelDeadlock=True,10m") }
            for (index, item) in items.enumerated() {
                guard let text = item as? String else {
                    throw fail("conditions[\(index)]", item, "a rule such as KernelDeadlock=True,10m")
                }
                ruleTexts.append((field: "conditions[\(index)]", text: text))
            }
        }
        guard !ruleTexts.isEmpty else {
            throw .missing(file: file, field: "conditions", expected: "at least one rule such as KernelDeadlock=True,10m (or --condition)")
        }
        var rules: [ConditionRule] = []
        for (field, text) in ruleTexts {
            do {
                rules.append(try ConditionRule(parsing: text))
            } catch {
                throw .invalid(file: file, field: field, value: text, expected: "a rule Type[=Status,Duration]: \(error)")
            }
        }

        // Pods.
        let podsMap = try mapping(root["pods"], "pods")
        try checkKnown(podsMap, ["evictLocalStorage", "evictUnowned", "protectedAnnotation", "maxGracePeriod", "deleteInsteadOfEvict"], at: "pods")
        let protected = try string(podsMap["protectedAnnotation"], "pods.protectedAnnotation") ?? MendNodeKeys.defaultProtectedPod
        if let problem = LabelSyntax.keyProblem(protected) {
            throw fail("pods.protectedAnnotation", protected, "an annotation key (\(problem))")
        }
        let pods = PodPolicy(
            evictLocalStorage: try bool(podsMap["evictLocalStorage"], "pods.evictLocalStorage", default: false),
            evictUnowned: try bool(podsMap["evictUnowned"], "pods.evictUnowned", default: false),
            protectedAnnotation: protected,
            maxGracePeriod: try duration(podsMap["maxGracePeriod"], "pods.maxGracePeriod", default: nil),
            deleteInsteadOfEvict: try labelQuery(podsMap["deleteInsteadOfEvict"], "pods.deleteInsteadOfEvict"))

        // Drain.
        let drainMap = try mapping(root["drain"], "drain")
        try checkKnown(drainMap, ["timeout", "onTimeout", "concurrentEvictions", "evictionRetryInterval", "podGonePollInterval"], at: "drain")
        var drain = DrainSettings()
        drain.timeout = try duration(drainMap["timeout"], "drain.timeout", default: drain.timeout)!
        if let flag = overrides.drainTimeout { drain.timeout = try duration(flag, "--drain-timeout", default: nil)! }
        guard drain.timeout > .zero else { throw fail("drain.timeout", drainMap["timeout"] ?? "0", "a duration above zero") }
        if let choice = try string(drainMap["onTimeout"], "drain.onTimeout") {
            guard let parsed = DrainSettings.TimeoutChoice(rawValue: choice) else {
                throw fail("drain.onTimeout", choice, "keep-waiting or give-up")
            }
            drain.onTimeout = parsed
        }
        drain.concurrentEvictions = try positiveInt(drainMap["concurrentEvictions"], "drain.concurrentEvictions", default: drain.concurrentEvictions)
        drain.evictionRetryInterval = try duration(drainMap["evictionRetryInterval"], "drain.evictionRetryInterval", default: drain.evictionRetryInterval)!
        drain.podGonePollInterval = try duration(drainMap["podGonePollInterval"], "drain.podGonePollInterval", default: drain.podGonePollInterval)!
        guard drain.evictionRetryInterval > .zero, drain.podGonePollInterval > .zero else {
            throw fail("drain.evictionRetryInterval / drain.podGonePollInterval", "0", "durations above zero")
        }

        // Budget.
        let budgetMap = try mapping(root["budget"], "budget")
        try checkKnown(budgetMap, ["maxConcurrentDrains", "maxCordoned", "stormCooldown", "minIntervalBetweenDrains", "maintenanceWindows"], at: "budget")
        var budget = SafetyBudget()
        budget.maxConcurrentDrains = try positiveInt(budgetMap["maxConcurrentDrains"], "budget.maxConcurrentDrains", default: budget.maxConcurrentDrains)
        if let flag = overrides.maxConcurrentDrains {
            budget.maxConcurrentDrains = try positiveInt(flag, "--max-concurrent-drains", default: 1)
        }
        budget.maxCordoned = try cordonLimit(budgetMap["maxCordoned"], "budget.maxCordoned") ?? budget.maxCordoned
        if let flag = overrides.maxCordoned { budget.maxCordoned = try cordonLimit(flag, "--max-cordoned")! }
        budget.stormCooldown = try duration(budgetMap["stormCooldown"], "budget.stormCooldown", default: budget.stormCooldown)!
        budget.minIntervalBetweenDrains = try duration(
            budgetMap["minIntervalBetweenDrains"], "budget.minIntervalBetweenDrains", default: budget.minIntervalBetweenDrains)!
        if let windows = budgetMap["maintenanceWindows"] {
            guard let list = windows as? [Any] else { throw fail("budget.maintenanceWindows", windows, "a list of windows") }
            for (index, item) in list.enumerated() {
                budget.maintenanceWindows.append(try window(item, "budget.maintenanceWindows[\(index)]"))
            }
        }

        // Uncordon.
        let uncordonMap = try mapping(root["uncordon"], "uncordon")
        try checkKnown(uncordonMap, ["enabled", "healthyFor"], at: "uncordon")
        let uncordonEnabled = try bool(uncordonMap["enabled"], "uncordon.enabled", default: true)
        let healthyFor = try duration(uncordonMap["healthyFor"], "uncordon.healthyFor", default: .seconds(600))

        return DrainerPolicy(
            nodeSelector: selector, optOutAnnotation: optOut, rules: rules, pods: pods, drain: drain, budget: budget,
            uncordonAfterHealthyFor: uncordonEnabled ? healthyFor : nil)
    }

    func window(_ value: Any, _ field: String) throws(DrainerConfigError) -> MaintenanceWindow {
        let map = try mapping(value, field)
        try checkKnown(map, ["days", "start", "end", "timeZone"], at: field)
        guard let dayList = map["days"] as? [Any], !dayList.isEmpty else {
            throw .missing(file: file, field: "\(field).days", expected: "a list of weekdays such as [Mon, Tue]")
        }
        var days = Set<Int>()
        for (index, day) in dayList.enumerated() {
            guard let name = day as? String, let weekday = MaintenanceWindow.weekday(named: name) else {
                throw fail("\(field).days[\(index)]", day, "a weekday: Mon, Tue, Wed, Thu, Fri, Sat or Sun")
            }
            days.insert(weekday)
        }
        func time(_ key: String) throws(DrainerConfigError) -> Int {
            guard let raw = map[key] else { throw .missing(file: file, field: "\(field).\(key)", expected: "a time HH:MM") }
            guard let text = raw as? String, let minutes = MaintenanceWindow.minutes(from: text) else {
                throw fail("\(field).\(key)", raw, "a time HH:MM from 00:00 to 24:00")
            }
            return minutes
        }
        let start = try time("start")
        let end = try time("end")
        let zoneName = try string(map["timeZone"], "\(field).timeZone") ?? "UTC"
        guard let zone = TimeZone(identifier: zoneName) else {
            throw fail("\(field).timeZone", zoneName, "an IANA time zone such as UTC or Europe/Berlin")
        }
        return MaintenanceWindow(days: days, startMinute: start, endMinute: end, timeZone: zone)
    }
}
