import Foundation
import MendCore
import Testing

@testable import Autoscaler

@Suite("mend-autoscaler configuration")
struct AutoscalerConfigTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    private func load(_ yaml: String, overrides: [ConfigOverride] = []) throws(ConfigError) -> AutoscalerConfig {
        try ConfigLoader.load(AutoscalerConfig.self, yaml: yaml, source: "autoscaler.yaml", overrides: overrides)
    }

    /// The single problem a bad file must produce.
    private func problem(_ yaml: String, overrides: [ConfigOverride] = []) -> String {
        do {
            _ = try load(yaml, overrides: overrides)
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test func theExampleFileIsValidAndMapsOntoTheDecisionSettings() throws {
        let path = Self.repoRoot.appendingPathComponent("config/autoscaler.example.yaml").path
        let config = try ConfigLoader.load(AutoscalerConfig.self, file: path)
        #expect(config.clusterName == "production")
        let settings = AutoscalerSettings(config: config)
        #expect(settings.scanInterval == .seconds(10))
        #expect(settings.batchingWindow == .seconds(2))
        #expect(settings.provisionTimeout == .seconds(900))
        #expect(settings.backoff.initial == .seconds(300) && settings.backoff.maximum == .seconds(1800))
        #expect(settings.scaleUp.expendablePriorityCutoff == -10)
        #expect(settings.scaleUp.limits.maxNodes == 200)
        #expect(settings.scaleUp.limits.maxCores == 1600)
        #expect(settings.scaleUp.limits.maxMemory == Int64(6400) << 30)
        #expect(settings.scaleDown.utilizationThreshold == 0.5)
        #expect(settings.scaleDown.unneededTime == .seconds(600))
        #expect(settings.scaleDown.delayAfterScaleUp == .seconds(600))
        #expect(settings.health.maxUnready == 3 && abs(settings.health.maxUnreadyFraction - 0.45) < 1e-9)
        #expect(settings.selection.discoveryTags.keys.sorted() == [
            "k8s.io/cluster-autoscaler/enabled", "k8s.io/cluster-autoscaler/production",
        ])
        #expect(settings.statusName == "mend-autoscaler-status" && settings.statusNamespace == "kube-system")
        #expect(settings.prices.byInstanceType["m5.large"] == 0.096)
    }

    @Test func defaultsNeedOnlyAClusterNameAndFollowTheClusterAutoscaler() throws {
        let config = try load("clusterName: dev\n")
        let settings = AutoscalerSettings(config: config)
        #expect(settings.expanders == [.leastWaste])
        #expect(settings.scaleDownEnabled)
        #expect(settings.scaleUp.limits == ClusterLimits())
        #expect(settings.groupRefreshInterval == .seconds(60))
        #expect(config.leaderElection.leaseName == "mend-autoscaler")
    }

    @Test func explicitGroupsTagsAndExpanderChainsAreRead() throws {
        let config = try load(
            """
            nodeGroups:
              autoDiscovery: false
              discoveryTags: ["team=ml", "k8s.io/cluster-autoscaler/enabled"]
              explicit: ["1:10:workers-a", "0:3:gpu"]
            scaleUp:
              expander: priority,least-waste
              randomSeed: 7
            """)
        let settings = AutoscalerSettings(config: config)
        #expect(settings.selection.explicit == [
            ExplicitGroup(name: "workers-a", minSize: 1, maxSize: 10), ExplicitGroup(name: "gpu", minSize: 0, maxSize: 3),
        ])
        #expect(settings.selection.discoveryTags["team"] == .some("ml"))
        #expect(settings.expanders == [.priority, .leastWaste])
        #expect(settings.expanderChain(priorities: nil).count == 1, "priority without its table is skipped")
        #expect(settings.randomSeed == 7)
    }

    @Test func flagsOverrideTheFile() throws {
        let config = try load(
            "clusterName: a\nscanInterval: 10s\n",
            overrides: [
                ConfigOverride(path: "clusterName", value: "b", flag: "--cluster-name b"),
                ConfigOverride(path: "scanInterval", value: "30s"),
            ])
        #expect(config.clusterName == "b")
        #expect(config.scanInterval == "30s")
    }

    @Test func aMisspeltFieldIsNamedWithItsPositionAndASuggestion() {
        let text = problem("clusterName: x\nscaleUp:\n  expandr: most-pods\n")
        #expect(text.contains("autoscaler.yaml:3:"), "\(text)")
        #expect(text.contains("scaleUp.expandr"), "\(text)")
        #expect(text.contains("did you mean \"expander\""), "\(text)")
    }

    @Test func anUnknownExpanderSaysWhichOnesExist() {
        let text = problem("clusterName: x\nscaleUp:\n  expander: cheapest\n")
        #expect(text.contains("autoscaler.yaml:3:13"), "\(text)")
        #expect(text.contains("least-waste, most-pods, random, priority, price"), "\(text)")
    }

    @Test func aBadDurationIsReportedAtItsLine() {
        let text = problem("clusterName: x\nscanInterval: ten seconds\n")
        #expect(text.contains("autoscaler.yaml:2:15"), "\(text)")
        #expect(text.contains("scanInterval"), "\(text)")
        #expect(text.contains("Go duration"), "\(text)")
    }

    @Test func outOfRangeValuesAreAllReportedAtOnce() {
        let text = problem(
            """
            clusterName: x
            scaleDown:
              utilizationThreshold: 1.5
            unreadyHalt:
              maxUnreadyPercent: 120
            limits:
              maxMemory: lots
            """)
        #expect(text.contains("3 configuration problems"), "\(text)")
        #expect(text.contains("autoscaler.yaml:3:25: scaleDown.utilizationThreshold"), "\(text)")
        #expect(text.contains("autoscaler.yaml:5:22: unreadyHalt.maxUnreadyPercent"), "\(text)")
        #expect(text.contains("autoscaler.yaml:7:14: limits.maxMemory"), "\(text)")
    }

    @Test func aBadExplicitGroupIsReportedWithItsIndex() {
        let text = problem("clusterName: x\nnodeGroups:\n  explicit: [\"1:10:a\", \"ten:1:b\"]\n")
        #expect(text.contains("nodeGroups.explicit[1]"), "\(text)")
        #expect(text.contains("min:max:name"), "\(text)")
    }

    @Test func autoDiscoveryWithoutAClusterNameIsRefused() {
        let text = problem("scanInterval: 10s\n")
        #expect(text.contains("clusterName"), "\(text)")
        #expect(text.contains("autoDiscovery"), "\(text)")
    }

    @Test func thePriceExpanderNeedsPrices() {
        let text = problem("clusterName: x\nscaleUp:\n  expander: price\n  prices:\n    groups: {}\n    instanceTypes: {}\n")
        #expect(text.contains("scaleUp.prices"), "\(text)")
    }

    @Test func backoffMaximumBelowInitialIsRefused() {
        let text = problem("clusterName: x\nscaleUp:\n  backoff:\n    initial: 10m\n    maximum: 5m\n")
        #expect(text.contains("autoscaler.yaml:5:14: scaleUp.backoff.maximum"), "\(text)")
    }
}
