import Foundation
import KubeModels
import Logging
import MendTime
import Synchronization

/// Settings for ``LeaderElector``, with client-go's defaults.
public struct LeaderElectionConfig: Sendable {
    /// The Lease (`coordination.k8s.io/v1`) that records the leader.
    public var leaseName: String
    public var namespace: String
    /// This candidate's unique name (pod name + a random suffix is customary).
    public var identity: String
    /// How long a lease is honoured without renewal (client-go: 15 s).
    public var leaseDuration: Duration
    /// How long the leader keeps trying to renew before it stops acting (client-go: 10 s).
    /// Must be shorter than ``leaseDuration``.
    public var renewDeadline: Duration
    /// The pause between attempts to acquire or renew (client-go: 2 s).
    public var retryPeriod: Duration
    /// Clear the holder when stopping as leader, so a successor need not wait out the lease.
    public var releaseOnCancel: Bool

    public init(
        leaseName: String, namespace: String, identity: String, leaseDuration: Duration = .seconds(15),
        renewDeadline: Duration = .seconds(10), retryPeriod: Duration = .seconds(2), releaseOnCancel: Bool = true
    ) {
        self.leaseName = leaseName
        self.namespace = namespace
        self.identity = identity
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
        self.releaseOnCancel = releaseOnCancel
    }

    /// Checks the durations the way client-go does.
    public func validate() throws(LeaderElectionError) {
        guard !leaseName.isEmpty, !namespace.isEmpty else { throw .invalidConfig("lease name and namespace are required") }
        guard !identity.isEmpty else { throw .invalidConfig("identity is required") }
        guard leaseDuration > renewDeadline else {
            throw .invalidConfig("leaseDuration (\(leaseDuration.seconds)s) must be greater than renewDeadline (\(renewDeadline.seconds)s)")
        }
        guard renewDeadline > retryPeriod * 1.2 else {
            throw .invalidConfig("renewDeadline (\(renewDeadline.seconds)s) must be greater than 1.2 × retryPeriod (\(retryPeriod.seconds)s)")
        }
        guard retryPeriod > .zero else { throw .invalidConfig("retryPeriod must be positive") }
    }
}

/// Why leader election stopped.
public enum LeaderElectionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The leader could not renew within the renew deadline; its work has been cancelled.
    case lostLeadership(identity: String, lease: String)
    /// The configuration is inconsistent.
    case invalidConfig(String)

    public var description: String {
        switch self {
        case .lostLeadership(let identity, let lease):
            return "\(identity) lost leadership of lease \(lease): could not renew within the renew deadline; stopped acting"
        case .invalidConfig(let reason): return "invalid leader election settings: \(reason)"
        }
    }
}

/// Leader election on a Lease, following client-go's algorithm.
///
/// - A candidate takes the lease when it does not exist (create), when it has no holder, or when
///   the record has not changed for `leaseDuration` as measured on this candidate's own clock
///   (not the timestamps inside it, so clock skew between nodes does not matter). Every write is a
///   merge patch carrying the `resourceVersion` it read, so two candidates cannot both win.
/// - The leader renews every `retryPeriod`. If no renewal succeeds within `renewDeadline` of the
///   last successful one (calls that hang are cut off at the deadline), the leader's work is
///   cancelled and awaited, and ``run(whileLeading:)`` throws ``LeaderElectionError/lostLeadership(identity:lease:)``.
///   Because `renewDeadline < leaseDuration`, the old leader has stopped before anyone else may
///   take over: two replicas never act at once.
/// - When the task running the elector is cancelled while leading, the work is cancelled and the
///   lease released (holder cleared) so a successor takes over at once.
public final class LeaderElector: Sendable {
    private struct Observation {
        var record: Lease.Spec?
        var resourceVersion: String?
        var observedAt: Date
    }

    public let config: LeaderElectionConfig
    private let api: any LeaseAPI
    private let clock: any MendClock
    private let logger: Logger
    private let observed = Mutex<Observation?>(nil)
    private let leading = Atomic<Bool>(false)

    public init(config: LeaderElectionConfig, api: any LeaseAPI, clock: any MendClock = SystemClock(), logger: Logger? = nil) {
        self.config = config
        self.api = api
        self.clock = clock
        var log = logger ?? Logger(label: "leader-election")
        log[metadataKey: "lease"] = "\(config.namespace)/\(config.leaseName)"
        log[metadataKey: "identity"] = "\(config.identity)"
        self.logger = log
    }

    /// True while this candidate holds the lease and its work runs.
    public var isLeader: Bool { leading.load(ordering: .acquiring) }

    /// The holder this candidate last saw in the lease.
    public var observedLeader: String? { observed.withLock { $0?.record?.holderIdentity } }

    /// Campaigns until leader, then runs `work` while leadership lasts.
    ///
    /// - Returns: when `work` returns on its own (the lease is then released).
    /// - Throws: ``LeaderElectionError/lostLeadership(identity:lease:)`` after leadership was lost and
    ///   `work` was cancelled; `CancellationError` when the calling task is cancelled; or what `work` throws.
    public func run(whileLeading work: @escaping @Sendable () async throws -> Void) async throws {
        try config.validate()
        let acquiredAt = try await campaign()
        leading.store(true, ordering: .releasing)
        logger.notice("became leader")
        enum Ending: Sendable { case workReturned, lost }
        let ending: Result<Ending, any Error>
        do {
            ending = .success(
                try await withThrowingTaskGroup(of: Ending.self) { group in
                    group.addTask {
                        try await work()
                        return .workReturned
                    }
                    group.addTask {
                        try await self.renewUntilLost(acquiredAt: acquiredAt)
                        return .lost
                    }
                    defer { group.cancelAll() }
                    guard let first = try await group.next() else { return .lost }
                    return first
                })
        } catch {
            ending = .failure(error)
        }
        // The task group has ended: the work has stopped.
        leading.store(false, ordering: .releasing)
        switch ending {
        case .success(.lost):
            logger.error("lost leadership: renewal did not succeed within the renew deadline; stopped acting")
            throw LeaderElectionError.lostLeadership(identity: config.identity, lease: "\(config.namespace)/\(config.leaseName)")
        case .success(.workReturned):
            if config.releaseOnCancel { await release() }
        case .failure(let error):
            if config.releaseOnCancel { await release() }
            throw error
        }
    }

    // MARK: Campaign and renewal

    /// Tries until the lease is ours; returns the start time of the winning attempt.
    private func campaign() async throws -> Date {
        while true {
            try Task.checkCancellation()
            let start = clock.now
            if await tryAcquireOrRenew(deadline: nil) { return start }
            try await clock.sleep(for: jittered(config.retryPeriod))
        }
    }

    /// Renews every retryPeriod; returns when no renewal succeeded within renewDeadline of the
    /// last success (measured from the start of the successful attempt, the conservative end).
    private func renewUntilLost(acquiredAt: Date) async throws {
        var lastRenewal = acquiredAt
        while true {
            try await clock.sleep(for: config.retryPeriod)
            let deadline = lastRenewal.addingTimeInterval(config.renewDeadline.seconds)
            var renewed = false
            while !renewed {
                let attemptStart = clock.now
                guard attemptStart < deadline else { return }
                renewed = await tryAcquireOrRenew(deadline: deadline)
                if renewed {
                    lastRenewal = attemptStart
                } else {
                    try Task.checkCancellation()
                    let pause = min(config.retryPeriod.seconds, deadline.timeIntervalSince(clock.now))
                    if pause > 0 { try await clock.sleep(for: .seconds(pause)) }
                }
            }
        }
    }

    /// One round of client-go's tryAcquireOrRenew. With a deadline, the round is abandoned (and
    /// counts as a failure) when the deadline passes first.
    private func tryAcquireOrRenew(deadline: Date?) async -> Bool {
        guard let deadline else { return await attempt() }
        return await withTaskGroup(of: Bool?.self) { group in
            group.addTask { await self.attempt() }
            group.addTask {
                try? await self.clock.sleep(until: deadline)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? false
        }
    }

    private func attempt() async -> Bool {
        let now = clock.now
        let me = config.identity
        do {
            guard let lease = try await api.getLease(name: config.leaseName, namespace: config.namespace) else {
                var spec = Lease.Spec(
                    holderIdentity: me, leaseDurationSeconds: Int32(config.leaseDuration.seconds),
                    acquireTime: MicroTime(now), renewTime: MicroTime(now), leaseTransitions: 0)
                spec.strategy = nil
                let created = try await api.createLease(
                    Lease(metadata: ObjectMeta(name: config.leaseName, namespace: config.namespace), spec: spec))
                observe(created, at: now)
                return true
            }
            observe(lease, at: now)
            let holder = lease.spec.holderIdentity ?? ""
            if !holder.isEmpty && holder != me {
                let observedAt = observed.withLock { $0?.observedAt } ?? now
                let duration = TimeInterval(lease.spec.leaseDurationSeconds ?? Int32(config.leaseDuration.seconds))
                if observedAt.addingTimeInterval(duration) > now {
                    return false  // someone else holds a lease that has not expired
                }
            }
            var spec = lease.spec
            if holder == me {
                spec.renewTime = MicroTime(now)
            } else {
                spec.holderIdentity = me
                spec.acquireTime = MicroTime(now)
                spec.renewTime = MicroTime(now)
                spec.leaseTransitions = (lease.spec.leaseTransitions ?? 0) + 1
            }
            spec.leaseDurationSeconds = Int32(config.leaseDuration.seconds)
            let patch: JSONValue = [
                "metadata": ["resourceVersion": .string(lease.metadata.resourceVersion ?? "")],
                "spec": try JSONValue(encoding: spec),
            ]
            let updated = try await api.patchLease(name: config.leaseName, namespace: config.namespace, patch: patch)
            observe(updated, at: now)
            if holder != me { logger.info("acquired lease", metadata: ["previous": "\(holder)"]) }
            return true
        } catch {
            if !(error is CancellationError) {
                logger.debug("lease acquire/renew failed", metadata: ["error": "\(error)"])
            }
            return false
        }
    }

    /// Remembers the record and, when it changed, the local time it was first seen.
    private func observe(_ lease: Lease, at now: Date) {
        observed.withLock { o in
            if o == nil || o?.record != lease.spec {
                o = Observation(record: lease.spec, resourceVersion: lease.metadata.resourceVersion, observedAt: now)
            } else {
                o?.resourceVersion = lease.metadata.resourceVersion
            }
        }
    }

    /// Clears the holder so a successor can take over at once (runs even if the caller was cancelled).
    private func release() async {
        let api = self.api
        let config = self.config
        let clock = self.clock
        let logger = self.logger
        let releaseTask = Task {
            do {
                guard let lease = try await api.getLease(name: config.leaseName, namespace: config.namespace),
                    lease.spec.holderIdentity == config.identity
                else { return }
                let patch: JSONValue = [
                    "metadata": ["resourceVersion": .string(lease.metadata.resourceVersion ?? "")],
                    "spec": [
                        "holderIdentity": nil, "leaseDurationSeconds": 1,
                        "renewTime": .string(MicroTime(clock.now).description),
                    ],
                ]
                _ = try await api.patchLease(name: config.leaseName, namespace: config.namespace, patch: patch)
                logger.notice("released lease")
            } catch {
                logger.warning("could not release lease; a successor will wait for it to expire", metadata: ["error": "\(error)"])
            }
        }
        await releaseTask.value
    }

    private func jittered(_ duration: Duration) -> Duration {
        // client-go's JitterUntil with factor 1.2: up to 20% extra.
        .seconds(duration.seconds * (1 + Double.random(in: 0...0.2)))
    }
}
