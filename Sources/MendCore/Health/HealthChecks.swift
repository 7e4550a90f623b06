import Foundation
import MendTime
import Synchronization

/// The result of one check.
public enum HealthStatus: Sendable, Hashable {
    case healthy
    case unhealthy(reason: String)

    public var isHealthy: Bool { if case .healthy = self { true } else { false } }
}

/// The checks behind `/healthz` (liveness) and `/readyz` (readiness).
///
/// - Liveness: named checks evaluated on each request, e.g. a ``Heartbeat`` that fails when a
///   log source or reconcile loop has stalled. Kubernetes restarts a pod that stays unhealthy.
/// - Readiness: named gates set by the program (`config`, `informers`), all must be ready.
public final class HealthChecks: Sendable {
    private struct State {
        var liveness: [(name: String, check: @Sendable () -> HealthStatus)] = []
        var gates: [String: HealthStatus] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Adds a liveness check (replacing one with the same name).
    public func addLivenessCheck(_ name: String, _ check: @escaping @Sendable () -> HealthStatus) {
        state.withLock { s in
            s.liveness.removeAll { $0.name == name }
            s.liveness.append((name, check))
        }
    }

    /// Declares a readiness gate, not ready until ``setReady(_:)`` or ``setNotReady(_:reason:)``.
    public func addReadinessGate(_ name: String, reason: String = "starting") {
        state.withLock { s in
            if s.gates[name] == nil { s.gates[name] = .unhealthy(reason: reason) }
        }
    }

    /// Marks a readiness gate ready.
    public func setReady(_ name: String) { state.withLock { $0.gates[name] = .healthy } }

    /// Marks a readiness gate not ready.
    public func setNotReady(_ name: String, reason: String) { state.withLock { $0.gates[name] = .unhealthy(reason: reason) } }

    /// Every liveness check's current result, in registration order.
    public func liveness() -> [(name: String, status: HealthStatus)] {
        let checks = state.withLock { $0.liveness }
        return checks.map { (name: $0.name, status: $0.check()) }
    }

    /// Every readiness gate, sorted by name.
    public func readiness() -> [(name: String, status: HealthStatus)] {
        state.withLock { $0.gates }.sorted { $0.key < $1.key }.map { (name: $0.key, status: $0.value) }
    }
}

/// A liveness signal for a loop: the loop calls ``beat()`` each time round; the check fails when
/// no beat came for longer than `maxSilence` (on the injected clock).
public final class Heartbeat: Sendable {
    private let last: Mutex<Date>
    private let clock: any MendClock
    /// How long the loop may stay silent before it counts as stalled.
    public let maxSilence: Duration

    public init(maxSilence: Duration, clock: any MendClock = SystemClock()) {
        self.clock = clock
        self.maxSilence = maxSilence
        self.last = Mutex(clock.now)
    }

    /// Records that the loop is alive.
    public func beat() { last.withLock { $0 = clock.now } }

    /// Healthy while the last beat is recent enough.
    public func status() -> HealthStatus {
        let silence = clock.now.timeIntervalSince(last.withLock { $0 })
        if silence <= maxSilence.seconds { return .healthy }
        return .unhealthy(reason: "no progress for \(GoDuration(.seconds(silence.rounded()))) (limit \(GoDuration(maxSilence)))")
    }
}
