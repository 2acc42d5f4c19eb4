/// The time a node's shell runs on: how long since the clock started, and a sleep until a later
/// point of it. The peer service reads `now` for its core and its connection table, and its
/// `ChildTasks` sleeps on it for timers; `SystemNodeClock` is the real one, `ManualClock` the one
/// tests advance by hand.
///
/// Contract for an implementation: `now` never decreases; `sleep(until:)` returns once `now` is at
/// or past `deadline` (at once if it already is) and throws `CancellationError` when its task is
/// cancelled first; it is safe to use from any thread.
public protocol NodeClock: Sendable {
    /// Time since the clock started (its zero).
    var now: Duration { get }
    /// Returns once `now >= deadline`; throws `CancellationError` if the task is cancelled first.
    func sleep(until deadline: Duration) async throws
}

/// The continuous clock (it keeps counting while the machine sleeps), measured from when this
/// value was made.
///
/// Guarantees: `now` is the `ContinuousClock` time since `init`; `sleep(until:)` is
/// `NodeExecutor.sleep(until:)` of the matching instant (`Task.sleep` unless a node process put
/// its timers on its event loops).
public struct SystemNodeClock: NodeClock {
    public let start: ContinuousClock.Instant

    public init(start: ContinuousClock.Instant = .now) { self.start = start }

    public var now: Duration { ContinuousClock.now - start }

    public func sleep(until deadline: Duration) async throws {
        try await NodeExecutor.sleep(until: start.advanced(by: deadline))
    }
}
