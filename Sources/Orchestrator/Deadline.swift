import Foundation

/// Thrown when an awaited condition does not come true in time.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public let seconds: Double
    public let what: String
    public var description: String { "\(what) did not happen within \(seconds)s" }

    public init(seconds: Double, what: String) {
        self.seconds = seconds
        self.what = what
    }
}

/// Runs `operation`, failing with `DeadlineExceeded` if it has not finished after `seconds`.
///
/// Returns at the deadline even when `operation` ignores cancellation (it is cancelled and left
/// to finish on its own). For tests and shutdown paths: it bounds a wait on a condition; it is
/// not itself a way to wait.
public func withDeadline<T: Sendable>(
    seconds: Double = 10, _ what: String = "operation", _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let outcome = FirstOutcome<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            outcome.attach(continuation)
            let work = Task {
                do { outcome.deliver(.success(try await operation())) } catch { outcome.deliver(.failure(error)) }
            }
            let timer = Task {
                try await Task.sleep(for: .seconds(seconds)) // deadline guard
                outcome.deliver(.failure(DeadlineExceeded(seconds: seconds, what: what)))
            }
            outcome.onFinish {
                timer.cancel()
                work.cancel()
            }
        }
    } onCancel: {
        outcome.deliver(.failure(CancellationError()))
    }
}

/// Resumes a continuation with whichever result comes first (a result may come before the
/// continuation is attached, e.g. a cancellation; it is kept until then).
private final class FirstOutcome<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var result: Result<T, any Error>?
    private var resumed = false
    private var finished: [@Sendable () -> Void] = []

    func attach(_ continuation: CheckedContinuation<T, any Error>) {
        lock.lock()
        self.continuation = continuation
        lock.unlock()
        resumeIfReady()
    }

    func deliver(_ result: Result<T, any Error>) {
        lock.lock()
        if self.result == nil { self.result = result }
        lock.unlock()
        resumeIfReady()
    }

    func onFinish(_ callback: @escaping @Sendable () -> Void) {
        lock.lock()
        if resumed { lock.unlock(); callback(); return }
        finished.append(callback)
        lock.unlock()
    }

    private func resumeIfReady() {
        lock.lock()
        guard !resumed, let continuation, let result else { lock.unlock(); return }
        resumed = true
        let callbacks = finished
        finished = []
        lock.unlock()
        continuation.resume(with: result)
        callbacks.forEach { $0() }
    }
}
