import Foundation

/// Runs `work` on a thread of its own and awaits its result. CPU-bound simulations must not hold
/// one of the test runner's cooperative threads (two on a 2-core machine): the process and TLS
/// tests that share them would miss their deadlines. The OS time-slices this thread instead.
func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: work()) }.start()
    }
}
