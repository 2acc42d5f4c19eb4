import Foundation

/// Every child process this process spawned with `ChildProcess`, and a gate that, once closed,
/// refuses new ones.
///
/// Guarantees: after `close()` returns, no `ChildProcess` can start in this process, and
/// `close()` returns every pid spawned before (it waits for spawns under way to be recorded),
/// so a signal handler that stops a benchmark stops every node it started, even one spawned
/// a moment ago and not yet written to `network.json`. Spawns run concurrently: a spawn blocks
/// its thread until the child runs `exec` (glibc's vfork), about 60 ms each when 100 starting
/// nodes keep the cores busy, and one at a time made starting 100 nodes take 6 s.
public enum SpawnGate {
    /// Guards `open`, `inFlight` and `spawned`; signalled when a spawn under way ends.
    private static let condition = NSCondition()
    nonisolated(unsafe) private static var open = true
    nonisolated(unsafe) private static var inFlight = 0
    nonisolated(unsafe) private static var spawned: [pid_t] = []

    /// Runs `spawn` and records its pid. Once the gate is closed the caller's thread is parked
    /// for good instead: the process is being ended by whoever closed it (a benchmark's signal
    /// handler), and the caller must neither start a node nor end the process first with an
    /// error of its own.
    static func spawn(_ spawn: () throws -> pid_t) throws -> pid_t {
        condition.lock()
        guard open else {
            condition.unlock()
            DispatchSemaphore(value: 0).wait()  // never signalled: the process exits meanwhile
            fatalError("unreachable: the process ends while the spawn gate is closed")
        }
        inFlight += 1
        condition.unlock()
        defer {
            condition.lock()
            inFlight -= 1
            condition.broadcast()
            condition.unlock()
        }
        let pid = try spawn()
        condition.lock()
        spawned.append(pid)
        condition.unlock()
        return pid
    }

    /// Closes the gate; returns the pids spawned so far, once spawns under way are recorded.
    public static func close() -> [pid_t] {
        condition.lock()
        defer { condition.unlock() }
        open = false
        while inFlight > 0 { condition.wait() }
        return spawned
    }
}
