import Synchronization

/// A clock that only moves when told to (`advance(by:)`, `advance(to:)`): what tests drive a
/// shell's timers with, instead of sleeping.
///
/// Guarantees: `now` starts at zero and changes only through `advance`; a sleeper whose deadline
/// is reached is resumed by the `advance` call that reaches it (before that call returns, in
/// deadline order), never earlier; a cancelled sleeper throws `CancellationError` at once and
/// is forgotten. `deadlines` tells a test what is waiting, so it can wait for a timer to be armed
/// before moving past it.
public final class ManualClock: NodeClock {
    private struct Sleeper {
        let id: UInt64
        let deadline: Duration
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Duration = .zero
        var nextID: UInt64 = 0
        var sleepers: [Sleeper] = []
    }

    private let state = Mutex(State())

    public init() {}

    public var now: Duration { state.withLock { $0.now } }

    /// The deadlines of the sleepers waiting now, earliest first.
    public var deadlines: [Duration] { state.withLock { $0.sleepers.map(\.deadline).sorted() } }

    public func sleep(until deadline: Duration) async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resume: Result<Void, any Error>? = state.withLock { state in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if state.now >= deadline { return .success(()) }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return nil
                }
                if let resume { continuation.resume(with: resume) }
            }
        } onCancel: {
            let cancelled = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index).continuation
            }
            cancelled?.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock forward by `duration` (not backward: a negative one is a programming error).
    public func advance(by duration: Duration) {
        precondition(duration >= .zero, "ManualClock.advance(by: \(duration)): a clock does not go back")
        advance(to: now + duration)
    }

    /// Moves the clock to `instant` (a later time; an earlier one leaves it where it is) and
    /// resumes every sleeper whose deadline it reached.
    public func advance(to instant: Duration) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = max(state.now, instant)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }
}
