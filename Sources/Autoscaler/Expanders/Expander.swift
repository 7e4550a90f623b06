#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import MendTime

/// Chooses among scale-up options, as the cluster-autoscaler's expanders do. Expanders chain:
/// each keeps the options it likes best and hands them to the next; what remains after the last
/// is decided by group name, so the choice never depends on map order.
public enum Expander: Sendable {
    /// Fewest idle CPU and memory on the new nodes (the default).
    case leastWaste
    /// Most pending pods scheduled.
    case mostPods
    /// A random option (from the given seed, so tests and replays repeat).
    case random(seed: UInt64)
    /// The highest priority whose regular expression matches the group name (see
    /// ``PriorityTable``); groups no expression matches come last.
    case priority(PriorityTable)
    /// Lowest price per scheduled pod (see ``PriceTable``); groups without a price come last.
    case price(PriceTable)

    /// The options this expander prefers, in input order (never empty when `options` is not).
    public func best(of options: [ScaleUpOption]) -> [ScaleUpOption] {
        guard options.count > 1 else { return options }
        switch self {
        case .leastWaste:
            return Self.minimal(options) { $0.waste }
        case .mostPods:
            return Self.minimal(options) { -Double($0.pods.count) }
        case .random(let seed):
            var generator = SplitMix64(seed: seed)
            let sorted = options.sorted { $0.group < $1.group }
            return [sorted[Int(generator.next() % UInt64(sorted.count))]]
        case .priority(let table):
            return Self.minimal(options) { -Double(table.priority(of: $0.group) ?? Int.min) }
        case .price(let table):
            return Self.minimal(options) { option in
                guard let price = table.price(group: option.group, instanceType: option.instanceType),
                    !option.pods.isEmpty
                else { return .infinity }
                return price * Double(option.nodeCount) / Double(option.pods.count)
            }
        }
    }

    /// Runs `chain` in order, then breaks what remains by group name.
    public static func choose(_ options: [ScaleUpOption], chain: [Expander]) -> ScaleUpOption? {
        var remaining = options
        for expander in chain where remaining.count > 1 { remaining = expander.best(of: remaining) }
        return remaining.min { $0.group < $1.group }
    }

    private static func minimal(_ options: [ScaleUpOption], by cost: (ScaleUpOption) -> Double) -> [ScaleUpOption] {
        let costs = options.map(cost)
        let least = costs.min()!
        // Floating sums of shares differ in the last bits: treat near-equal costs as ties.
        return zip(options, costs).filter { abs($0.1 - least) <= 1e-9 }.map(\.0)
    }
}
