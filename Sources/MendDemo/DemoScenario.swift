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

    /// A scenario; `clusterYAML` is in ClusterSim's scenario format.
    public init(
        name: String, summary: String, clusterYAML: String, faultyNodes: Int, failingGroups: [String] = [],
        maxCordoned: Int = 1
    ) {
        self.name = name
        self.summary = summary
        self.clusterYAML = clusterYAML
        self.faultyNodes = faultyNodes
        self.failingGroups = failingGroups
        self.maxCordoned = maxCordoned
    }

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
        clusterYAML: generalGroup(nodes: 3, max: 6) + workloads(web: 6, webMaxUnavailable: 1, workers: 2),
        faultyNodes: 1, failingGroups: [], maxCordoned: 1)

    /// Three sick nodes at once among five: the drainer's budget takes them one at a time.
    public static let storm = DemoScenario(
        name: "storm",
        summary: "kernel deadlocks on three of five nodes at once: the drain budget takes them one at a time",
        clusterYAML: generalGroup(nodes: 5, max: 8) + workloads(web: 10, webMaxUnavailable: 2, workers: 3),
        faultyNodes: 3, failingGroups: [], maxCordoned: 1)

    /// The cheapest group cannot launch: it is backed off at the first failed activity and the
    /// next group is used at once.
    public static let backoff = DemoScenario(
        name: "backoff",
        summary: "the best-fitting node group cannot launch: backed off at once, the next group used",
        clusterYAML: generalGroup(nodes: 3, max: 6) + """
              - name: large
                instanceType: m5.2xlarge
                zone: us-east-1b
                count: 0
                minSize: 0
                maxSize: 3
                bootDelay: 60s
                capacity: {cpu: "8", memory: 32Gi, pods: 58}
                allocatable: {cpu: 7910m, memory: 30Gi, pods: 58}

            """ + workloads(web: 6, webMaxUnavailable: 1, workers: 2),
        faultyNodes: 1, failingGroups: ["general"], maxCordoned: 1)

    /// A `general` group of m5.large nodes (1,930 millicores allocatable each), in scenario format.
    static func generalGroup(nodes: Int, max: Int) -> String {
        """
        nodeGroups:
          - name: general
            instanceType: m5.large
            zone: us-east-1a
            count: \(nodes)
            minSize: 1
            maxSize: \(max)
            bootDelay: 60s
            capacity: {cpu: "2", memory: 8Gi, pods: 29}
            allocatable: {cpu: 1930m, memory: 7Gi, pods: 29}

        """
    }

    /// A web shop (500m pods under a PodDisruptionBudget), a batch worker (700m pods) and a node
    /// agent DaemonSet: sized so one node's pods do not fit on the others, forcing a scale-up.
    static func workloads(web: Int, webMaxUnavailable: Int, workers: Int) -> String {
        """
        workloads:
          - name: web
            namespace: shop
            replicas: \(web)
            requests: {cpu: 500m, memory: 512Mi}
            pdb: {maxUnavailable: \(webMaxUnavailable)}
          - name: worker
            namespace: batch
            replicas: \(workers)
            requests: {cpu: 700m, memory: 1Gi}
        daemonSets:
          - name: node-agent
            namespace: kube-system
            requests: {cpu: 50m, memory: 64Mi}
        """
    }
}
