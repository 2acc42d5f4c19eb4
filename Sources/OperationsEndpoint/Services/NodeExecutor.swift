import CConcurrencyHooks
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// Where a node process (`peer start`, `orderer start`) runs its Swift concurrency jobs and
/// timers when `FABNET_NODE_EXECUTOR=loops`: on the event loops of
/// `MultiThreadedEventLoopGroup.singleton`, which also do all its network I/O, with at least four
/// loops. `up` asks for it in networks of more than four nodes per core (`NodeExecutorChoice`);
/// otherwise Swift's own pool runs them, which costs less CPU per job on a busy node.
///
/// With Swift's own pool, a gossip message crossed threads twice (an event loop read it and woke
/// a pool thread to handle it, which woke the event loop again to write the answer), and every
/// timer went through Dispatch's timer thread and then woke a pool thread. Profiled over an idle
/// 100-peer network on two cores, Dispatch's wake-ups, waits and timer thread were a quarter of
/// all CPU. On the event loops a job an event loop enqueues stays on it (NIO's group is sticky),
/// and a timer is an entry in the loop's own timer queue.
///
/// Why four loops on a two-core machine: with one loop per core, a 100-peer start on two cores
/// elected about 30 leaders per start and declared live members dead. Linux shares the CPU out
/// per thread, and a busy node (one every joining peer asks) had half the threads it had with
/// Swift's pool beside NIO's, so it answered too late. With four it starts as fast as before.
///
/// Guarantees: `install()` takes over at most once per process and only when the environment
/// says `loops` (anything else keeps Swift's pool and Dispatch's timers);
/// `NIO_SINGLETON_GROUP_LOOP_COUNT` sets the loops. Code on these loops must not block waiting for
/// another event-loop job; node code awaits instead. `sleep(until:)` behaves as
/// `Task.sleep(until:clock: .continuous)` either way: it returns at or after the instant and
/// throws `CancellationError` when its task is cancelled first.
public enum NodeExecutor {
    /// The environment variable that puts the jobs on the loops when it is `loops`.
    public static let variable = "FABNET_NODE_EXECUTOR"
    /// NIO's own variable for its singleton group's loop count, which `install` leaves alone.
    public static let loopCountVariable = "NIO_SINGLETON_GROUP_LOOP_COUNT"

    private static let installed = Atomic<Bool>(false)

    /// Whether the event loops run this process's jobs and timers.
    public static var isInstalled: Bool { installed.load(ordering: .relaxed) }

    /// What a node logs at start: where its jobs and timers run.
    public static var summary: String {
        isInstalled ? "Swift concurrency runs on NIO's \(NIOSingletons.groupLoopCountSuggestion) event loops (\(variable)=loops)"
                    : "Swift concurrency runs on Swift's own pool (\(variable)=loops puts it on NIO's event loops)"
    }

    /// The loops a node process asks NIO for: at least 4 (see the type's comment), else one per
    /// core; nil when `NIO_SINGLETON_GROUP_LOOP_COUNT` says how many.
    public static func loopCount(cores: Int, environment: [String: String]) -> Int? {
        environment[loopCountVariable] == nil ? max(4, cores) : nil
    }

    /// Installs the event loops as the global executor when `environment` says `loops`; call it
    /// once, first thing in a node process, before anything uses NIO's singletons. Returns
    /// whether they run the jobs now.
    @discardableResult
    public static func install(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard environment[variable] == "loops", installed.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else {
            return false
        }
        if let loops = loopCount(cores: System.coreCount, environment: environment) { NIOSingletons.groupLoopCountSuggestion = loops }
        // What NIO's `unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()`
        // does, on an address the linker resolves (NIO's `dlsym` finds nothing in a binary linked
        // with --static-swift-stdlib): the hook is a thin Swift function taking the job and the
        // original enqueue, stored where the runtime reads it.
        typealias EnqueueGlobalHook = @convention(thin) (UnownedJob, @convention(thin) (UnownedJob) -> Void) -> Void
        let hook = fabnet_swift_task_enqueueGlobal_hook_address().assumingMemoryBound(to: UnsafeRawPointer?.self)
        withUnsafeTemporaryAllocation(of: EnqueueGlobalHook.self, capacity: 1) { enqueue in
            // `any()` is sticky: a job enqueued from an event loop of the group stays on it.
            enqueue.baseAddress!.initialize(to: { job, _ in MultiThreadedEventLoopGroup.singleton.any().executor.enqueue(job) })
            enqueue.baseAddress!.withMemoryRebound(to: UnsafeRawPointer.self, capacity: 1) { hook.pointee = $0.pointee }
        }
        return true
    }

    /// Where work meant for every core goes (a block's signature checks in chunks): each new
    /// job to the next loop in turn, as a task executor preference (`addTask(executorPreference:)`);
    /// nil (Swift's pool, which spreads by itself) unless installed. Without it the loops' stickiness
    /// ran such a task group's children one after the other on the loop that started them.
    public static var spreading: (any TaskExecutor)? { isInstalled ? LoopSpreadingExecutor.shared : nil }

    /// Returns at or after `instant`; on an event loop's timer queue once installed, else `Task.sleep`.
    public static func sleep(until instant: ContinuousClock.Instant) async throws {
        guard isInstalled else { return try await Task.sleep(until: instant, clock: .continuous) }
        try await sleep(until: instant, on: MultiThreadedEventLoopGroup.singleton.any())
    }

    /// Returns at or after `instant`, resumed by an entry on `loop`'s timer queue; throws
    /// `CancellationError` (and removes the entry) when the task is cancelled first.
    public static func sleep(until instant: ContinuousClock.Instant, on loop: any EventLoop) async throws {
        try Task.checkCancellation()
        let delay = instant - .now
        guard delay > .zero else { return }
        // Rounded up: a timer never fires before `instant`.
        let nanoseconds = delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000 + 1
        let timer = LoopTimer()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                timer.start(on: loop, in: .nanoseconds(nanoseconds), continuation)
            }
        } onCancel: {
            timer.cancel()
        }
    }
}

/// A task executor that hands each job to the next loop of NIO's singleton group in turn.
/// Guarantees: every job runs on a loop of the group, as a job of this executor (so a task that
/// prefers it comes back to it after each suspension).
private final class LoopSpreadingExecutor: TaskExecutor {
    static let shared = LoopSpreadingExecutor()

    func enqueue(_ job: UnownedJob) {
        let executor = asUnownedTaskExecutor()
        MultiThreadedEventLoopGroup.singleton.next().execute { job.runSynchronously(on: executor) }
    }
}

/// One sleep's entry on an event loop's timer queue, cancellable from any thread: a cancel that
/// comes before the entry is made resumes the sleeper at once, one that comes after removes the
/// entry too. Guarantees: the continuation is resumed exactly once, by whichever of the timer and
/// the cancel comes first.
private final class LoopTimer: Sendable {
    private enum State {
        case idle
        case waiting(CheckedContinuation<Void, any Error>)
        case scheduled(Scheduled<Void>, CheckedContinuation<Void, any Error>)
        case cancelled
        case done
    }

    private let state = Mutex<State>(.idle)

    func start(on loop: any EventLoop, in delay: TimeAmount, _ continuation: CheckedContinuation<Void, any Error>) {
        let cancelledFirst = state.withLock { state -> Bool in
            guard case .idle = state else { return true }
            state = .waiting(continuation)
            return false
        }
        if cancelledFirst { return continuation.resume(throwing: CancellationError()) }
        let scheduled = loop.scheduleTask(in: delay) { [self] () -> Void in
            take()?.resume()
        }
        let finished = state.withLock { state -> Bool in
            guard case let .waiting(continuation) = state else { return true }
            state = .scheduled(scheduled, continuation)
            return false
        }
        if finished { scheduled.cancel() }  // cancelled meanwhile (or already fired: then a no-op)
    }

    func cancel() {
        let wasIdle = state.withLock { state -> Bool in
            guard case .idle = state else { return false }
            state = .cancelled
            return true
        }
        guard !wasIdle else { return }
        take(cancelling: true)?.resume(throwing: CancellationError())
    }

    /// The waiting continuation, once: the state becomes `done` (and the entry is removed when `cancelling`).
    private func take(cancelling: Bool = false) -> CheckedContinuation<Void, any Error>? {
        let (scheduled, continuation): (Scheduled<Void>?, CheckedContinuation<Void, any Error>?) = state.withLock { state in
            switch state {
            case let .waiting(continuation):
                state = .done
                return (nil, continuation)
            case let .scheduled(scheduled, continuation):
                state = .done
                return (scheduled, continuation)
            case .idle, .cancelled, .done:
                return (nil, nil)
            }
        }
        if cancelling { scheduled?.cancel() }
        return continuation
    }
}
