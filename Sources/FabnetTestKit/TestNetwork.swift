@_exported import Orchestrator
import FabnetConfig
import FabnetClient
import FabnetCrypto
import FabnetWire
import Foundation

/// A whole network of real processes for integration tests: started from a description in a
/// temporary folder on a free block of ports, with helpers to submit transactions, read peers'
/// status, wait for conditions, kill and restart nodes.
///
/// Guarantees: `down()` (also run by `deinit`) stops every process it started, with SIGKILL if
/// SIGTERM is not enough; `logTails()` gives each node's last log lines for a failure message.
public final class TestNetwork: @unchecked Sendable {
    public let spec: NetworkSpec
    public let state: NetworkState
    public let root: URL
    public let executable: String
    public private(set) var manifest: NetworkState.Manifest
    public let clients: NodeClients
    private let lock = NSLock()
    private var stopped = false

    /// Starts the network of `file` (default: the embedded default network) and waits until
    /// it is ready (`NetworkLauncher`'s conditions).
    public init(file: URL? = nil, executable: String, timeout: Double = 60) async throws {
        spec = try NetworkLoader.load(file: file, cryptoConfigFiles: [], discoverCryptoConfig: file != nil).spec
        root = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-test-\(UUID().uuidString.prefix(8))")
        state = NetworkState(directory: root.appendingPathComponent("state"))
        self.executable = executable
        let basePort = try freePortBlock(count: NetworkLauncher.portCount(peers: spec.peers.count))
        let launcher = NetworkLauncher(spec: spec, options: .init(
            stateDirectory: state.directory, cryptoDirectory: root.appendingPathComponent("crypto-config"),
            basePort: basePort, timeout: timeout, executable: executable, durability: "buffered"))
        manifest = try await launcher.up()
        clients = NodeClients(spec: spec, layout: CryptoLayout(root: root.appendingPathComponent("crypto-config")), manifest: manifest)
    }

    deinit { down() }

    public var peers: [NetworkState.Node] { manifest.nodes.filter { $0.role == "peer" } }
    public var orderer: NetworkState.Node { manifest.nodes.first { $0.role == "orderer" }! }
    public func node(_ name: String) -> NetworkState.Node? { manifest.nodes.first { $0.name == name } }

    /// Stops every node (SIGTERM, then SIGKILL after `timeout`) and removes the folder.
    public func down(timeout: Double = 10) {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        // The state folder's pids: a node restarted by the CLI has a new one.
        NetworkStopper(state: state).stop((try? state.load()) ?? manifest, timeout: timeout)
        try? FileManager.default.removeItem(at: root)
    }

    /// Submits `key = value` to `channel` as the first application org's client; returns the tx id.
    public func put(_ key: String, _ value: String, channel: String = "mychannel") async throws -> String {
        return try await put(Array(repeating: (key, value), count: 1), channel: channel)[0]
    }

    /// Submits many `key = value` writes (one transaction each) over one connection; returns the tx ids.
    public func put(_ writes: [(key: String, value: String)], channel: String = "mychannel") async throws -> [String] {
        guard let org = spec.organizations.first(where: { !$0.peers.isEmpty }) else { throw OrchestratorError.state("no application org") }
        let client = try clients.client(of: orderer, as: org.mspID, role: .client)
        let made = try writes.map { try TransactionBuilder.make(channel: channel, writes: [($0.key, Data($0.value.utf8))], creator: client.signer) }
        let responses = try await client.broadcast(made.map(\.envelope))
        if let refused = responses.first(where: { $0.status != .success }) { throw OrchestratorError.state("broadcast refused: \(refused.info)") }
        return made.map(\.txID)
    }

    /// A peer's status (channels, heights, leadership, membership).
    public func status(of peer: NetworkState.Node) async throws -> WireAdminResponse { try await clients.status(of: peer) }

    /// The value of `key` in a peer's world state.
    public func query(_ key: String, channel: String = "mychannel", on peer: NetworkState.Node) async throws -> String? {
        var query = WireQueryState()
        query.channel = channel
        query.key = key
        let response = try await clients.client(of: peer).admin(.queryState(query))
        return response.found ? String(decoding: response.value, as: UTF8.self) : nil
    }

    var control: NodeControl { NodeControl(state: state, executable: executable) }

    /// Sends `signal` to a node (SIGKILL for crash tests, SIGTERM for a graceful stop) and waits until it is gone.
    public func kill(_ node: NetworkState.Node, signal: Int32 = SIGKILL) async throws {
        let manifest = lock.withLock { self.manifest }
        try control.stop(node, in: manifest, signal: signal, timeout: 15)
    }

    /// Starts a stopped node again from its home (it keeps its ledger) and waits for its health.
    public func start(_ node: NetworkState.Node) async throws {
        let current = lock.withLock { manifest }
        let updated = try control.start(node, in: current)
        lock.withLock { manifest = updated }
        try await control.waitHealthy(updated.nodes.first { $0.name == node.name } ?? node)
    }

    /// Each node's last `lines` log lines, for failure messages.
    public func logTails(lines: Int = 15) -> String {
        manifest.nodes.map { "--- \($0.name) ---\n" + state.logTail(of: $0.name, lines: lines) }.joined(separator: "\n")
    }
}
