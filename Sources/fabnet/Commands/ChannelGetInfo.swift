import ArgumentParser
import FabnetWire
import Foundation

/// `fabnet channel getinfo`: a peer's height and hashes in one channel.
struct ChannelGetInfo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "getinfo",
        abstract: "A peer's view of a channel: height, current and previous block hash (as `peer channel getinfo`).",
        discussion: """
        Examples:
          fabnet channel getinfo mychannel --peer peer0.org1
          fabnet channel getinfo mychannel --peer peer1.org2 --state /tmp/net-b
        """
    )

    @Argument(help: "The channel.") var name: String
    @OptionGroup var target: PeerOptions

    struct Info: Encodable {
        let height: UInt64
        let currentBlockHash: String
        let previousBlockHash: String
    }

    func run() async throws {
        try await Console.reportingErrors {
            let (node, admin, _) = try target.client()
            let response = try await admin.admin(.listChannels(WireListChannels()))
            guard let channel = response.channels.first(where: { $0.name == name }) else {
                throw ValidationError("\(node.name) has not joined \(name) (joined: \(response.channels.map(\.name).joined(separator: ", ")))")
            }
            let info = Info(height: channel.height, currentBlockHash: channel.currentHash.base64EncodedString(),
                            previousBlockHash: channel.previousHash.base64EncodedString())
            print("Blockchain info: " + (try Console.json(info)).replacingOccurrences(of: "\n", with: "").replacingOccurrences(of: "  ", with: ""))
        }
    }
}
