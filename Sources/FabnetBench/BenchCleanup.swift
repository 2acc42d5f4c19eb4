import Foundation
import Orchestrator
import Synchronization

/// Stops a benchmark's networks and removes their folders when the benchmark is ended by a
/// signal (Ctrl-C, SIGTERM, SIGHUP), then exits with 128 + the signal's number.
///
/// Guarantees: once `watchSignals()` ran, a folder passed to `register` does not outlive the
/// process by a signal, and neither do the nodes whose pids its state folders record (a
/// killed bench left 17 node processes running and its folder in /tmp). `FABNET_BENCH_KEEP`
/// keeps the folders, as it does at a normal end. SIGKILL cannot be caught: nothing can clean
/// up after it.
public enum BenchCleanup {
    private static let roots = Mutex<[URL]>([])
    private static let watcher = Mutex<SignalWatcher?>(nil)
    private static let signalled = Atomic<Int32>(0)
    private static let cleanedUp = DispatchSemaphore(value: 0)

    /// A folder holding a benchmark's networks (its state folders hold `network.json`).
    public static func register(_ root: URL) { roots.withLock { $0.append(root) } }

    /// `root` was cleaned up by its owner.
    public static func unregister(_ root: URL) { roots.withLock { $0.removeAll { $0 == root } } }

    /// From now on, SIGINT, SIGTERM and SIGHUP stop every registered network and exit with
    /// 128 + the signal. The benchmark's own thread, failing meanwhile because its nodes go,
    /// may reach `exit` first: it then waits for the clean-up and exits the same way.
    public static func watchSignals() {
        watcher.withLock { watcher in
            guard watcher == nil else { return }
            atexit {
                let number = BenchCleanup.signalled.load(ordering: .acquiring)
                guard number != 0 else { return }
                BenchCleanup.cleanedUp.wait()
                _exit(128 + number)
            }
            watcher = SignalWatcher([SIGINT, SIGTERM, SIGHUP]) { number in
                guard signalled.compareExchange(expected: 0, desired: number, ordering: .acquiringAndReleasing).exchanged else { return }
                cleanUp()
                cleanedUp.signal()
                _exit(128 + number)
            }
        }
    }

    /// Stops every node this process started (no new one can start from now on: `SpawnGate`)
    /// and those the state folders under the registered roots record, then removes the roots.
    public static func cleanUp() {
        let keep = ProcessInfo.processInfo.environment["FABNET_BENCH_KEEP"] != nil
        let spawned = SpawnGate.close()
        for pid in spawned { kill(pid, SIGTERM) }
        for root in roots.withLock({ $0 }) {
            for stateDirectory in stateDirectories(under: root) {
                let state = NetworkState(directory: stateDirectory)
                if let manifest = try? state.load() { NetworkStopper(state: state).stop(manifest, timeout: 3) }
            }
        }
        // Our own children: reaped here, SIGKILL for any still there after the stop above.
        for pid in spawned {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == 0 { kill(pid, SIGKILL); waitpid(pid, &status, 0) }
        }
        guard !keep else { return }
        // The benchmark's own thread may still be writing into a root (no node starts any more,
        // but files do): removal is tried again until the folder is gone.
        for root in roots.withLock({ $0 }) {
            for _ in 0..<100 where FileManager.default.fileExists(atPath: root.path) {
                try? FileManager.default.removeItem(at: root)
            }
        }
    }

    static func stateDirectories(under root: URL) -> [URL] {
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        var found: [URL] = []
        for case let url as URL in enumerator where url.lastPathComponent == NetworkState.manifestName {
            found.append(url.deletingLastPathComponent())
        }
        return found
    }
}
