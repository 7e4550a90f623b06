import Foundation
import Synchronization

/// The one source of time for every Mend component.
///
/// Production code uses ``SystemClock``. Tests use ``ManualClock`` so "wait ten minutes" costs
/// nothing, and `mend demo` uses ``AcceleratedClock`` so a healing story plays out in seconds.
public protocol MendClock: Sendable {
    /// The current wall-clock time as this clock sees it.
    var now: Date { get }

    /// Suspends the caller until `duration` has passed on this clock.
    ///
    /// - Throws: `CancellationError` when the calling task is cancelled first.
    func sleep(for duration: Duration) async throws
}

extension MendClock {
    /// Suspends until `deadline` (a no-op when it has already passed).
    public func sleep(until deadline: Date) async throws {
        let remaining = deadline.timeIntervalSince(now)
        if remaining > 0 { try await sleep(for: .seconds(remaining)) }
    }
}

extension Duration {
    /// The duration in seconds as a `Double` (fractional part kept to the attosecond).
    public var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }

    /// The duration as a `TimeInterval`.
    public var timeInterval: TimeInterval { seconds }
}

/// Real time: `Date()` and `Task.sleep`.
public struct SystemClock: MendClock {
    public init() {}

    public var now: Date { Date() }

    public func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }
}

/// Time that moves only when a test says so.
///
/// Sleepers are resumed by ``advance(by:)`` in deadline order. ``waitForSleepers(count:timeout:)``
/// lets a test wait until the code under test has parked on the clock before moving it.
public final class ManualClock: MendClock {
    private struct Sleeper {
        let id: UInt64
        let deadline: Date
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Date
        var nextID: UInt64 = 0
        var sleepers: [Sleeper] = []
        var cancelledBeforeRegistration: Set<UInt64> = []
    }

    private let state: Mutex<State>

    /// Starts at `start` (by default a fixed, readable instant so test output is stable).
    public init(start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        state = Mutex(State(now: start))
    }

    public var now: Date { state.withLock { $0.now } }

    /// How many tasks are currently sleeping on this clock.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    public func sleep(for duration: Duration) async throws {
        let id = state.withLock { s -> UInt64 in
            s.nextID += 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let immediate: Result<Void, any Error>? = state.withLock { s in
                    if s.cancelledBeforeRegistration.remove(id) != nil { return .failure(CancellationError()) }
                    let deadline = s.now.addingTimeInterval(duration.seconds)
                    if deadline <= s.now { return .success(()) }
                    s.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            let sleeper = state.withLock { s -> Sleeper? in
                if let index = s.sleepers.firstIndex(where: { $0.id == id }) {
                    return s.sleepers.remove(at: index)
                }
                s.cancelledBeforeRegistration.insert(id)
                return nil
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward and wakes every sleeper whose deadline has been reached, earliest first.
    public func advance(by duration: Duration) {
        let due = state.withLock { s -> [Sleeper] in
            s.now = s.now.addingTimeInterval(duration.seconds)
            let now = s.now
            let due = s.sleepers.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
            s.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Moves time to `date` (never backwards).
    public func advance(to date: Date) {
        let delta = date.timeIntervalSince(now)
        if delta > 0 { advance(by: .seconds(delta)) }
    }

    /// Waits (in real time, bounded by `timeout`) until at least `count` tasks sleep on this clock.
    ///
    /// - Returns: `true` if they did, `false` on timeout.
    @discardableResult
    public func waitForSleepers(count: Int = 1, timeout: Duration = .seconds(5)) async -> Bool {
        let start = ContinuousClock.now
        while sleeperCount < count {
            if ContinuousClock.now - start > timeout { return false }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return true
    }
}

/// Real time sped up by a constant factor (for demos): one real second is `factor` clock seconds.
public struct AcceleratedClock: MendClock {
    public let factor: Double
    private let origin: Date
    private let realOrigin: ContinuousClock.Instant

    /// - Parameters:
    ///   - factor: how many clock seconds pass per real second (must be > 0).
    ///   - start: the clock's time at creation.
    public init(factor: Double, start: Date = Date()) {
        precondition(factor > 0, "AcceleratedClock factor must be positive")
        self.factor = factor
        self.origin = start
        self.realOrigin = ContinuousClock.now
    }

    public var now: Date {
        origin.addingTimeInterval((ContinuousClock.now - realOrigin).seconds * factor)
    }

    public func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: .seconds(duration.seconds / factor))
    }
}
