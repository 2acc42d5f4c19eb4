import Foundation
import Synchronization

/// Every child process this process spawned with `ChildProcess`, and a gate that, once closed,
/// refuses new ones.
///
/// Guarantees: after `close()` returns, no `ChildProcess` can start in this process, and
/// `close()` returns every pid spawned before (spawning and recording happen under one lock),
/// so a signal handler that stops a benchmark stops every node it started, even one spawned
/// a moment ago and not yet written to `network.json`.
public enum SpawnGate {
    private static let state = Mutex((open: true, spawned: [pid_t]()))

    /// Runs `spawn` and records its pid. Once the gate is closed the caller's thread is parked
    /// for good instead: the process is being ended by whoever closed it (a benchmark's signal
    /// handler), and the caller must neither start a node nor end the process first with an
    /// error of its own.
    static func spawn(_ spawn: () throws -> pid_t) throws -> pid_t {
        let pid = try state.withLock { state -> pid_t? in
            guard state.open else { return nil }
            let pid = try spawn()
            state.spawned.append(pid)
            return pid
        }
        guard let pid else {
            DispatchSemaphore(value: 0).wait()  // never signalled: the process exits meanwhile
            fatalError("unreachable: the process ends while the spawn gate is closed")
        }
        return pid
    }

    /// Closes the gate; returns the pids spawned so far.
    public static func close() -> [pid_t] {
        state.withLock { state in
            state.open = false
            return state.spawned
        }
    }
}
