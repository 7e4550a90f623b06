#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import KubeModels
import MendCore

/// mend-autoscaler's configuration file (see `config/autoscaler.example.yaml`), loaded strictly
/// through MendCore's ``ConfigLoader``: defaults, then the file, then flags. Every knob maps onto
/// the decision core's settings (``ScaleUpSettings``, ``ScaleDownSettings``, ``ClusterHealth``)
/// through ``settings()``.
public struct AutoscalerConfig: ProgramConfiguration, Hashable {
    /// The cluster's name: picks the discovery tag `k8s.io/cluster-autoscaler/<clusterName>`.
    public var clusterName: String
    /// Log every write (capacity, taints, evictions, status, Events) instead of sending it.
    public var dryRun: Bool
    public var logging: LoggingSettings
    public var server: ServerSettings
    public var leaderElection: LeaderElectionSettings
    /// Which Auto Scaling Groups are managed.
    public var nodeGroups: NodeGroupsSection
    /// The periodic pass (the safety net behind the event-driven wake-ups).
    public var scanInterval: GoDuration
    public var scaleUp: ScaleUpSection
    /// Cluster-wide ceilings, never exceeded.
    public var limits: LimitsSection
    public var scaleDown: ScaleDownSection
    /// When too many nodes are unready, every scaling stops.
    public var unreadyHalt: UnreadyHaltSection
    /// Where the status ConfigMap lives.
    public var status: StatusSection
    /// How the AWS client is reached.
    public var aws: AWSSection

    /// The `nodeGroups:` section.
    public struct NodeGroupsSection: Codable, Sendable, Hashable {
        /// Discover groups carrying the cluster-autoscaler's tags for `clusterName`.
        public var autoDiscovery: Bool
        /// Extra discovery tags, `key` or `key=value`; a group must carry all of them.
        public var discoveryTags: [String]
        /// Groups named as `min:max:name` (their bounds override the group's own).
        public var explicit: [String]
        /// How often the group list is read again (it is also read after every write).
        public var refreshInterval: GoDuration
    }

    /// The `scaleUp:` section.
    public struct ScaleUpSection: Codable, Sendable, Hashable {
        /// After a pod becomes unschedulable, wait this long for others before deciding.
        public var batchingWindow: GoDuration
        /// Pending pods younger than this are left to the scheduler.
        public var newPodDelay: GoDuration
        /// Pods with a priority below this never trigger a scale-up.
        public var expendablePriorityCutoff: Int32
        /// The expander chain, comma-separated: least-waste, most-pods, random, priority, price.
        public var expander: ExpanderChain
        /// The priority expander's ConfigMap (cluster-autoscaler format, key `priorities`).
        public var priorityConfigMap: ObjectName
        /// The price expander's prices per node-hour.
        public var prices: PricesSection
        /// The random expander's seed (omit for a new seed at each start).
        public var randomSeed: UInt64?
        /// Spread a scale-up over similar groups (same shape, labels and taints; other zones).
        public var balanceSimilarGroups: Bool
        /// New nodes must register within this, or the group is backed off.
        public var provisionTimeout: GoDuration
        public var backoff: BackoffSection
    }

    /// A namespaced object name.
    public struct ObjectName: Codable, Sendable, Hashable {
        public var name: String
        public var namespace: String
    }

    /// The price table.
    public struct PricesSection: Codable, Sendable, Hashable {
        /// Price per node-hour by group name (wins over the instance type's).
        public var groups: [String: Double]
        /// Price per node-hour by instance type.
        public var instanceTypes: [String: Double]
    }

    /// Exponential backoff of groups that fail to launch.
    public struct BackoffSection: Codable, Sendable, Hashable {
        public var initial: GoDuration
        public var maximum: GoDuration
        /// A group clean for this long starts over at `initial`.
        public var reset: GoDuration
    }

    /// The `limits:` section (omit a field for no limit).
    public struct LimitsSection: Codable, Sendable, Hashable {
        public var maxNodes: Int?
        /// Whole cores.
        public var maxCores: Int64?
        /// A Kubernetes quantity such as `512Gi`.
        public var maxMemory: String?
    }

    /// The `scaleDown:` section.
    public struct ScaleDownSection: Codable, Sendable, Hashable {
        public var enabled: Bool
        /// Requests / allocatable (the larger of CPU and memory) below which a node is unneeded.
        public var utilizationThreshold: Double
        /// How long a node stays unneeded before it goes (drained nodes do not wait).
        public var unneededTime: GoDuration
        /// No scale-down this soon after a scale-up.
        public var delayAfterScaleUp: GoDuration
        /// Empty (and drained) nodes removed in one pass, at most.
        public var maxEmptyBulk: Int
        /// Nodes with pods to move removed in one pass, at most.
        public var maxNonEmpty: Int
        public var skipNodesWithLocalStorage: Bool
        public var skipNodesWithSystemPods: Bool
    }

    /// The `unreadyHalt:` section: stop when more than `maxUnready` nodes *and* more than
    /// `maxUnreadyPercent` of them are unready.
    public struct UnreadyHaltSection: Codable, Sendable, Hashable {
        public var maxUnready: Int
        public var maxUnreadyPercent: Int
        /// Nodes younger than this are starting, not unready.
        public var startupGrace: GoDuration
    }

    /// The `status:` section.
    public struct StatusSection: Codable, Sendable, Hashable {
        public var configMapName: String
        public var namespace: String
    }

    /// The `aws:` section.
    public struct AWSSection: Codable, Sendable, Hashable {
        /// Omit for `AWS_REGION`, the profile, or instance metadata.
        public var region: String?
        /// An endpoint URL for Auto Scaling and EC2 (an emulator); omit for AWS.
        public var endpoint: String?
    }

    public static var defaults: AutoscalerConfig {
        AutoscalerConfig(
            clusterName: "", dryRun: false, logging: LoggingSettings(), server: ServerSettings(),
            leaderElection: LeaderElectionSettings(leaseName: "mend-autoscaler"),
            nodeGroups: NodeGroupsSection(autoDiscovery: true, discoveryTags: [], explicit: [], refreshInterval: "1m"),
            scanInterval: "10s",
            scaleUp: ScaleUpSection(
                batchingWindow: "2s", newPodDelay: "0s", expendablePriorityCutoff: -10, expander: ExpanderChain([.leastWaste]),
                priorityConfigMap: ObjectName(name: "cluster-autoscaler-priority-expander", namespace: "kube-system"),
                prices: PricesSection(groups: [:], instanceTypes: [:]), randomSeed: nil, balanceSimilarGroups: false,
                provisionTimeout: "15m", backoff: BackoffSection(initial: "5m", maximum: "30m", reset: "3h")),
            limits: LimitsSection(maxNodes: nil, maxCores: nil, maxMemory: nil),
            scaleDown: ScaleDownSection(
                enabled: true, utilizationThreshold: 0.5, unneededTime: "10m", delayAfterScaleUp: "10m", maxEmptyBulk: 10,
                maxNonEmpty: 1, skipNodesWithLocalStorage: true, skipNodesWithSystemPods: true),
            unreadyHalt: UnreadyHaltSection(maxUnready: 3, maxUnreadyPercent: 45, startupGrace: "10m"),
            status: StatusSection(configMapName: StatusReport.configMapName, namespace: "kube-system"),
            aws: AWSSection(region: nil, endpoint: nil))
    }

    public func validate(_ v: inout ConfigValidator) {
        leaderElection.validate(&v, at: "leaderElection")
        if nodeGroups.autoDiscovery {
            v.check(
                !clusterName.trimmingCharacters(in: .whitespaces).isEmpty, at: "clusterName", value: "\"\(clusterName)\"",
                expected: "the cluster's name (needed by nodeGroups.autoDiscovery; or set autoDiscovery: false)")
        }
        if !nodeGroups.autoDiscovery && nodeGroups.discoveryTags.isEmpty && nodeGroups.explicit.isEmpty {
            v.report(
                at: "nodeGroups", value: "no groups",
                expected: "autoDiscovery: true, discoveryTags, or explicit min:max:name entries")
        }
        for (i, text) in nodeGroups.discoveryTags.enumerated() {
            do {
                _ = try AWSGroupSelection.parseTags(text)
            } catch {
                v.report(at: "nodeGroups.discoveryTags[\(i)]", value: text, expected: "a tag key or key=value")
            }
        }
        for (i, text) in nodeGroups.explicit.enumerated() {
            do {
                _ = try ExplicitGroup(parsing: text)
            } catch {
                v.report(at: "nodeGroups.explicit[\(i)]", value: text, expected: "min:max:name with 0 ≤ min ≤ max, e.g. 1:10:workers-a")
            }
        }
        v.check(nodeGroups.refreshInterval, at: "nodeGroups.refreshInterval", in: "1s"..."24h")
        v.check(scanInterval, at: "scanInterval", in: "1s"..."1h")
        v.check(scaleUp.batchingWindow, at: "scaleUp.batchingWindow", in: "0s"..."1m")
        v.check(scaleUp.newPodDelay, at: "scaleUp.newPodDelay", in: "0s"..."1h")
        v.check(scaleUp.provisionTimeout, at: "scaleUp.provisionTimeout", in: "1m"..."2h")
        v.check(scaleUp.backoff.initial, at: "scaleUp.backoff.initial", in: "1s"..."24h")
        v.check(
            scaleUp.backoff.maximum >= scaleUp.backoff.initial, at: "scaleUp.backoff.maximum", value: scaleUp.backoff.maximum,
            expected: "a duration not below scaleUp.backoff.initial (\(scaleUp.backoff.initial))")
        v.check(scaleUp.backoff.reset, at: "scaleUp.backoff.reset", in: "1m"..."168h")
        if scaleUp.expander.names.contains(.priority) {
            v.checkNotEmpty(scaleUp.priorityConfigMap.name, at: "scaleUp.priorityConfigMap.name")
            v.checkNotEmpty(scaleUp.priorityConfigMap.namespace, at: "scaleUp.priorityConfigMap.namespace")
        }
        if scaleUp.expander.names.contains(.price) {
            v.check(
                !(scaleUp.prices.groups.isEmpty && scaleUp.prices.instanceTypes.isEmpty), at: "scaleUp.prices", value: "{}",
                expected: "prices by group or by instance type for the price expander")
        }
        for (key, price) in scaleUp.prices.groups.sorted(by: { $0.key < $1.key }) {
            v.check(price >= 0, at: "scaleUp.prices.groups.\(key)", value: price, expected: "a price of at least 0")
        }
        for (key, price) in scaleUp.prices.instanceTypes.sorted(by: { $0.key < $1.key }) {
            v.check(price >= 0, at: "scaleUp.prices.instanceTypes.\(key)", value: price, expected: "a price of at least 0")
        }
        if let maxNodes = limits.maxNodes { v.check(maxNodes, at: "limits.maxNodes", in: 1...100_000) }
        if let maxCores = limits.maxCores { v.check(maxCores, at: "limits.maxCores", in: 1...10_000_000) }
        if let text = limits.maxMemory {
            let parsed = try? Quantity(parsing: text)
            v.check(
                (parsed?.value ?? 0) > 0, at: "limits.maxMemory", value: text,
                expected: "a memory quantity above zero such as 512Gi or 2Ti")
        }
        v.check(scaleDown.utilizationThreshold, at: "scaleDown.utilizationThreshold", in: 0...1)
        v.check(scaleDown.unneededTime, at: "scaleDown.unneededTime", in: "0s"..."24h")
        v.check(scaleDown.delayAfterScaleUp, at: "scaleDown.delayAfterScaleUp", in: "0s"..."24h")
        v.check(scaleDown.maxEmptyBulk, at: "scaleDown.maxEmptyBulk", in: 1...1000)
        v.check(scaleDown.maxNonEmpty, at: "scaleDown.maxNonEmpty", in: 1...100)
        v.check(unreadyHalt.maxUnready, at: "unreadyHalt.maxUnready", in: 0...100_000)
        v.check(unreadyHalt.maxUnreadyPercent, at: "unreadyHalt.maxUnreadyPercent", in: 0...100)
        v.check(unreadyHalt.startupGrace, at: "unreadyHalt.startupGrace", in: "0s"..."2h")
        v.checkNotEmpty(status.configMapName, at: "status.configMapName")
        v.checkNotEmpty(status.namespace, at: "status.namespace")
        if let endpoint = aws.endpoint {
            let url = URL(string: endpoint)
            v.check(
                url?.scheme == "http" || url?.scheme == "https", at: "aws.endpoint", value: endpoint,
                expected: "an http:// or https:// URL")
        }
        if let region = aws.region { v.checkNotEmpty(region, at: "aws.region") }
    }
}

/// The expanders by name, as the cluster-autoscaler's `--expander` flag names them.
public enum ExpanderName: String, Codable, Sendable, Hashable, CaseIterable {
    case leastWaste = "least-waste"
    case mostPods = "most-pods"
    case random
    case priority
    case price
}

/// An expander chain written `least-waste` or `priority,least-waste` (each keeps its favourites
/// and hands them to the next).
public struct ExpanderChain: Codable, Sendable, Hashable, CustomStringConvertible, ConfigScalar {
    public var names: [ExpanderName]

    public init(_ names: [ExpanderName]) { self.names = names }

    public static let expectation =
        "one or more of least-waste, most-pods, random, priority, price, comma-separated (e.g. priority,least-waste)"

    /// Parses `priority,least-waste`.
    public init(parsing text: String) throws(ConfigValueError) {
        var names: [ExpanderName] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let name = ExpanderName(rawValue: trimmed), !names.contains(name) else {
                throw ConfigValueError(expected: Self.expectation)
            }
            names.append(name)
        }
        guard !names.isEmpty else { throw ConfigValueError(expected: Self.expectation) }
        self.names = names
    }

    public init(from decoder: any Decoder) throws {
        try self.init(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public var description: String { names.map(\.rawValue).joined(separator: ",") }
}
