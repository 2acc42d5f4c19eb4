import Synchronization

/// Timers and long-lived jobs (a leader's deliver stream) that belong to one service: they run as
/// child tasks of that service's `run()` and end with it, never after.
///
/// A shell calls `schedule`/`start`/`cancel` from anywhere (an actor's effect loop); the service
/// calls `run()` once, inside its own `run()`, and `finish()` on graceful shutdown.
///
/// Timers run on the continuous clock (`schedule(at: ContinuousClock.Instant)`) or on the clock
/// given at `init` (`schedule(at: Duration)`, a `ManualClock` in tests).
///
/// Guarantees: a scheduled body runs at or after its instant, at most once, and only while
/// `run()` runs (what is scheduled before `run()` starts waits for it; after `finish()` or a
/// cancelled `run()`, nothing new starts and what still waits or runs is cancelled before `run()`
/// returns); `cancel(key)` cancels the job started under `key` (a later `start` with the same key
/// after a cancel is a new job); `start` with a key already running is ignored.
public final class ChildTasks: Sendable {
    enum Command: Sendable {
        /// A timer: `wait` returns when it is due (throws when cancelled), then `body` runs.
        case at(wait: @Sendable () async throws -> Void, @Sendable () async -> Void)
        case job(key: String, generation: UInt64, stopped: AsyncStream<Void>, @Sendable () async -> Void)
    }

    private let commands: AsyncStream<Command>
    private let continuation: AsyncStream<Command>.Continuation
    /// Running keyed jobs: their generation and the continuation that stops them.
    private let jobs = Mutex<(next: UInt64, running: [String: (generation: UInt64, stop: AsyncStream<Void>.Continuation)])>((0, [:]))
    /// Set by `finish()` and when `run()` returns: nothing is taken any more.
    private let ended = Mutex(false)

    /// The clock `schedule(at: Duration)` counts on.
    public let clock: any NodeClock

    public init(clock: any NodeClock = SystemNodeClock()) {
        self.clock = clock
        (commands, continuation) = AsyncStream.makeStream(of: Command.self)
    }

    /// Runs `body` at `instant` (on the continuous clock).
    public func schedule(at instant: ContinuousClock.Instant, _ body: @escaping @Sendable () async -> Void) {
        continuation.yield(.at(wait: { try await NodeExecutor.sleep(until: instant) }, body))
    }

    /// Runs `body` once `clock.now` reaches `time` (on the clock given at `init`).
    public func schedule(at time: Duration, _ body: @escaping @Sendable () async -> Void) {
        let clock = clock
        continuation.yield(.at(wait: { try await clock.sleep(until: time) }, body))
    }

    /// Starts a job under `key` unless one runs under it; `body` should end when its task is cancelled.
    public func start(_ key: String, _ body: @escaping @Sendable () async -> Void) {
        guard !ended.withLock({ $0 }) else { return }
        let (stopped, stop) = AsyncStream.makeStream(of: Void.self)
        let generation: UInt64? = jobs.withLock { jobs in
            guard jobs.running[key] == nil else { return nil }
            jobs.next += 1
            jobs.running[key] = (jobs.next, stop)
            return jobs.next
        }
        guard let generation else { return }
        continuation.yield(.job(key: key, generation: generation, stopped: stopped, body))
    }

    /// Whether a job runs (or is about to start) under `key`.
    public func isRunning(_ key: String) -> Bool { jobs.withLock { $0.running[key] != nil } }

    /// Cancels the job under `key`, if any.
    public func cancel(_ key: String) {
        jobs.withLock { $0.running.removeValue(forKey: key) }?.stop.finish()
    }

    /// Ends `run()`: nothing new starts; waiting timers and running jobs are cancelled.
    public func finish() {
        ended.withLock { $0 = true }
        continuation.finish()
    }

    /// Runs scheduled timers and jobs as child tasks until `finish()` or cancellation.
    public func run() async {
        await withDiscardingTaskGroup { group in
            for await command in commands {
                switch command {
                case let .at(wait, body):
                    group.addTask {
                        do { try await wait() } catch { return }
                        await body()
                    }
                case let .job(key, generation, stopped, body):
                    // Cancelled before it started: the key is gone or names a newer job.
                    guard jobs.withLock({ $0.running[key]?.generation == generation }) else { continue }
                    group.addTask {
                        await withTaskGroup(of: Void.self) { race in
                            race.addTask { await body() }
                            race.addTask { for await _ in stopped {} }
                            await race.next()
                            race.cancelAll()
                        }
                        self.jobs.withLock { jobs in
                            if jobs.running[key]?.generation == generation { jobs.running[key] = nil }
                        }
                    }
                }
            }
            group.cancelAll()
        }
        ended.withLock { $0 = true }
        let left = jobs.withLock { jobs in
            defer { jobs.running.removeAll() }
            return jobs.running.values.map(\.stop)
        }
        left.forEach { $0.finish() }
    }
}
