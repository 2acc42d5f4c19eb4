import FabnetConfig
import FabnetClient
import FabnetCrypto
import Foundation
import Orchestrator

/// A network a benchmark runs: launched with `fabnet up`'s launcher in its own temporary folder
/// on a free block of ports (ledgers OS-buffered), with clients for its nodes.
///
/// Guarantees: `stop()` stops every node it started (by the pids in its state folder) and
/// removes the folder; `start` stops what it started when the launch fails; a signal that ends
/// the benchmark does both (`BenchCleanup`).
public struct BenchNetwork: Sendable {
    public let spec: NetworkSpec
    public let launcher: NetworkLauncher
    /// The nodes with their current pids (a bench that restarts a node stores the new manifest).
    public var manifest: NetworkState.Manifest
    public let clients: NodeClients
    let root: URL

    /// Launches `spec` in a folder named after `name`; `configure` adjusts the launch options
    /// (per-peer core.yaml, leader counts).
    public static func start(_ spec: NetworkSpec, name: String, timeout: Double, executable: String,
                             configure: (inout NetworkLauncher.Options) -> Void = { _ in }) async throws -> BenchNetwork {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-bench-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: root)
        BenchCleanup.register(root)
        BenchCleanup.watchSignals()
        var options = NetworkLauncher.Options(
            stateDirectory: root.appendingPathComponent("state"), cryptoDirectory: root.appendingPathComponent("crypto-config"),
            basePort: try freePortBlock(count: NetworkLauncher.portCount(peers: spec.peers.count)), timeout: timeout, executable: executable,
            durability: "buffered")
        configure(&options)
        let launcher = NetworkLauncher(spec: spec, options: options)
        do {
            let manifest = try await launcher.up()
            let clients = NodeClients(spec: spec, layout: CryptoLayout(root: options.cryptoDirectory), manifest: manifest)
            return BenchNetwork(spec: spec, launcher: launcher, manifest: manifest, clients: clients, root: root)
        } catch {
            if let manifest = try? launcher.state.load() { _ = NetworkStopper(state: launcher.state).stop(manifest) }
            if ProcessInfo.processInfo.environment["FABNET_BENCH_KEEP"] == nil { try? FileManager.default.removeItem(at: root) }
            BenchCleanup.unregister(root)
            throw error
        }
    }

    /// Stops every node (the pids recorded in the state folder) and removes the folder, unless
    /// `keep` or `FABNET_BENCH_KEEP` is set (then its logs and ledgers stay for a look).
    public func stop(keep: Bool = false) {
        _ = NetworkStopper(state: launcher.state).stop((try? launcher.state.load()) ?? manifest)
        if !keep, ProcessInfo.processInfo.environment["FABNET_BENCH_KEEP"] == nil { try? FileManager.default.removeItem(at: root) }
        BenchCleanup.unregister(root)
    }

    /// The folder the network runs in (its state under `state/`).
    public var folder: String { root.path }

    public var orderer: NetworkState.Node {
        get throws {
            guard let orderer = clients.orderer else { throw OrchestratorError.state("the bench network has no orderer") }
            return orderer
        }
    }

    /// `channel`'s ledger height at each of `peers` from their `/metrics` (0 when unreachable).
    public static func heights(of peers: [NetworkState.Node], channel: String) async -> [Double] {
        let sample = #"fabnet_ledger_height{channel="\#(channel)"}"#
        var heights: [Double] = []
        for peer in peers { heights.append((try? await MetricsText.fetch(port: peer.operationsPort))?[sample] ?? 0) }
        return heights
    }

    /// Waits until every one of `peers` holds `height` blocks of `channel`, reporting progress;
    /// throws after `timeout` seconds naming the heights reached.
    public static func waitForHeight(_ height: Int, of peers: [NetworkState.Node], channel: String, timeout: Double, poll: Duration = .milliseconds(50),
                                     progress: (_ heights: [Double]) -> Void) async throws {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while true {
            let heights = await heights(of: peers, channel: channel)
            if heights.allSatisfy({ $0 >= Double(height) }) { return }
            progress(heights)
            guard ContinuousClock.now < deadline else {
                throw OrchestratorError.timeout("after \(timeout) s the peers \(peers.map(\.name).joined(separator: ", ")) hold \(heights.map { Int($0) }) blocks of \(channel), not \(height)")
            }
            try await Task.sleep(for: poll)
        }
    }
}
