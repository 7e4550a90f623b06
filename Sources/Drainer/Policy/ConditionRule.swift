import Foundation
import KubeModels
import MendCore

/// One "bad condition" rule in Draino's syntax: `Type[=Status][,Duration]`.
///
/// `KernelDeadlock=True,10m` matches a node whose `KernelDeadlock` condition has been `True` for at
/// least ten minutes. A bare type (`KernelDeadlock`) means `True` for zero time, as in Draino.
/// `Type=Status` without a duration is rejected (Draino crashes on it): write `Type=Status,0s`.
public struct ConditionRule: Sendable, Hashable, CustomStringConvertible {
    /// The node condition type.
    public var type: NodeConditionType
    /// The status that counts as bad (`True`, `False` or `Unknown`).
    public var status: ConditionStatus
    /// How long the condition must have held that status.
    public var duration: Duration

    public init(type: NodeConditionType, status: ConditionStatus = .true, duration: Duration = .zero) {
        self.type = type
        self.status = status
        self.duration = duration
    }

    /// Parses Draino's syntax.
    ///
    /// - Throws: ``ConditionRuleError`` naming the rule and what is wrong with it (empty type,
    ///   unknown status, unparseable duration, a dangling `,` or `=`).
    public init(parsing text: String) throws(ConditionRuleError) {
        let rule = text.trimmingCharacters(in: .whitespaces)
        guard !rule.isEmpty else { throw .empty }
        let parts = rule.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false)
        let head = String(parts[0]).trimmingCharacters(in: .whitespaces)
        let typeAndStatus = head.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let typeName = String(typeAndStatus[0]).trimmingCharacters(in: .whitespaces)
        guard !typeName.isEmpty else { throw .missingType(rule: rule) }
        guard typeName.allSatisfy({ $0.isLetter || $0.isNumber || "-_./".contains($0) }) else {
            throw .badType(rule: rule, type: typeName)
        }
        var status = ConditionStatus.true
        if typeAndStatus.count == 2 {
            let statusText = String(typeAndStatus[1]).trimmingCharacters(in: .whitespaces)
            switch statusText.lowercased() {
            case "true": status = .true
            case "false": status = .false
            case "unknown": status = .unknown
            default: throw .unknownStatus(rule: rule, status: statusText)
            }
        }
        var duration = Duration.zero
        if typeAndStatus.count == 2 && parts.count == 1 { throw .missingDuration(rule: rule) }
        if parts.count == 2 {
            let durationText = String(parts[1]).trimmingCharacters(in: .whitespaces)
            guard let parsed = GoDuration.nonNegative(durationText) else {
                throw .badDuration(rule: rule, duration: durationText)
            }
            duration = parsed
        }
        self.init(type: NodeConditionType(rawValue: typeName), status: status, duration: duration)
    }

    /// `Type=Status,Duration`, normalised (round-trips through ``init(parsing:)``).
    public var description: String { "\(type.rawValue)=\(status.rawValue),\(GoDuration.format(duration))" }

    /// When `node` will have matched this rule for long enough, or `nil` if its condition does not
    /// currently have the bad status. A date in the past means the rule matches now.
    ///
    /// A condition without `lastTransitionTime` is treated as having held its status since `now`
    /// (the rule then matches only after its duration, from the first time Mend saw it).
    public func matchesFrom(_ node: Node, firstSeen: Date) -> Date? {
        guard let condition = node.condition(type), condition.status == status else { return nil }
        let since = condition.lastTransitionTime?.date ?? firstSeen
        return since.addingTimeInterval(duration.seconds)
    }
}

/// A condition rule that cannot be used.
public enum ConditionRuleError: Error, Sendable, Hashable, CustomStringConvertible {
    case empty
    case missingType(rule: String)
    case badType(rule: String, type: String)
    case unknownStatus(rule: String, status: String)
    case missingDuration(rule: String)
    case badDuration(rule: String, duration: String)

    public var description: String {
        switch self {
        case .empty:
            return "condition rule is empty; expected Type[=Status][,Duration], e.g. KernelDeadlock=True,10m"
        case .missingType(let rule):
            return "condition rule \"\(rule)\" has no condition type; expected Type[=Status][,Duration], e.g. KernelDeadlock=True,10m"
        case .badType(let rule, let type):
            return "condition rule \"\(rule)\": \"\(type)\" is not a condition type (letters, digits, - _ . / only)"
        case .unknownStatus(let rule, let status):
            return "condition rule \"\(rule)\": unknown status \"\(status)\"; expected True, False or Unknown"
        case .missingDuration(let rule):
            return "condition rule \"\(rule)\" has a status but no duration; expected Type=Status,Duration (e.g. \(rule),10m, or \(rule),0s to match at once)"
        case .badDuration(let rule, let duration):
            return "condition rule \"\(rule)\": \"\(duration)\" is not a duration; expected a Go duration such as 10m, 1h30m or 90s"
        }
    }
}
