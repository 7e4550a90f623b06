import Foundation

/// A story `mend demo` can tell: the cluster it starts, the fault it injects, and what the chain
/// must do about it.
public struct DemoScenario: Sendable {
    /// The scenario's name on the command line (`heal`, `storm`, `backoff`).
    public var name: String
    /// One line for `mend demo --help` and the start of the timeline.
    public var summary: String
    /// The simulated cluster, in ClusterSim's scenario format (docs/scenario-format.md).
    public var clusterYAML: String
    /// How many of the initial nodes get the kernel fault, oldest first.
    public var faultyNodes: Int
    /// Node groups whose launches fail from the start (the cloud's insufficient-capacity error).
    public var failingGroups: [String]
    /// At most this many nodes cordoned by mend-drainer at once (the storm stops here).
    public var maxCordoned: Int

    /// The condition the injected kernel line sets (the shipped kernel monitor's rule).
    public static let conditionType = "KernelDeadlock"
    /// A hung-task line as the kernel writes it; the kernel monitor's `KernelDeadlock` rule matches it.
    public static let faultLine = "task docker:7 blocked for more than 300 seconds."

    /// Every scenario, the default first.
    public static let all: [DemoScenario] = [heal, storm, backoff]

    /// The scenario called `name`, if any.
    public static func named(_ name: String) -> DemoScenario? { all.first { $0.name == name } }

    /// One sick node among three: replaced by a new one, its pods moved with their budget honoured.
    public static let heal = DemoScenario(
        name: "heal",
        summary: "a kernel deadlock on one of three nodes: cordon, drain, scale up, remove",
        clusterYAML: """
            nodeGroups:
              - name: general
                instanceType: m5.large
                zone: us-east-1a
                count: 3
                minSize: 1
                maxSize: 6
                bootDelay: 60s
                capacity: {cpu: "2", memory: 8Gi, pods: 29}
                allocatable: {cpu: 1930m, memory: 7Gi, pods: 29}
            workloads:
              - name: web
                namespace: shop
                replicas: 6
                requests: {cpu: 500m, memory: 512Mi}
                pdb: {maxUnavailable: 1}
              - name: worker
                namespace: batch
                replicas: 2
                requests: {cpu: 700m, memory: 1Gi}
            daemonSets:
              - name: node-agent
                namespace: kube-system
                requests: {cpu: 50m, memory: 64Mi}
            """,
        faultyNodes: 1, failingGroups: [], maxCordoned: 1)

    /// Three sick nodes at once among five: the drainer's budget takes them one at a time.
    public static let storm = DemoScenario(
        name: "storm",
        summary: "kernel deadlocks on three of five nodes at once: the drain budget takes them one at a time",
        clusterYAML: """
            nodeGroups:
              - name: general
                instanceType: m5.large
                zone: us-east-1a
                count: 5
                minSize: 1
                maxSize: 8
                bootDelay: 60s
                capacity: {cpu: "2", memory: 8Gi, pods: 29}
                allocatable: {cpu: 1930m, memory: 7Gi, pods: 29}
            workloads:
              - name: web
                namespace: shop
                replicas: 10
                requests: {cpu: 500m, memory: 512Mi}
                pdb: {maxUnavailable: 2}
              - name: worker
                namespace: batch
                replicas: 3
                requests: {cpu: 700m, memory: 1Gi}
            daemonSets:
              - name: node-agent
                namespace: kube-system
                requests: {cpu: 50m, memory: 64Mi}
            """,
        faultyNodes: 3, failingGroups: [], maxCordoned: 1)

    /// The cheapest group cannot launch: it is backed off at the first failed activity and the
    /// next group is used at once.
    public static let backoff = DemoScenario(
        name: "backoff",
        summary: "the best-fitting node group cannot launch: backed off at once, the next group used",
        clusterYAML: """
            nodeGroups:
              - name: general
                instanceType: m5.large
                zone: us-east-1a
                count: 3
                minSize: 1
                maxSize: 6
                bootDelay: 60s
                capacity: {cpu: "2", memory: 8Gi, pods: 29}
                allocatable: {cpu: 1930m, memory: 7Gi, pods: 29}
              - name: large
                instanceType: m5.2xlarge
                zone: us-east-1b
                count: 0
                minSize: 0
                maxSize: 3
                bootDelay: 60s
                capacity: {cpu: "8", memory: 32Gi, pods: 58}
                allocatable: {cpu: 7910m, memory: 30Gi, pods: 58}
            workloads:
              - name: web
                namespace: shop
                replicas: 6
                requests: {cpu: 500m, memory: 512Mi}
                pdb: {maxUnavailable: 1}
              - name: worker
                namespace: batch
                replicas: 2
                requests: {cpu: 700m, memory: 1Gi}
            daemonSets:
              - name: node-agent
                namespace: kube-system
                requests: {cpu: 50m, memory: 64Mi}
            """,
        faultyNodes: 1, failingGroups: ["general"], maxCordoned: 1)
}
