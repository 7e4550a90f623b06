import Foundation
import KubeModels
import MendCore

/// mend-drainer's configuration file (see `config/drainer.example.yaml`), read by MendCore's
/// strict ``ConfigLoader``: unknown fields are rejected with a suggestion, and every error names
/// the file, line and column, the field, the bad value and what was expected.
///
/// ```swift
/// let config = try ConfigLoader.load(DrainerConfig.self, file: path, overrides: flags.configOverrides())
/// let policy = config.policy
/// ```
public struct DrainerConfig: ProgramConfiguration, Hashable {
    /// Log every write instead of sending it (`--dry-run`).
    public var dryRun: Bool
    public var logging: LoggingSettings
    public var server: ServerSettings
    /// Nodes Mend may take out of service (empty: every node).
    public var nodeSelector: SelectorSetting
    /// A node with this annotation set to `"true"` is never cordoned or drained.
    public var optOutAnnotation: String
    /// Draino-style rules (`KernelDeadlock=True,10m`); any matching rule takes a node out.
    public var conditions: [ConditionRule]
    public var pods: Pods
    public var drain: Drain
    public var budget: Budget
    public var uncordon: Uncordon
    public var surge: Surge

    /// The `pods:` section (see ``PodPolicy``).
    public struct Pods: Codable, Sendable, Hashable {
        public var evictLocalStorage: Bool
        public var evictUnowned: Bool
        public var protectedAnnotation: String
        public var maxGracePeriod: GoDuration?
        public var deleteInsteadOfEvict: SelectorSetting?
    }

    /// The `drain:` section (see ``DrainSettings``).
    public struct Drain: Codable, Sendable, Hashable {
        public var timeout: GoDuration
        public var onTimeout: DrainSettings.TimeoutChoice
        public var concurrentEvictions: Int
        public var evictionRetryInterval: GoDuration
        public var podGonePollInterval: GoDuration
    }

    /// The `budget:` section (see ``SafetyBudget``).
    public struct Budget: Codable, Sendable, Hashable {
        public var maxConcurrentDrains: Int
        public var maxCordoned: SafetyBudget.CordonLimit
        public var stormCooldown: GoDuration
        public var minIntervalBetweenDrains: GoDuration
        public var maintenanceWindows: [MaintenanceWindow]
    }

    /// The `uncordon:` section.
    public struct Uncordon: Codable, Sendable, Hashable {
        public var enabled: Bool
        public var healthyFor: GoDuration
    }

    /// The `surge:` section (see ``SurgeSettings``).
    public struct Surge: Codable, Sendable, Hashable {
        public var enabled: Bool
        public var timeout: GoDuration
        public var onTimeout: SurgeSettings.TimeoutChoice
        public var recheckInterval: GoDuration
    }

    public static var defaults: DrainerConfig {
        let policy = DrainerPolicy(rules: [])
        return DrainerConfig(policy: policy)
    }

    /// The file form of `policy` (with default program settings).
    public init(policy: DrainerPolicy, dryRun: Bool = false, logging: LoggingSettings = LoggingSettings(), server: ServerSettings = ServerSettings()) {
        self.dryRun = dryRun
        self.logging = logging
        self.server = server
        nodeSelector = SelectorSetting(policy.nodeSelector)
        optOutAnnotation = policy.optOutAnnotation
        conditions = policy.rules
        pods = Pods(
            evictLocalStorage: policy.pods.evictLocalStorage, evictUnowned: policy.pods.evictUnowned,
            protectedAnnotation: policy.pods.protectedAnnotation, maxGracePeriod: policy.pods.maxGracePeriod.map(GoDuration.init),
            deleteInsteadOfEvict: policy.pods.deleteInsteadOfEvict.map(SelectorSetting.init))
        drain = Drain(
            timeout: GoDuration(policy.drain.timeout), onTimeout: policy.drain.onTimeout,
            concurrentEvictions: policy.drain.concurrentEvictions,
            evictionRetryInterval: GoDuration(policy.drain.evictionRetryInterval),
            podGonePollInterval: GoDuration(policy.drain.podGonePollInterval))
        budget = Budget(
            maxConcurrentDrains: policy.budget.maxConcurrentDrains, maxCordoned: policy.budget.maxCordoned,
            stormCooldown: GoDuration(policy.budget.stormCooldown),
            minIntervalBetweenDrains: GoDuration(policy.budget.minIntervalBetweenDrains),
            maintenanceWindows: policy.budget.maintenanceWindows)
        uncordon = Uncordon(
            enabled: policy.uncordonAfterHealthyFor != nil, healthyFor: GoDuration(policy.uncordonAfterHealthyFor ?? .seconds(600)))
        surge = Surge(
            enabled: policy.surge.enabled, timeout: GoDuration(policy.surge.timeout), onTimeout: policy.surge.onTimeout,
            recheckInterval: GoDuration(policy.surge.recheckInterval))
    }

    /// The policy the reconciler runs.
    public var policy: DrainerPolicy {
        DrainerPolicy(
            nodeSelector: nodeSelector.query, optOutAnnotation: optOutAnnotation, rules: conditions,
            pods: PodPolicy(
                evictLocalStorage: pods.evictLocalStorage, evictUnowned: pods.evictUnowned,
                protectedAnnotation: pods.protectedAnnotation, maxGracePeriod: pods.maxGracePeriod?.duration,
                deleteInsteadOfEvict: pods.deleteInsteadOfEvict?.query),
            drain: DrainSettings(
                timeout: drain.timeout.duration, onTimeout: drain.onTimeout, concurrentEvictions: drain.concurrentEvictions,
                evictionRetryInterval: drain.evictionRetryInterval.duration, podGonePollInterval: drain.podGonePollInterval.duration),
            budget: SafetyBudget(
                maxConcurrentDrains: budget.maxConcurrentDrains, maxCordoned: budget.maxCordoned,
                stormCooldown: budget.stormCooldown.duration, minIntervalBetweenDrains: budget.minIntervalBetweenDrains.duration,
                maintenanceWindows: budget.maintenanceWindows),
            uncordonAfterHealthyFor: uncordon.enabled ? uncordon.healthyFor.duration : nil,
            surge: SurgeSettings(
                enabled: surge.enabled, timeout: surge.timeout.duration, onTimeout: surge.onTimeout,
                recheckInterval: surge.recheckInterval.duration))
    }

    public func validate(_ v: inout ConfigValidator) {
        v.check(
            !conditions.isEmpty, at: "conditions", value: "[]",
            expected: "at least one rule such as KernelDeadlock=True,10m (in the file or with --condition)")
        Self.checkAnnotationKey(optOutAnnotation, at: "optOutAnnotation", &v)
        Self.checkAnnotationKey(pods.protectedAnnotation, at: "pods.protectedAnnotation", &v)
        if let maxGracePeriod = pods.maxGracePeriod { v.check(maxGracePeriod, at: "pods.maxGracePeriod", in: "0s"..."24h") }
        v.check(drain.timeout, at: "drain.timeout", in: "1s"..."720h")
        v.check(drain.concurrentEvictions, at: "drain.concurrentEvictions", in: 1...1000)
        v.check(drain.evictionRetryInterval, at: "drain.evictionRetryInterval", in: "1ms"..."1h")
        v.check(drain.podGonePollInterval, at: "drain.podGonePollInterval", in: "1ms"..."1h")
        v.check(budget.maxConcurrentDrains, at: "budget.maxConcurrentDrains", in: 1...1000)
        v.check(budget.stormCooldown, at: "budget.stormCooldown", in: "0s"..."720h")
        v.check(budget.minIntervalBetweenDrains, at: "budget.minIntervalBetweenDrains", in: "0s"..."720h")
        for (index, window) in budget.maintenanceWindows.enumerated() {
            v.check(
                !window.days.isEmpty, at: "budget.maintenanceWindows[\(index)].days", value: "[]",
                expected: "a list of weekdays such as [Mon, Tue]")
        }
        v.check(uncordon.healthyFor, at: "uncordon.healthyFor", in: "0s"..."720h")
        v.check(surge.timeout, at: "surge.timeout", in: "1s"..."720h")
        v.check(surge.recheckInterval, at: "surge.recheckInterval", in: "1s"..."1h")
    }

    private static func checkAnnotationKey(_ key: String, at path: String, _ v: inout ConfigValidator) {
        if let problem = LabelSyntax.keyProblem(key) { v.report(at: path, value: key, expected: "an annotation key (\(problem))") }
    }
}

// MARK: Scalars of the file

extension ConditionRule: Codable, ConfigScalar {
    public static let expectation = "a rule Type[=Status][,Duration] such as KernelDeadlock=True,10m"

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw ConfigValueError(expected: "\(Self.expectation); \(error)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension SafetyBudget.CordonLimit: Codable, ConfigScalar {
    public static let expectation = "a node count of at least 1 (3) or a percentage from 1% to 100% (10%)"

    /// Parses `3` or `10%`.
    public init(parsing text: String) throws(ConfigValueError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix("%"), let p = Int(trimmed.dropLast()), (1...100).contains(p) {
            self = .percent(p)
        } else if let n = Int(trimmed), n >= 1 {
            self = .count(n)
        } else {
            throw ConfigValueError(expected: Self.expectation)
        }
    }

    public init(from decoder: any Decoder) throws {
        try self.init(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .count(let n): try container.encode(n)
        case .percent: try container.encode(description)
        }
    }
}

extension DrainSettings.TimeoutChoice: Codable {}
extension SurgeSettings.TimeoutChoice: Codable {}

extension MaintenanceWindow: Codable {
    private enum Keys: String, CodingKey { case days, start, end, timeZone }

    /// A weekday name in the file (`Mon`, `monday`).
    struct DayName: Codable, ConfigScalar {
        static let expectation = "a weekday: Mon, Tue, Wed, Thu, Fri, Sat or Sun"
        var weekday: Int

        init(weekday: Int) { self.weekday = weekday }

        init(from decoder: any Decoder) throws {
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let weekday = MaintenanceWindow.weekday(named: text) else { throw ConfigValueError(expected: Self.expectation) }
            self.weekday = weekday
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(MaintenanceWindow.dayNames[weekday - 1])
        }
    }

    /// A time of day in the file (`HH:MM`, 00:00 to 24:00).
    struct ClockTime: Codable, ConfigScalar {
        static let expectation = "a time HH:MM from 00:00 to 24:00"
        var minutes: Int

        init(minutes: Int) { self.minutes = minutes }

        init(from decoder: any Decoder) throws {
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let minutes = MaintenanceWindow.minutes(from: text) else { throw ConfigValueError(expected: Self.expectation) }
            self.minutes = minutes
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(String(format: "%02d:%02d", minutes / 60, minutes % 60))
        }
    }

    /// An IANA time zone name in the file.
    struct ZoneName: Codable, ConfigScalar {
        static let expectation = "an IANA time zone such as UTC or Europe/Berlin"
        var zone: TimeZone

        init(zone: TimeZone) { self.zone = zone }

        init(from decoder: any Decoder) throws {
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let zone = TimeZone(identifier: text) else { throw ConfigValueError(expected: Self.expectation) }
            self.zone = zone
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(zone.identifier)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        let days = try container.decode([DayName].self, forKey: .days)
        let start = try container.decode(ClockTime.self, forKey: .start)
        let end = try container.decode(ClockTime.self, forKey: .end)
        let zone = try container.decodeIfPresent(ZoneName.self, forKey: .timeZone)?.zone ?? TimeZone(identifier: "UTC")!
        self.init(days: Set(days.map(\.weekday)), startMinute: start.minutes, endMinute: end.minutes, timeZone: zone)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(days.sorted().map(DayName.init(weekday:)), forKey: .days)
        try container.encode(ClockTime(minutes: startMinute), forKey: .start)
        try container.encode(ClockTime(minutes: endMinute), forKey: .end)
        try container.encode(ZoneName(zone: timeZone), forKey: .timeZone)
    }
}
