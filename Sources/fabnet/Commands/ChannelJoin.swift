import ArgumentParser
import FabnetWire
import Foundation

/// `fabnet channel join`: have a peer join a channel the orderer serves.
struct ChannelJoin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join",
        abstract: "Have a peer join a channel: fetch its block 0 from the orderer and hand it to the peer (as the peer org's Admin).",
        discussion: """
        The peer's org must be a member of the channel. Joining a channel the peer is in is not an error. (`fabnet up` joins every member peer for you.)

        Examples:
          fabnet channel join mychannel --peer peer0.org1
          fabnet channel join mychannel --peer peer1.org2 --state /tmp/net-b
        """
    )

    @Argument(help: "The channel.") var name: String
    @OptionGroup var target: PeerOptions

    func run() async throws {
        try await Console.reportingErrors {
            let (node, admin, clients) = try target.client()
            guard let orderer = clients.orderer else { throw ValidationError("the network has no orderer") }
            let (blocks, _, info) = try await clients.client(of: orderer, as: node.mspID).blocks(channel: name, start: .number(0), stop: .number(0))
            guard let genesis = blocks.first else { throw ValidationError("the orderer has no block 0 of \(name): \(info)") }
            var join = WireJoinChannel()
            join.genesisBlock = try genesis.serializedBytes()
            let response = try await admin.admin(.joinChannel(join))
            guard response.status == .success else { throw ValidationError("\(node.name) refused: \(response.info)") }
            print("\(node.name): \(response.info)")
        }
    }
}
