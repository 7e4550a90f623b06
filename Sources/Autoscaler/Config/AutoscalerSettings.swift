#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import KubeModels
import MendCore

/// The configuration turned into what the run loop and the planners take. The priority table is
/// not here: it lives in a ConfigMap the loop reads while running.
public struct AutoscalerSettings: Sendable {
    public var scaleUp: ScaleUpSettings
    public var scaleDown: ScaleDownSettings
    public var scaleDownEnabled: Bool
    public var health: ClusterHealth
    public var selection: AWSGroupSelection
    public var scanInterval: Duration
    public var batchingWindow: Duration
    public var groupRefreshInterval: Duration
    public var provisionTimeout: Duration
    public var backoff: GroupBackoff
    public var expanders: [ExpanderName]
    public var priorityConfigMap: AutoscalerConfig.ObjectName
    public var prices: PriceTable
    public var randomSeed: UInt64
    public var balanceSimilarGroups: Bool
    public var statusName: String
    public var statusNamespace: String

    /// Settings with the decision core's defaults (a convenience for tests and embedders).
    public init() {
        self.init(config: .defaults)
    }

    /// The settings a validated configuration asks for.
    public init(config: AutoscalerConfig, randomSeed: UInt64? = nil) {
        var limits = ClusterLimits()
        limits.maxNodes = config.limits.maxNodes
        limits.maxCores = config.limits.maxCores
        limits.maxMemory = config.limits.maxMemory.flatMap { try? Quantity(parsing: $0) }?.value
        prices = PriceTable(byGroup: config.scaleUp.prices.groups, byInstanceType: config.scaleUp.prices.instanceTypes)
        self.randomSeed = config.scaleUp.randomSeed ?? randomSeed ?? UInt64.random(in: 0...UInt64.max)
        expanders = config.scaleUp.expander.names
        scaleUp = ScaleUpSettings(
            newPodDelay: config.scaleUp.newPodDelay.duration,
            expendablePriorityCutoff: config.scaleUp.expendablePriorityCutoff,
            expanders: [], limits: limits)
        scaleDown = ScaleDownSettings(
            utilizationThreshold: config.scaleDown.utilizationThreshold,
            unneededTime: config.scaleDown.unneededTime.duration,
            delayAfterScaleUp: config.scaleDown.delayAfterScaleUp.duration,
            maxEmptyBulk: config.scaleDown.maxEmptyBulk, maxNonEmptyPerDecision: config.scaleDown.maxNonEmpty,
            skipNodesWithLocalStorage: config.scaleDown.skipNodesWithLocalStorage,
            skipNodesWithSystemPods: config.scaleDown.skipNodesWithSystemPods)
        scaleDownEnabled = config.scaleDown.enabled
        health = ClusterHealth(
            maxUnready: config.unreadyHalt.maxUnready,
            maxUnreadyFraction: Double(config.unreadyHalt.maxUnreadyPercent) / 100,
            startupGrace: config.unreadyHalt.startupGrace.duration)
        var tags: [String: String?] = [:]
        if config.nodeGroups.autoDiscovery {
            tags = AWSGroupSelection.clusterAutoscalerTags(cluster: config.clusterName).discoveryTags
        }
        for text in config.nodeGroups.discoveryTags {
            if let parsed = try? AWSGroupSelection.parseTags(text) { tags.merge(parsed) { $1 } }
        }
        selection = AWSGroupSelection(
            discoveryTags: tags, explicit: config.nodeGroups.explicit.compactMap { try? ExplicitGroup(parsing: $0) })
        scanInterval = config.scanInterval.duration
        batchingWindow = config.scaleUp.batchingWindow.duration
        groupRefreshInterval = config.nodeGroups.refreshInterval.duration
        provisionTimeout = config.scaleUp.provisionTimeout.duration
        backoff = GroupBackoff(
            initial: config.scaleUp.backoff.initial.duration, maximum: config.scaleUp.backoff.maximum.duration,
            reset: config.scaleUp.backoff.reset.duration)
        priorityConfigMap = config.scaleUp.priorityConfigMap
        balanceSimilarGroups = config.scaleUp.balanceSimilarGroups
        statusName = config.status.configMapName
        statusNamespace = config.status.namespace
        scaleUp.expanders = expanderChain(priorities: nil)
    }

    /// The planner's expander chain, with the priority table read from its ConfigMap (a chain
    /// naming `priority` without a table skips that link, and says so in the status).
    public func expanderChain(priorities: PriorityTable?) -> [Expander] {
        expanders.compactMap { name in
            switch name {
            case .leastWaste: .leastWaste
            case .mostPods: .mostPods
            case .random: .random(seed: randomSeed)
            case .priority: priorities.map { .priority($0) }
            case .price: .price(prices)
            }
        }
    }
}
