import Foundation

/// `fabnet down` as a library: SIGTERM every node the manifest records, wait, SIGKILL what is
/// left after `timeout`. Idempotent: nodes already gone are skipped.
public struct NetworkStopper: Sendable {
    public let state: NetworkState

    public init(state: NetworkState) { self.state = state }

    /// Stops every node of `manifest` with `signal` (SIGKILL to crash them); returns the names
    /// of those that needed SIGKILL after `timeout`.
    @discardableResult
    public func stop(_ manifest: NetworkState.Manifest, signal: Int32 = SIGTERM, timeout: Double = 10) -> [String] {
        let running = manifest.nodes.filter(state.isRunning)
        // SIGCONT first: a node paused by `fabnet fault pause` would not see SIGTERM until then.
        for node in running { if let pid = node.pid { kill(pid, SIGCONT); kill(pid, signal) } }
        let deadline = Date().addingTimeInterval(timeout)
        var left = running
        while !left.isEmpty, Date() < deadline {
            left.removeAll { node in
                guard let pid = node.pid else { return true }
                var status: Int32 = 0
                _ = waitpid(pid, &status, WNOHANG)  // reaps our own children; others are reaped by init
                return !state.isRunning(node)
            }
            if !left.isEmpty { usleep(10_000) }
        }
        for node in left { if let pid = node.pid { kill(pid, SIGKILL); var status: Int32 = 0; waitpid(pid, &status, 0) } }
        return left.map(\.name)
    }
}
