import ServiceLifecycle

/// A long-lived task (a control loop, an informer) run as a `Service` by ``ProgramRunner``:
/// cancelled on graceful shutdown (SIGTERM, SIGINT), which then counts as a clean end.
public struct TaskService: Service {
    let body: @Sendable () async throws -> Void

    /// A service running `body` until it returns or the program shuts down.
    public init(_ body: @escaping @Sendable () async throws -> Void) { self.body = body }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await body() }
        } catch is CancellationError {
            // Shutting down.
        }
    }
}

extension TaskService {
    /// A cache (an informer) run for the program's life: `/readyz` holds the readiness gate
    /// `gate` (with `reason`) until `waitForSync` returns, then opens it.
    public static func cache(
        gate: String, reason: String, health: HealthChecks, run: @escaping @Sendable () async throws -> Void,
        waitForSync: @escaping @Sendable () async throws -> Void
    ) -> TaskService {
        health.addReadinessGate(gate, reason: reason)
        return TaskService {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await run() }
                try await waitForSync()
                health.setReady(gate)
                _ = try await group.next()
            }
        }
    }
}
