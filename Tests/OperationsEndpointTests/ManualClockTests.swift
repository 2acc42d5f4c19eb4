import OperationsEndpoint
import Synchronization
import Testing

/// The manual clock moves only when told, and `ChildTasks` timers on it fire only when it passes them.
@Suite struct ManualClockTests {
    @Test func aSleeperWakesOnlyWhenTheClockReachesItsDeadline() async throws {
        let clock = ManualClock()
        let woke = Mutex(false)
        let sleeper = Task {
            try await clock.sleep(until: .seconds(2))
            woke.withLock { $0 = true }
        }
        try await waitUntil("the sleeper to wait") { clock.deadlines == [.seconds(2)] }
        clock.advance(by: .seconds(1))
        #expect(clock.now == .seconds(1))
        #expect(clock.deadlines == [.seconds(2)], "one second early it still waits")
        #expect(!woke.withLock { $0 })
        clock.advance(to: .seconds(2))
        try await sleeper.value
        #expect(woke.withLock { $0 })
        #expect(clock.deadlines.isEmpty)
        clock.advance(to: .seconds(1))
        #expect(clock.now == .seconds(2), "the clock does not go back")
        try await clock.sleep(until: .seconds(2))  // due already: returns at once
    }

    @Test func aCancelledSleeperThrowsAndIsForgotten() async throws {
        let clock = ManualClock()
        let sleeper = Task { try await clock.sleep(until: .seconds(60)) }
        try await waitUntil("the sleeper to wait") { clock.deadlines == [.seconds(60)] }
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(clock.deadlines.isEmpty)
    }

    @Test func childTasksTimersRunOnTheirClockAndEndWithRun() async throws {
        let clock = ManualClock()
        let tasks = ChildTasks(clock: clock)
        let fired = Mutex<[String]>([])
        tasks.schedule(at: .milliseconds(100)) { fired.withLock { $0.append("100 ms") } }
        tasks.schedule(at: .seconds(10)) { fired.withLock { $0.append("10 s") } }
        async let running: Void = tasks.run()
        try await waitUntil("both timers armed") { clock.deadlines == [.milliseconds(100), .seconds(10)] }
        clock.advance(to: .milliseconds(99))
        #expect(clock.deadlines == [.milliseconds(100), .seconds(10)])
        clock.advance(to: .milliseconds(100))
        try await waitUntil("the 100 ms timer") { fired.withLock { $0 } == ["100 ms"] }
        tasks.finish()
        await running
        #expect(clock.deadlines.isEmpty, "the 10 s timer was cancelled with run()")
        clock.advance(to: .seconds(20))
        #expect(fired.withLock { $0 } == ["100 ms"])
    }
}
