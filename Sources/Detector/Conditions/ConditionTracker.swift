import Foundation
import KubeModels

/// The state of one condition Mend owns on its node.
public struct TrackedCondition: Sendable, Equatable {
    public var type: String
    /// `True`, `False` or `Unknown`.
    public var status: String
    public var reason: String
    public var message: String
    public var lastTransitionTime: Date
    /// When a True condition set from a log line clears without new evidence (from `expireAfter`).
    public var expiresAt: Date?
}

/// An Event to emit about the node.
public struct DetectorEvent: Sendable, Equatable {
    /// `Warning` for problems, `Normal` for recoveries.
    public var type: String
    public var reason: String
    public var message: String
    /// The monitor's `source`.
    public var source: String
    /// The condition it concerns (empty for a temporary problem).
    public var conditionType: String = ""

    public init(type: String, reason: String, message: String, source: String, conditionType: String = "") {
        self.type = type
        self.reason = reason
        self.message = message
        self.source = source
        self.conditionType = conditionType
    }
}

/// Keeps the conditions of every monitor and decides what changes: the pure heart of the detector,
/// with no I/O and time passed in.
///
/// At start-up it adopts the node's current conditions: a condition that is True stays True (no
/// flapping on restart) until its rule says how it recovers: a recovery pattern, an expiry, or a
/// check plugin that reports OK.
public struct ConditionTracker: Sendable {
    public private(set) var conditions: [String: TrackedCondition] = [:]
    private var specs: [String: ConditionSpec] = [:]
    private var sourceOf: [String: String] = [:]
    /// Latest plugin status per (condition, rule index).
    private var pluginStatus: [String: [Int: (PluginStatus, String, String)]] = [:]
    private var lastTemporaryPluginStatus: [String: PluginStatus] = [:]
    /// Types changed since the last ``takeChanges()``.
    private var changed: Set<String> = []

    /// - Parameters:
    ///   - monitors: the loaded monitors (their condition specs).
    ///   - existing: the node's conditions as read at start-up.
    ///   - staleBefore: a condition type mapped to an instant (the boot time, for kernel monitors): a
    ///     True condition whose transition is older than that was set in a previous boot and is reset.
    public init(monitors: [Monitor], existing: [NodeCondition], now: Date, staleBefore: [String: Date] = [:]) {
        let current = Dictionary(existing.map { ($0.type.rawValue, $0) }, uniquingKeysWith: { a, _ in a })
        for monitor in monitors {
            for spec in monitor.conditions {
                specs[spec.type] = spec
                sourceOf[spec.type] = monitor.source
                let stale = current[spec.type]?.lastTransitionTime.map { t in staleBefore[spec.type].map { t.date < $0 } ?? false } ?? false
                if let found = current[spec.type], found.status == .true, !stale {
                    conditions[spec.type] = TrackedCondition(
                        type: spec.type, status: "True", reason: found.reason ?? spec.defaultReason,
                        message: found.message ?? "", lastTransitionTime: found.lastTransitionTime?.date ?? now,
                        expiresAt: spec.expireAfter.map { now.addingTimeInterval($0.seconds) })
                    if found.reason == nil { changed.insert(spec.type) }
                } else {
                    conditions[spec.type] = TrackedCondition(
                        type: spec.type, status: "False", reason: spec.defaultReason, message: spec.defaultMessage,
                        lastTransitionTime: current[spec.type]?.status == .false
                            ? (current[spec.type]?.lastTransitionTime?.date ?? now) : now,
                        expiresAt: nil)
                    let same = current[spec.type].map {
                        $0.status == .false && $0.reason == spec.defaultReason && $0.message == spec.defaultMessage
                    } ?? false
                    if !same { changed.insert(spec.type) }
                }
            }
        }
    }

    /// Takes a new set of monitors (a configuration reload) without losing what is known.
    ///
    /// A condition type still configured keeps its state: a True condition stays True with its
    /// reason, message and transition time (no flapping); a healthy one takes the new default
    /// reason and message; an expiry follows the new `expireAfter`. A newly configured type is
    /// adopted from `existing` (the node's conditions) as at start-up. Types no longer configured
    /// are dropped from the tracker (whether they leave the node is the caller's opt-in).
    ///
    /// - Parameter restartedPluginSources: `source`s of custom-plugin monitors whose file changed:
    ///   their remembered plugin results are forgotten (rule indexes may mean other rules now).
    /// - Returns: the condition types no longer configured.
    @discardableResult
    public mutating func reconfigure(monitors: [Monitor], existing: [NodeCondition], now: Date,
                                     staleBefore: [String: Date] = [:], restartedPluginSources: Set<String> = []) -> [String] {
        var fresh = ConditionTracker(monitors: monitors, existing: existing, now: now, staleBefore: staleBefore)
        let removed = Set(conditions.keys).subtracting(fresh.conditions.keys)
        // Only new types report what start-up adoption found; kept types start from "unchanged".
        fresh.changed = fresh.changed.subtracting(conditions.keys).union(changed.subtracting(removed))
        for (type, old) in conditions {
            guard let spec = fresh.specs[type], let oldSpec = specs[type] else { continue }
            var kept = old
            if kept.status == "False", kept.reason == oldSpec.defaultReason, kept.message == oldSpec.defaultMessage,
               kept.reason != spec.defaultReason || kept.message != spec.defaultMessage {
                kept.reason = spec.defaultReason
                kept.message = spec.defaultMessage
                fresh.changed.insert(type)
            }
            if kept.status == "True" {
                switch (spec.expireAfter, oldSpec.expireAfter) {
                case (nil, _): kept.expiresAt = nil
                case (let new?, let previous) where new != previous: kept.expiresAt = now.addingTimeInterval(new.seconds)
                default: break
                }
            }
            fresh.conditions[type] = kept
            if !restartedPluginSources.contains(fresh.sourceOf[type] ?? ""), let statuses = pluginStatus[type] {
                fresh.pluginStatus[type] = statuses
            }
        }
        for (key, status) in lastTemporaryPluginStatus {
            let source = String(key[..<(key.lastIndex(of: "#") ?? key.endIndex)])
            if !restartedPluginSources.contains(source) { fresh.lastTemporaryPluginStatus[key] = status }
        }
        self = fresh
        return removed.sorted()
    }

    /// The spec of a condition type.
    public func spec(_ type: String) -> ConditionSpec? { specs[type] }

    /// Applies a rule that fired on a log line; returns the Events to emit.
    public mutating func apply(_ match: RuleMatch, source: String, at now: Date) -> [DetectorEvent] {
        switch match.action {
        case .event(let reason):
            return [DetectorEvent(type: "Warning", reason: reason, message: match.message, source: source)]
        case .setCondition(let type, let reason):
            let expiry = specs[type]?.expireAfter.map { now.addingTimeInterval($0.seconds) }
            if set(type, status: "True", reason: reason, message: match.message, at: now) {
                conditions[type]?.expiresAt = expiry
                return [DetectorEvent(type: "Warning", reason: reason, message: match.message, source: source, conditionType: type)]
            }
            conditions[type]?.expiresAt = expiry   // new evidence extends the expiry
            return []
        case .recover(let type):
            return recover(type, at: now, why: "recovery pattern matched: \(match.message)")
        }
    }

    /// Applies a plugin result for rule `index` of a custom-plugin monitor.
    public mutating func apply(plugin rule: PluginRule, index: Int, result: PluginResult, source: String, at now: Date) -> [DetectorEvent] {
        let message = result.output.isEmpty ? rule.reason : result.output
        guard rule.kind == .permanent, let type = rule.condition else {
            let key = "\(source)#\(index)"
            let previous = lastTemporaryPluginStatus[key]
            lastTemporaryPluginStatus[key] = result.status
            if result.status == .problem && previous != .problem {
                return [DetectorEvent(type: "Warning", reason: rule.reason, message: message, source: source)]
            }
            return []
        }
        pluginStatus[type, default: [:]][index] = (result.status, rule.reason, message)
        let statuses = pluginStatus[type, default: [:]].sorted { $0.key < $1.key }.map(\.value)
        if let problem = statuses.first(where: { $0.0 == .problem }) {
            if set(type, status: "True", reason: problem.1, message: problem.2, at: now) {
                return [DetectorEvent(type: "Warning", reason: problem.1, message: problem.2, source: source, conditionType: type)]
            }
        } else if let unknown = statuses.first(where: { $0.0 == .unknown }) {
            _ = set(type, status: "Unknown", reason: unknown.1, message: unknown.2, at: now)
        } else {
            return recover(type, at: now, why: "check plugin reported OK")
        }
        return []
    }

    /// Clears True conditions whose expiry has passed; returns the Events to emit.
    public mutating func expire(at now: Date) -> [DetectorEvent] {
        var events: [DetectorEvent] = []
        for (type, c) in conditions where c.status == "True" {
            if let at = c.expiresAt, at <= now {
                events += recover(type, at: now, why: "no new evidence for \(specs[type]?.expireAfter.map(GoDuration.format) ?? "")")
            }
        }
        return events
    }

    /// The earliest pending expiry, for the run loop's timer.
    public var nextExpiry: Date? {
        conditions.values.compactMap { $0.status == "True" ? $0.expiresAt : nil }.min()
    }

    /// Condition types changed since the last call (and forgets them).
    public mutating func takeChanges() -> Set<String> {
        defer { changed = [] }
        return changed
    }

    /// Whether anything changed since the last ``takeChanges()``.
    public var hasChanges: Bool { !changed.isEmpty }

    private mutating func recover(_ type: String, at now: Date, why: String) -> [DetectorEvent] {
        guard let spec = specs[type], conditions[type]?.status != "False" else { return [] }
        let wasTrue = conditions[type]?.status == "True"
        _ = set(type, status: "False", reason: spec.defaultReason, message: spec.defaultMessage, at: now)
        conditions[type]?.expiresAt = nil
        guard wasTrue else { return [] }
        return [DetectorEvent(type: "Normal", reason: spec.defaultReason, message: "\(type) cleared: \(why)", source: sourceOf[type] ?? "", conditionType: type)]
    }

    /// Sets a condition; returns true when status or reason changed (message-only changes are kept
    /// but do not count as a transition).
    private mutating func set(_ type: String, status: String, reason: String, message: String, at now: Date) -> Bool {
        guard var c = conditions[type] else { return false }
        let transition = c.status != status
        let changedReason = c.reason != reason
        guard transition || changedReason else { return false }
        if transition { c.lastTransitionTime = now }
        c.status = status
        c.reason = reason
        c.message = message
        conditions[type] = c
        changed.insert(type)
        return true
    }

    /// A strategic-merge patch of `status.conditions` for `types` only (conditions merge by `type`,
    /// so the kubelet's conditions are never touched), with `heartbeat` as `lastHeartbeatTime`.
    public func statusPatch(types: some Sequence<String>, heartbeat: Date) -> JSONValue {
        let items: [JSONValue] = types.sorted().compactMap { type in
            guard let c = conditions[type] else { return nil }
            return .object([
                "type": .string(c.type),
                "status": .string(c.status),
                "reason": .string(c.reason),
                "message": .string(c.message),
                "lastTransitionTime": .string(KubeTime(c.lastTransitionTime).description),
                "lastHeartbeatTime": .string(KubeTime(heartbeat).description),
            ])
        }
        return .object(["status": .object(["conditions": .array(items)])])
    }

    /// All condition types this tracker owns.
    public var types: [String] { conditions.keys.sorted() }

    /// The taints that should be on the node now: one per True condition that declares a taint.
    public var desiredTaints: [TaintDefinition] {
        conditions.values.sorted { $0.type < $1.type }.compactMap { c in c.status == "True" ? specs[c.type]?.taint : nil }
    }

    /// Every taint key any condition may set (to know which taints are ours to remove).
    public var ownedTaintKeys: Set<String> { Set(specs.values.compactMap { $0.taint?.key }) }
}
