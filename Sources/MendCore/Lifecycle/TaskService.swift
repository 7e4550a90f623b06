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
