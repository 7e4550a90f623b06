import Foundation
import KubeModels

/// Everything that decides what mend-drainer does: which nodes, which conditions, which pods,
/// how drains run, and the safety budget. Built from the YAML file and flags from ``DrainerConfig``.
public struct DrainerPolicy: Sendable, Hashable {
    /// Nodes to consider (everything when empty).
    public var nodeSelector: LabelQuery
    /// A node with this annotation set to `"true"` is never cordoned or drained.
    public var optOutAnnotation: String
    /// Bad-condition rules; a node matching any of them is taken out of service.
    public var rules: [ConditionRule]
    public var pods: PodPolicy
    public var drain: DrainSettings
    public var budget: SafetyBudget
    /// Uncordon nodes Mend cordoned once no rule has matched for this long (`nil`: never).
    public var uncordonAfterHealthyFor: Duration?
    /// Ask for replacement capacity before draining when the pods would not fit elsewhere.
    public var surge: SurgeSettings

    public init(
        nodeSelector: LabelQuery = .everything, optOutAnnotation: String = MendNodeKeys.defaultOptOut,
        rules: [ConditionRule], pods: PodPolicy = PodPolicy(), drain: DrainSettings = DrainSettings(),
        budget: SafetyBudget = SafetyBudget(), uncordonAfterHealthyFor: Duration? = .seconds(600),
        surge: SurgeSettings = SurgeSettings()
    ) {
        self.nodeSelector = nodeSelector
        self.optOutAnnotation = optOutAnnotation
        self.rules = rules
        self.pods = pods
        self.drain = drain
        self.budget = budget
        self.uncordonAfterHealthyFor = uncordonAfterHealthyFor
        self.surge = surge
    }

    /// Whether the policy applies to `node` at all (selector matches, not opted out).
    public func selects(_ node: Node) -> Bool {
        guard nodeSelector.matches(node.metadata.labels) else { return false }
        return node.metadata.annotations?[optOutAnnotation]?.lowercased() != "true"
    }

    /// The earliest time any rule matches `node` (in the past: matches now), with that rule;
    /// `nil` when no rule's condition has its bad status.
    public func match(_ node: Node, firstSeen: Date) -> RuleMatch? {
        var best: RuleMatch?
        for rule in rules {
            guard let from = rule.matchesFrom(node, firstSeen: firstSeen) else { continue }
            if best == nil || from < best!.from { best = RuleMatch(rule: rule, from: from) }
        }
        return best
    }

    /// When `node` (whose rules all stopped matching) became healthy: the latest transition of a
    /// rule's condition out of its bad status; `fallback` when no condition says.
    public func healthySince(_ node: Node, fallback: Date) -> Date {
        var latest: Date?
        for rule in rules {
            guard let condition = node.condition(rule.type), let time = condition.lastTransitionTime?.date else { continue }
            if latest == nil || time > latest! { latest = time }
        }
        return latest ?? fallback
    }
}

/// A rule that matches a node, and from when.
public struct RuleMatch: Sendable, Hashable {
    public var rule: ConditionRule
    /// When the rule's duration has elapsed (cordon at or after this time).
    public var from: Date
}

/// How one drain runs.
public struct DrainSettings: Sendable, Hashable {
    /// How long a drain may take before it is reported as stuck.
    public var timeout: Duration
    /// What to do when the timeout passes.
    public var onTimeout: TimeoutChoice
    /// Evictions in flight at once on one node.
    public var concurrentEvictions: Int
    /// The wait before retrying a PDB-refused eviction when the API gives no `Retry-After`.
    public var evictionRetryInterval: Duration
    /// How often to check whether an evicted pod is gone.
    public var podGonePollInterval: Duration

    public init(
        timeout: Duration = .seconds(1800), onTimeout: TimeoutChoice = .giveUp, concurrentEvictions: Int = 10,
        evictionRetryInterval: Duration = .seconds(5), podGonePollInterval: Duration = .seconds(1)
    ) {
        self.timeout = timeout
        self.onTimeout = onTimeout
        self.concurrentEvictions = concurrentEvictions
        self.evictionRetryInterval = evictionRetryInterval
        self.podGonePollInterval = podGonePollInterval
    }

    /// What a stuck drain does after it has been reported.
    public enum TimeoutChoice: String, Sendable, Hashable, CaseIterable {
        /// Keep trying to evict (the report is made once).
        case keepWaiting = "keep-waiting"
        /// Stop evicting and leave the node cordoned for a person.
        case giveUp = "give-up"
    }
}

/// Surge: before evicting, check that the node's evictable pods fit on the other schedulable
/// nodes; when they do not, ask the autoscaler for capacity (the ``MendNodeKeys/surgeRequested``
/// annotation) and wait for room, up to ``timeout``.
public struct SurgeSettings: Sendable, Hashable {
    /// Off by default: drains start without a fit check.
    public var enabled: Bool
    /// The longest wait for room before ``onTimeout`` applies.
    public var timeout: Duration
    /// What happens when room has not appeared within ``timeout``.
    public var onTimeout: TimeoutChoice
    /// How often the fit is checked again while waiting (node changes also trigger a check).
    public var recheckInterval: Duration

    public init(
        enabled: Bool = false, timeout: Duration = .seconds(900), onTimeout: TimeoutChoice = .proceed,
        recheckInterval: Duration = .seconds(30)
    ) {
        self.enabled = enabled
        self.timeout = timeout
        self.onTimeout = onTimeout
        self.recheckInterval = recheckInterval
    }

    /// What a surge wait that ran out of time does.
    public enum TimeoutChoice: String, Sendable, Hashable, CaseIterable {
        /// Drain anyway (evicted pods stay Pending until capacity arrives).
        case proceed
        /// Leave the node cordoned and undrained for a person (the request stays on the node).
        case stayCordoned = "stay-cordoned"
    }
}
