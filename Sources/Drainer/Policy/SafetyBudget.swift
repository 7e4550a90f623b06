import Foundation

/// The limits that stop a bad rule or a zone event from draining half the fleet.
public struct SafetyBudget: Sendable, Hashable {
    /// At most this many nodes draining at once.
    public var maxConcurrentDrains: Int
    /// At most this many selected nodes cordoned by Mend at any time.
    public var maxCordoned: CordonLimit
    /// After the cordon limit is hit (a storm), no new cordons for this long.
    public var stormCooldown: Duration
    /// At least this long between two drain starts.
    public var minIntervalBetweenDrains: Duration
    /// When non-empty, new cordons and drains start only inside one of these windows.
    public var maintenanceWindows: [MaintenanceWindow]

    public init(
        maxConcurrentDrains: Int = 1, maxCordoned: CordonLimit = .percent(10), stormCooldown: Duration = .seconds(1800),
        minIntervalBetweenDrains: Duration = .zero, maintenanceWindows: [MaintenanceWindow] = []
    ) {
        self.maxConcurrentDrains = maxConcurrentDrains
        self.maxCordoned = maxCordoned
        self.stormCooldown = stormCooldown
        self.minIntervalBetweenDrains = minIntervalBetweenDrains
        self.maintenanceWindows = maintenanceWindows
    }

    /// A limit given as a count or as a share of the selected nodes.
    public enum CordonLimit: Sendable, Hashable, CustomStringConvertible {
        case count(Int)
        case percent(Int)

        /// The limit for `selectedNodes` nodes. A percentage rounds down but allows at least one.
        public func limit(selectedNodes: Int) -> Int {
            switch self {
            case .count(let n): return n
            case .percent(let p): return max(1, selectedNodes * p / 100)
            }
        }

        public var description: String {
            switch self {
            case .count(let n): return "\(n)"
            case .percent(let p): return "\(p)%"
            }
        }
    }

    /// Whether `date` is inside a maintenance window (always, when none are configured).
    public func inMaintenanceWindow(_ date: Date) -> Bool {
        maintenanceWindows.isEmpty || maintenanceWindows.contains { $0.contains(date) }
    }
}

/// Why the budget refused to start new work (the label of the budget-refusal metric).
public enum BudgetRefusal: String, Sendable, Hashable {
    case maxCordoned = "max_cordoned"
    case stormCooldown = "storm_cooldown"
    case outsideMaintenanceWindow = "outside_maintenance_window"
    case maxConcurrentDrains = "max_concurrent_drains"
    case minInterval = "min_interval"
}
