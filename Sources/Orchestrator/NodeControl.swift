import Foundation
import OperationsEndpoint

/// Starts and stops single nodes of a network `fabnet up` made (`fabnet start|stop|restart|kill
/// NODE`, and fault tests).
///
/// Guarantees: a node is started from its home, so it keeps its ledger and catches up; its new
/// pid is written to `network.json` before the call returns; starting a running node and
/// stopping a stopped one are errors that say so.
public struct NodeControl: Sendable {
    public let state: NetworkState
    /// The `fabnet` executable nodes run as.
    public let executable: String

    public init(state: NetworkState, executable: String) {
        self.state = state
        self.executable = executable
    }

    /// The node named `name` (its certificate name or its short host name, e.g. `peer0.org1`).
    public func node(_ name: String, in manifest: NetworkState.Manifest) throws -> NetworkState.Node {
        if let node = manifest.nodes.first(where: { $0.name == name }) { return node }
        let matches = manifest.nodes.filter { $0.name.hasPrefix(name + ".") }
        if matches.count == 1 { return matches[0] }
        let names = (matches.isEmpty ? manifest.nodes : matches).map(\.name).joined(separator: ", ")
        throw OrchestratorError.state(matches.isEmpty ? "no node \(name) in \(state.directory.path) (nodes: \(names))"
                                                      : "\(name) could be any of \(names); name one")
    }

    /// Spawns `node` from its home; returns the manifest with its new pid.
    @discardableResult
    public func start(_ node: NetworkState.Node, in manifest: NetworkState.Manifest) throws -> NetworkState.Manifest {
        guard !state.isRunning(node) else { throw OrchestratorError.state("\(node.name) already runs (pid \(node.pid ?? 0))") }
        let process = try ChildProcess(executable: executable, arguments: [node.role, "start", "--home", state.home(of: node.name).path],
                                       logFile: state.logFile(of: node.name), newProcessGroup: true, truncateLog: false,
                                       environment: NodeExecutorChoice.environment(nodes: manifest.nodes.count))
        process.detach()
        var manifest = manifest
        if let index = manifest.nodes.firstIndex(where: { $0.name == node.name }) { manifest.nodes[index].record(process.pid) }
        try state.save(manifest)
        return manifest
    }

    /// Sends `signal` (SIGTERM: graceful stop; SIGKILL: crash) and waits up to `timeout` for the
    /// node to exit, then SIGKILLs it. Returns whether SIGKILL was needed after a SIGTERM.
    @discardableResult
    public func stop(_ node: NetworkState.Node, in manifest: NetworkState.Manifest, signal: Int32 = SIGTERM, timeout: Double = 10) throws -> Bool {
        guard state.isRunning(node) else { throw OrchestratorError.state("\(node.name) is not running") }
        var single = manifest
        single.nodes = [node]
        return !NetworkStopper(state: state).stop(single, signal: signal, timeout: timeout).isEmpty
    }

    /// Waits until `node`'s `/healthz` answers OK; throws `NodeExitError` as soon as its process
    /// exits (with the reason and the fix), or `DeadlineExceeded` after `timeout` seconds.
    public func waitHealthy(_ node: NetworkState.Node, timeout: Double = 15) async throws {
        let state = state
        try await eventually(seconds: timeout, "\(node.name) healthy") {
            if (try? await HTTPProbe.get(port: node.operationsPort, path: "/healthz", timeout: 1))?.status == 200 { return true }
            guard state.isRunning(node) else { throw NodeExitError(exit: NodeExit.of(node, state: state)) }
            return false
        }
    }
}

/// A node's process exited while it was awaited.
public struct NodeExitError: Error, CustomStringConvertible {
    public let exit: NodeExit
    public var description: String { exit.description }
}
