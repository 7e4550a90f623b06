#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import KubeModels
import Scheduling

/// Spreads each chosen increase over groups similar to the chosen one (the cluster-autoscaler's
/// `--balance-similar-node-groups`): same allocatable resources (within 5 %), same labels apart
/// from zone, region and host name, same taints. Nodes go one at a time to the smallest group
/// with room, so similar groups in different zones stay level. The node total is unchanged.
enum SimilarGroupBalancer {
    /// Labels that differ between otherwise identical groups.
    static let ignoredLabels: Set<String> = [
        "topology.kubernetes.io/zone", "topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/zone",
        "failure-domain.beta.kubernetes.io/region", "kubernetes.io/hostname", "topology.ebs.csi.aws.com/zone",
    ]

    static func balance(
        _ plan: ScaleUpPlan, snapshot: ClusterSnapshot, planner: ScaleUpPlanner, backoff: GroupBackoff, now: Date,
        enabled: Bool
    ) -> ScaleUpPlan {
        guard enabled, !plan.increases.isEmpty else { return plan }
        let templates = planner.templates(snapshot).templates
        var used = Set(plan.increases.map(\.group))
        var result = plan
        result.increases = []
        for increase in plan.increases {
            guard let base = templates[increase.group],
                let chosen = snapshot.groups.first(where: { $0.id == increase.group })
            else {
                result.increases.append(increase)
                continue
            }
            let similar = snapshot.groups.filter { group in
                group.id != increase.group && !used.contains(group.id) && group.desiredCapacity < group.maxSize
                    && backoff.backoff(group: group.id, now: now) == nil
                    && templates[group.id].map { isSimilar(base, $0) } == true
            }
            guard !similar.isEmpty else {
                result.increases.append(increase)
                continue
            }
            let members = [chosen] + similar
            var added = Array(repeating: 0, count: members.count)
            for _ in 0..<(increase.to - increase.from) {
                let open = members.indices.filter { members[$0].desiredCapacity + added[$0] < members[$0].maxSize }
                guard
                    let next = open.min(by: {
                        (members[$0].desiredCapacity + added[$0], members[$0].id)
                            < (members[$1].desiredCapacity + added[$1], members[$1].id)
                    })
                else { break }
                added[next] += 1
            }
            for (i, group) in members.enumerated() where added[i] > 0 {
                var option = increase.option
                option.group = group.id
                option.nodeCount = added[i]
                if i != 0 { option.pods = [] }
                result.increases.append(
                    GroupIncrease(group: group.id, from: group.desiredCapacity, to: group.desiredCapacity + added[i], option: option))
                used.insert(group.id)
            }
        }
        return result
    }

    static func isSimilar(_ a: NodeTemplate, _ b: NodeTemplate) -> Bool {
        func close(_ x: Int64, _ y: Int64) -> Bool {
            let larger = max(x, y)
            return larger == 0 || Double(abs(x - y)) / Double(larger) <= 0.05
        }
        let (x, y) = (a.node.allocatable, b.node.allocatable)
        guard close(x.milliCPU, y.milliCPU), close(x.memory, y.memory), x.pods == y.pods,
            x.scalars == y.scalars
        else { return false }
        let labelsA = a.node.labels.filter { !ignoredLabels.contains($0.key) }
        let labelsB = b.node.labels.filter { !ignoredLabels.contains($0.key) }
        return labelsA == labelsB && Set(a.node.blockingTaints) == Set(b.node.blockingTaints)
    }
}
