#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What the run loop remembers between passes and across restarts: kept as JSON under the
/// status ConfigMap's `state` key, read back when a new leader starts.
public struct AutoscalerState: Sendable, Hashable, Codable {
    /// The ConfigMap data key holding the state.
    public static let dataKey = "state"

    /// Nodes found unneeded, and since when (scale-down waits `unneededTime` from here).
    public var unneededSince: [String: Date] = [:]
    /// Groups that failed to launch, with their backoff.
    public var backoff: GroupBackoff
    /// Capacity requested and not yet registered, by group.
    public var provisioning: [String: ProvisionRequest] = [:]
    /// The last scale-up made, and why.
    public var lastScaleUp: ScaleActivity?
    /// The last scale-down made, and why.
    public var lastScaleDown: ScaleActivity?

    /// A fresh state with `backoff` as the backoff policy.
    public init(backoff: GroupBackoff = GroupBackoff()) {
        self.backoff = backoff
    }

    /// The state as stored (sorted keys, so an unchanged state gives unchanged text).
    public func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The state read back; nil when the text is not a state this version understands.
    public static func decode(_ text: String) -> AutoscalerState? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try? decoder.decode(AutoscalerState.self, from: Data(text.utf8))
    }
}

/// One capacity increase waiting for its nodes.
public struct ProvisionRequest: Sendable, Hashable, Codable {
    /// When `setDesiredCapacity` was sent.
    public var requestedAt: Date
    /// The desired capacity before.
    public var from: Int
    /// The desired capacity asked for: the group is done when this many nodes registered.
    public var target: Int

    public init(requestedAt: Date, from: Int, target: Int) {
        self.requestedAt = requestedAt
        self.from = from
        self.target = target
    }
}

/// A scale-up or scale-down made, for the status ConfigMap.
public struct ScaleActivity: Sendable, Hashable, Codable {
    public var time: Date
    /// One line per group or node: what was done and why.
    public var lines: [String]

    public init(time: Date, lines: [String]) {
        self.time = time
        self.lines = lines
    }
}
