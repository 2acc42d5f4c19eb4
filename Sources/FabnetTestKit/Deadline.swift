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
    return try await withCheckedThrowingContinuation { continuation in
        let work = Task {
            do { outcome.deliver(.success(try await operation()), to: continuation) } catch { outcome.deliver(.failure(error), to: continuation) }
        }
        let timer = Task {
            try await Task.sleep(for: .seconds(seconds)) // deadline guard
            if outcome.deliver(.failure(DeadlineExceeded(seconds: seconds, what: what)), to: continuation) { work.cancel() }
        }
        outcome.onFinish { timer.cancel() }
    }
}

/// Resumes a continuation with whichever result comes first.
private final class FirstOutcome<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    private var finished: [@Sendable () -> Void] = []

    @discardableResult
    func deliver(_ result: Result<T, any Error>, to continuation: CheckedContinuation<T, any Error>) -> Bool {
        lock.lock()
        guard !done else { lock.unlock(); return false }
        done = true
        let callbacks = finished
        lock.unlock()
        continuation.resume(with: result)
        callbacks.forEach { $0() }
        return true
    }

    func onFinish(_ callback: @escaping @Sendable () -> Void) {
        lock.lock()
        if done { lock.unlock(); callback(); return }
        finished.append(callback)
        lock.unlock()
    }
}
