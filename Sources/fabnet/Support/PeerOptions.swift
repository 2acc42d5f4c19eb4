import ArgumentParser
import FabnetCrypto
import FabnetClient
import Foundation
import Orchestrator

/// Flags of commands that ask one peer of the running network something, as its org's Admin.
struct PeerOptions: ParsableArguments {
    @OptionGroup var network: NetworkOptions
    @OptionGroup var stateOptions: StateOptions

    @Option(help: ArgumentHelp("The peer: its name or the start of it (peer0.org1).", valueName: "PEER"))
    var peer: String

    /// The peer's node, an admin client of it, and the clients of the whole network.
    func client() throws -> (node: NetworkState.Node, admin: OrdererClient, clients: NodeClients) {
        let manifest = try stateOptions.manifest()
        let node = try NodeControl(state: stateOptions.network, executable: UpCommand.executable()).node(peer, in: manifest)
        guard node.role == "peer" else { throw ValidationError("\(node.name) is not a peer") }
        let spec = try network.load(for: manifest).spec
        let clients = NodeClients(spec: spec, layout: CryptoLayout(root: URL(fileURLWithPath: manifest.cryptoDirectory)), manifest: manifest)
        return (node, try clients.client(of: node), clients)
    }
}
