import KubeClient
import KubeModels
import Logging
import MendTime

/// Where a pass reads the cluster from: informer caches in the controller, one list per
/// resource for `mend-autoscaler plan`.
public protocol ClusterSource: Sendable {
    func nodes() async throws -> [Node]
    /// Pods as the slim projection the decisions need.
    func pods() async throws -> [PodSummary]
    func podDisruptionBudgets() async throws -> [PodDisruptionBudget]
}

/// Reads the ConfigMaps the loop needs (its own status and the priority expander's table).
public protocol ConfigMapReader: Sendable {
    /// The ConfigMap, or nil when it does not exist.
    func configMap(name: String, namespace: String) async throws -> ConfigMap?
}

extension KubernetesClient: ConfigMapReader {
    public func configMap(name: String, namespace: String) async throws -> ConfigMap? {
        do {
            return try await get(ConfigMap.self, name: name, namespace: namespace)
        } catch where error.isKubeNotFound {
            return nil
        }
    }
}

/// The cluster from list + watch caches: Nodes, Pods (as `PodSummary`) and PodDisruptionBudgets.
/// Run ``run()`` for as long as the controller runs; ``unschedulableWakeups()`` tells the loop
/// when a pod newly becomes unschedulable.
public final class InformerClusterSource: ClusterSource {
    public let nodeInformer: Informer<Node>
    public let podInformer: Informer<PodSummary>
    public let budgetInformer: Informer<PodDisruptionBudget>

    /// Informers over `client`.
    public init(client: KubernetesClient, clock: (any MendClock)? = nil, logger: Logger? = nil) {
        nodeInformer = Informer<Node>(client: client, clock: clock, logger: logger)
        podInformer = Informer<PodSummary>(podSummariesFrom: client, clock: clock, logger: logger)
        budgetInformer = Informer<PodDisruptionBudget>(client: client, clock: clock, logger: logger)
    }

    /// Lists and watches all three until cancelled.
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.nodeInformer.run() }
            group.addTask { try await self.podInformer.run() }
            group.addTask { try await self.budgetInformer.run() }
            try await group.waitForAll()
        }
    }

    /// Returns once all three caches hold a complete list.
    public func waitForSync() async throws {
        try await nodeInformer.waitForSync()
        try await podInformer.waitForSync()
        try await budgetInformer.waitForSync()
    }

    public var hasSynced: Bool { nodeInformer.hasSynced && podInformer.hasSynced && budgetInformer.hasSynced }

    public func nodes() async throws -> [Node] { nodeInformer.list() }
    public func pods() async throws -> [PodSummary] { podInformer.list() }
    public func podDisruptionBudgets() async throws -> [PodDisruptionBudget] { budgetInformer.list() }

    /// Calls `wake` each time a pod becomes unschedulable (`PodScheduled=False`, reason
    /// `Unschedulable`, no nominated node) that was not before; returns when cancelled.
    public func watchUnschedulable(_ wake: @escaping @Sendable () -> Void) async {
        for await event in podInformer.events(bufferingPolicy: .unbounded) {
            if Task.isCancelled { return }
            switch event {
            case .added(let pod):
                if Self.wantsCapacity(pod) { wake() }
            case .updated(let old, let new):
                if Self.wantsCapacity(new) && !Self.wantsCapacity(old) { wake() }
            case .deleted, .synced:
                break
            }
        }
    }

    /// Whether `pod` is pending for want of capacity.
    static func wantsCapacity(_ pod: PodSummary) -> Bool {
        pod.isUnschedulable && (pod.nodeName ?? "").isEmpty && (pod.nominatedNodeName ?? "").isEmpty && !pod.isTerminal
            && !pod.isBeingDeleted
    }
}

/// The cluster read once, by listing (for `mend-autoscaler plan`).
public struct ListingClusterSource: ClusterSource {
    let client: KubernetesClient

    public init(client: KubernetesClient) { self.client = client }

    public func nodes() async throws -> [Node] { try await client.listAll(Node.self).items }
    public func pods() async throws -> [PodSummary] {
        try await client.listAll(PodSummary.self, resource: .pods).items
    }
    public func podDisruptionBudgets() async throws -> [PodDisruptionBudget] {
        try await client.listAll(PodDisruptionBudget.self).items
    }
}
