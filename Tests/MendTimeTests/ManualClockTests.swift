import Foundation
import MendTime
import Testing

@Suite struct ManualClockTests {
    @Test func sleeperWakesOnlyWhenItsDeadlineIsReached() async throws {
        let clock = ManualClock()
        let woke = LockedBox(false)
        let task = Task {
            try await clock.sleep(for: .seconds(600))
            woke.set(true)
        }
        #expect(await clock.waitForSleepers(count: 1))
        clock.advance(by: .seconds(599))
        try await Task.sleep(for: .milliseconds(20))
        #expect(woke.get() == false)
        clock.advance(by: .seconds(1))
        try await task.value
        #expect(woke.get() == true)
    }

    @Test func cancellingASleeperThrowsCancellationAndRemovesIt() async throws {
        let clock = ManualClock()
        let task = Task { try await clock.sleep(for: .seconds(10)) }
        #expect(await clock.waitForSleepers(count: 1))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(clock.sleeperCount == 0)
    }

    @Test func zeroDurationReturnsImmediately() async throws {
        let clock = ManualClock()
        try await clock.sleep(for: .zero)
        #expect(clock.sleeperCount == 0)
    }

    @Test func advanceMovesNow() {
        let clock = ManualClock(start: Date(timeIntervalSince1970: 0))
        clock.advance(by: .seconds(90))
        #expect(clock.now == Date(timeIntervalSince1970: 90))
        clock.advance(to: Date(timeIntervalSince1970: 10))
        #expect(clock.now == Date(timeIntervalSince1970: 90))
    }

    @Test func acceleratedClockRunsFasterThanRealTime() async throws {
        let clock = AcceleratedClock(factor: 1000, start: Date(timeIntervalSince1970: 0))
        try await clock.sleep(for: .seconds(10))  // 10 ms of real time
        #expect(clock.now.timeIntervalSince1970 >= 10)
    }
}

/// A tiny lock-protected box for test flags.
final class LockedBox<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func get() -> Value { lock.withLock { value } }
    func set(_ newValue: Value) { lock.withLock { value = newValue } }
}
