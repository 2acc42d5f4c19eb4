import ArgumentParser
import FabnetWire
import Foundation

/// `fabnet channel list`: the channels a peer has joined.
struct ChannelList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the channels a peer has joined (as `peer channel list`).",
        discussion: """
        Examples:
          fabnet channel list --peer peer0.org1
          fabnet channel list --peer peer1.org2.example.com --state /tmp/net-b
        """
    )

    @OptionGroup var target: PeerOptions

    func run() async throws {
        try await Console.reportingErrors {
            let (node, admin, _) = try target.client()
            let response = try await admin.admin(.listChannels(WireListChannels()))
            guard response.status == .success else { throw ValidationError("\(node.name) refused: \(response.info)") }
            print("Channels peers has joined:")
            for channel in response.channels { print(channel.name) }
        }
    }
}
