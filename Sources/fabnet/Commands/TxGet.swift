import ArgumentParser
import FabnetWire
import Foundation

/// `fabnet tx get`: a key's value in a peer's world state.
struct TxGet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Read KEY from a peer's world state in a channel; prints the value (exit 1 if the key is absent).",
        discussion: """
        Asks the peer as its org's Admin. Different peers may briefly differ while a block spreads.

        Examples:
          fabnet tx get greeting -c mychannel --peer peer0.org1
          fabnet tx get greeting -c mychannel --peer peer1.org2 --state /tmp/net-b
        """
    )

    @Argument var key: String
    @Option(name: [.customShort("c"), .customLong("channel")], help: "The channel.") var channel: String
    @OptionGroup var target: PeerOptions

    func run() async throws {
        try await Console.reportingErrors {
            let (node, admin, _) = try target.client()
            var query = WireQueryState()
            query.channel = channel
            query.key = key
            let response = try await admin.admin(.queryState(query))
            guard response.status == .success else { throw ValidationError("\(node.name): \(response.info)") }
            guard response.found else { throw ValidationError("\(key) is not in \(node.name)'s world state of \(channel)") }
            print(String(decoding: response.value, as: UTF8.self))
        }
    }
}
