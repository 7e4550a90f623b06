import Drainer

/// The knobs of ``NodeRemover``.
public struct NodeRemoverSettings: Sendable, Hashable {
    /// How long a drain may take; past it the removal is abandoned and the node untainted.
    public var drainTimeout: Duration
    /// Empty nodes removed at the same time, at most.
    public var emptyBulkConcurrency: Int
    /// Evictions in flight at once on one node.
    public var concurrentEvictions: Int
    /// The wait before retrying a PDB-refused eviction when the API gives no `Retry-After`.
    public var evictionRetryInterval: Duration
    /// How often a drain checks whether evicted pods are gone.
    public var podGonePollInterval: Duration
    /// Which pods the drain evicts. The planner already refused nodes whose pods may not move,
    /// so by default every owned or unowned pod, with or without local storage, is evicted;
    /// DaemonSet, mirror and finished pods are left.
    public var podPolicy: PodPolicy
    /// Tries at a taint change that meets a concurrent write (409) before giving up.
    public var taintAttempts: Int

    /// Settings (defaults: a 10-minute drain, 10 empty nodes at once).
    public init(
        drainTimeout: Duration = .seconds(600), emptyBulkConcurrency: Int = 10, concurrentEvictions: Int = 10,
        evictionRetryInterval: Duration = .seconds(5), podGonePollInterval: Duration = .seconds(1),
        podPolicy: PodPolicy = PodPolicy(evictLocalStorage: true, evictUnowned: true), taintAttempts: Int = 5
    ) {
        self.drainTimeout = drainTimeout
        self.emptyBulkConcurrency = emptyBulkConcurrency
        self.concurrentEvictions = concurrentEvictions
        self.evictionRetryInterval = evictionRetryInterval
        self.podGonePollInterval = podGonePollInterval
        self.podPolicy = podPolicy
        self.taintAttempts = taintAttempts
    }

    /// The drain settings the shared ``NodeDrainer`` runs with (a stuck drain gives up).
    var drainSettings: DrainSettings {
        DrainSettings(
            timeout: drainTimeout, onTimeout: .giveUp, concurrentEvictions: concurrentEvictions,
            evictionRetryInterval: evictionRetryInterval, podGonePollInterval: podGonePollInterval)
    }
}
