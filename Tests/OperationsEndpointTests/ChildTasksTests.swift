import OperationsEndpoint
import Synchronization
import Testing

/// Waits until `condition` holds, checking after each yield, up to `deadline` of the continuous clock.
func waitUntil(_ what: String, within deadline: Duration = .seconds(10), _ condition: () -> Bool) async throws {
    let end = ContinuousClock.now + deadline
    while !condition() {
        guard ContinuousClock.now < end else { throw WaitTimedOut(what: what) }
        try await Task.sleep(for: .milliseconds(1))  // a poll interval, not a synchronisation
    }
}

struct WaitTimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

@Suite struct ChildTasksTests {
    @Test func aTimerScheduledBeforeRunFiresOnceRunStarts() async throws {
        let tasks = ChildTasks()
        let fired = Mutex(0)
        tasks.schedule(at: .now) { fired.withLock { $0 += 1 } }
        async let running: Void = tasks.run()
        try await waitUntil("the timer") { fired.withLock { $0 } == 1 }
        tasks.finish()
        await running
        #expect(fired.withLock { $0 } == 1)
    }

    @Test func finishCancelsWaitingTimersAndRunningJobsBeforeRunReturns() async throws {
        let tasks = ChildTasks()
        let events = Mutex<[String]>([])
        tasks.schedule(at: .now + .seconds(3600)) { events.withLock { $0.append("late timer fired") } }
        tasks.start("job") {
            events.withLock { $0.append("job started") }
            do { try await Task.sleep(for: .seconds(3600)) } catch { events.withLock { $0.append("job cancelled") } }
        }
        async let running: Void = tasks.run()
        try await waitUntil("the job") { events.withLock { $0.contains("job started") } }
        tasks.finish()
        await running
        #expect(events.withLock { $0 } == ["job started", "job cancelled"])
        #expect(!tasks.isRunning("job"))
        tasks.schedule(at: .now) { events.withLock { $0.append("after finish") } }
        tasks.start("late") { events.withLock { $0.append("late job") } }
        #expect(!tasks.isRunning("late"), "a job started after run() ended is not taken")
        #expect(!events.withLock { $0 }.contains("after finish"))
    }

    @Test func cancelEndsOnlyThatJobAndTheKeyCanStartAgain() async throws {
        let tasks = ChildTasks()
        let events = Mutex<[String]>([])
        func job(_ name: String) -> @Sendable () async -> Void {
            { events.withLock { $0.append("\(name) started") }
              do { try await Task.sleep(for: .seconds(3600)) } catch { events.withLock { $0.append("\(name) cancelled") } } }
        }
        tasks.start("a", job("a1"))
        tasks.start("a", job("a-duplicate"))
        tasks.start("b", job("b1"))
        async let running: Void = tasks.run()
        try await waitUntil("both jobs") { events.withLock { $0.contains("a1 started") && $0.contains("b1 started") } }
        tasks.cancel("a")
        try await waitUntil("a1's end") { events.withLock { $0.contains("a1 cancelled") } }
        #expect(!tasks.isRunning("a") && tasks.isRunning("b"))
        tasks.start("a", job("a2"))
        try await waitUntil("a2") { events.withLock { $0.contains("a2 started") } }
        tasks.finish()
        await running
        let seen = events.withLock { $0 }
        #expect(!seen.contains("a-duplicate started"))
        #expect(seen.contains("b1 cancelled") && seen.contains("a2 cancelled"))
    }

    @Test func aJobCancelledBeforeRunStartsNeverRuns() async throws {
        let tasks = ChildTasks()
        let started = Mutex(false)
        tasks.start("a") { started.withLock { $0 = true } }
        tasks.cancel("a")
        let marker = Mutex(false)
        tasks.schedule(at: .now) { marker.withLock { $0 = true } }
        async let running: Void = tasks.run()
        try await waitUntil("the marker timer") { marker.withLock { $0 } }
        tasks.finish()
        await running
        #expect(!started.withLock { $0 })
    }
}
