import FabnetConfig
import FabnetCrypto
import FabnetTestKit
import Foundation

/// A state folder as `fabnet up` leaves it before it spawns anything: the default network's
/// crypto material, a `network.json` with every node's ports (no processes) and the connection
/// profiles, in a temporary folder whose name has a space and a quote (so paths must be quoted).
///
/// Guarantees: nothing is started, so nothing needs stopping; `remove()` deletes the folder.
struct PreparedState {
    let root: URL
    let state: NetworkState
    let crypto: URL
    let spec: NetworkSpec
    let manifest: NetworkState.Manifest

    /// gRPC ports are `grpcBase`, `grpcBase + 1` … in the order of `spec.nodes` (orderer first).
    init(grpcBase: Int = 27_051) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet profiles 'x' \(UUID().uuidString.prefix(6))")
        state = NetworkState(directory: root.appendingPathComponent("state"))
        crypto = root.appendingPathComponent("crypto")
        spec = try NetworkLoader.load(file: nil, cryptoConfigFiles: [], discoverCryptoConfig: false).spec
        _ = try CryptoMaterialGenerator(output: crypto).generate(spec)
        let nodes: [[String: Any]] = spec.nodes.enumerated().map { index, node in
            ["name": node.commonName, "role": node.role == .orderer ? "orderer" : "peer", "mspID": node.mspID, "host": node.commonName,
             "port": grpcBase + 100 + index, "grpcPort": grpcBase + index, "operationsPort": grpcBase + 200 + index]
        }
        let json: [String: Any] = ["format": 2, "source": spec.source, "descriptionDigest": "", "cryptoDirectory": crypto.path,
                                   "basePort": grpcBase, "describedGRPCPorts": false, "channels": spec.channels.map(\.name), "nodes": nodes]
        manifest = try JSONDecoder().decode(NetworkState.Manifest.self, from: JSONSerialization.data(withJSONObject: json))
        try state.save(manifest)
        var created: CreatedPaths? = CreatedPaths()
        try ConnectionProfiles(state: state).write(spec: spec, manifest: manifest, layout: CryptoLayout(root: crypto), created: &created)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    /// `fabnet ARGUMENTS --state <this state folder>`.
    func cli(_ arguments: [String]) async throws -> CommandResult {
        try await runFabnet(arguments + ["--state", state.directory.path])
    }
}
