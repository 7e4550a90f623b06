import KubeClient
import KubeModels
import Logging
import Metrics
import MendTime

/// The one door every mutating call of a Mend program goes through.
///
/// It logs each call (verb, object, a summary of the body), counts it in
/// `mend_writes_total{verb, result, mode}` and hands it to an executor: ``LiveWriteExecutor``
/// sends it, ``DryRunWriteExecutor`` only pretends. Dry-run is therefore one switch, and a test
/// can count calls with its own ``WriteExecutor``.
///
/// ```swift
/// let writes = WritePath(kubernetes: client, dryRun: config.dryRun, logger: logger)
/// _ = try await writes.patchNode("ip-10-0-0-1", patch: .merge(["spec": ["unschedulable": true]]))
/// ```
public struct WritePath: Sendable {
    /// Whether writes are only logged.
    public let isDryRun: Bool
    let executor: any WriteExecutor
    let logger: Logger
    let factory: any MetricsFactory

    /// A live or dry-run write path over a Kubernetes client. (The autoscaler's capacity writes
    /// go to its node-group provider: see `WritePath.forNodeGroups` in the Autoscaler module.)
    ///
    /// - Parameters:
    ///   - kubernetes: sends Kubernetes writes (and, in dry-run, serves the reads behind plausible answers).
    ///   - factory: where the write counter lives (default: the process's metrics system).
    public init(
        kubernetes: KubernetesClient?, dryRun: Bool,
        clock: any MendClock = SystemClock(), logger: Logger, factory: (any MetricsFactory)? = nil
    ) {
        let executor: any WriteExecutor =
            dryRun
            ? DryRunWriteExecutor(reader: kubernetes, clock: clock)
            : LiveWriteExecutor(kubernetes: kubernetes)
        self.init(executor: executor, dryRun: dryRun, logger: logger, factory: factory)
    }

    /// A write path over any executor (tests, decorators).
    public init(executor: any WriteExecutor, dryRun: Bool, logger: Logger, factory: (any MetricsFactory)? = nil) {
        self.executor = executor
        self.isDryRun = dryRun
        var log = logger
        log[metadataKey: "dry_run"] = "\(dryRun)"
        self.logger = log
        self.factory = factory ?? MetricsSystem.factory
    }

    /// Performs one write: logs it, counts it, and sends it (unless dry-run).
    public func perform(_ request: WriteRequest) async throws -> WriteResult {
        let metadata: Logger.Metadata = [
            "verb": "\(request.verb)", "object": "\(request.target)", "change": "\(request.summary)",
        ]
        let level: Logger.Level = request.isRoutine ? .debug : .info
        if isDryRun {
            logger.log(level: level, "dry-run: would write", metadata: metadata)
        }
        do {
            let result = try await executor.execute(request)
            count(request, result: isDryRun ? "dry_run" : Self.resultLabel(result))
            if !isDryRun { logger.log(level: level, "wrote", metadata: metadata) }
            return result
        } catch {
            count(request, result: "error")
            if !(error is CancellationError) {
                logger.warning("write failed", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            }
            throw error
        }
    }

    private static func resultLabel(_ result: WriteResult) -> String {
        switch result {
        case .eviction(.evicted): "success"
        case .eviction(.notFound): "not_found"
        case .eviction: "blocked"
        default: "success"
        }
    }

    private func count(_ request: WriteRequest, result: String) {
        Counter(
            label: "mend_writes_total",
            dimensions: [("verb", request.verb), ("result", result), ("mode", isDryRun ? "dry_run" : "live")],
            factory: factory
        ).increment()
    }

    // MARK: Typed calls

    /// Patches a Node (cordon, taints, labels, annotations).
    @discardableResult
    public func patchNode(_ name: String, patch: Patch) async throws -> Node {
        try expect(await perform(.patchNode(name: name, patch: patch)), "patch_node") { if case .node(let n) = $0 { n } else { nil } }
    }

    /// Patches a Node's status (conditions).
    @discardableResult
    public func patchNodeStatus(_ name: String, patch: Patch) async throws -> Node {
        try expect(await perform(.patchNodeStatus(name: name, patch: patch)), "patch_node_status") {
            if case .node(let n) = $0 { n } else { nil }
        }
    }

    /// Creates a core/v1 Event.
    @discardableResult
    public func createEvent(_ event: CoreV1Event) async throws -> CoreV1Event {
        try expect(await perform(.createEvent(event)), "create_event") { if case .event(let e) = $0 { e } else { nil } }
    }

    /// Patches an Event (count and lastTimestamp of a repeated event).
    @discardableResult
    public func patchEvent(_ name: String, namespace: String, patch: Patch) async throws -> CoreV1Event {
        try expect(await perform(.patchEvent(name: name, namespace: namespace, patch: patch)), "patch_event") {
            if case .event(let e) = $0 { e } else { nil }
        }
    }

    /// Evicts a pod through the Eviction API (PodDisruptionBudgets respected).
    public func evictPod(_ name: String, namespace: String, options: DeleteOptions? = nil) async throws -> EvictionOutcome {
        try expect(await perform(.evictPod(name: name, namespace: namespace, options: options)), "evict_pod") {
            if case .eviction(let o) = $0 { o } else { nil }
        }
    }

    /// Deletes a pod (for pods the Eviction API cannot remove, e.g. on a node that is gone).
    public func deletePod(_ name: String, namespace: String, options: DeleteOptions? = nil) async throws {
        _ = try await perform(.deletePod(name: name, namespace: namespace, options: options))
    }

    /// Creates a ConfigMap (e.g. the autoscaler's status).
    @discardableResult
    public func createConfigMap(_ map: ConfigMap) async throws -> ConfigMap {
        try expect(await perform(.createConfigMap(map)), "create_configmap") { if case .configMap(let m) = $0 { m } else { nil } }
    }

    /// Patches a ConfigMap.
    @discardableResult
    public func patchConfigMap(_ name: String, namespace: String, patch: Patch) async throws -> ConfigMap {
        try expect(await perform(.patchConfigMap(name: name, namespace: namespace, patch: patch)), "patch_configmap") {
            if case .configMap(let m) = $0 { m } else { nil }
        }
    }

    /// Creates a Lease.
    @discardableResult
    public func createLease(_ lease: Lease) async throws -> Lease {
        try expect(await perform(.createLease(lease)), "create_lease") { if case .lease(let l) = $0 { l } else { nil } }
    }

    /// Patches a Lease.
    @discardableResult
    public func patchLease(_ name: String, namespace: String, patch: Patch) async throws -> Lease {
        try expect(await perform(.patchLease(name: name, namespace: namespace, patch: patch)), "patch_lease") {
            if case .lease(let l) = $0 { l } else { nil }
        }
    }

    /// Sets a node group's (Auto Scaling group's) desired capacity.
    public func setDesiredCapacity(group: String, to capacity: Int) async throws {
        _ = try await perform(.setDesiredCapacity(group: group, capacity: capacity))
    }

    /// Terminates one instance of its Auto Scaling group (`group`, when known, names it for
    /// providers that need it and for the log line).
    public func terminateInstance(_ instanceID: String, group: String? = nil, decrementDesiredCapacity: Bool) async throws {
        _ = try await perform(
            .terminateInstance(group: group, instanceID: instanceID, decrementDesiredCapacity: decrementDesiredCapacity))
    }

    private func expect<T>(_ result: WriteResult, _ verb: String, _ extract: (WriteResult) -> T?) throws -> T {
        guard let value = extract(result) else { throw WritePathError.unexpectedResult(verb: verb, result: "\(result)") }
        return value
    }
}
