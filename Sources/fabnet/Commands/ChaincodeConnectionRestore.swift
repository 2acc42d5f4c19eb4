import FabnetCrypto
import Foundation
import Orchestrator

/// What `fabnet start` and `restart` do for a peer once it is healthy: give it the chaincode
/// connections deployed while it was stopped (a no-op when none was ever deployed).
enum ChaincodeConnectionRestore {
    static func restore(to node: NetworkState.Node, manifest: NetworkState.Manifest, state: NetworkState) async throws {
        guard node.role == "peer", !(try ChaincodeConnectionRecord(state: state).all().isEmpty) else { return }
        let spec = try NetworkOptions.parse([]).load(for: manifest).spec
        let clients = NodeClients(spec: spec, layout: CryptoLayout(root: URL(fileURLWithPath: manifest.cryptoDirectory)), manifest: manifest)
        let given = try await ChaincodeDeployment(clients: clients, state: state).restoreConnections(of: node)
        if !given.isEmpty { print("\(node.name) reaches chaincode \(given.joined(separator: ", "))") }
    }
}
