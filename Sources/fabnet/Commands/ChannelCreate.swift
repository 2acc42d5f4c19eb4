import ArgumentParser
import FabnetConfig
import FabnetClient
import FabnetCrypto
import FabnetWire
import Foundation

/// `fabnet channel create`: block 0 from a profile, joined by the orderer.
struct ChannelCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Make a channel's genesis block from a profile and have the orderer join it (as osnadmin channel join).",
        discussion: """
        Acts as the orderer org's Admin unless --as says otherwise. Creating a channel the orderer already has is not an error.

        Examples:
          fabnet channel create mychannel
          fabnet channel create mychannel -f my/configtx.yaml
          fabnet channel create otherchannel --profile TwoOrgsChannel
        """
    )

    @Argument(help: "The channel name (lower-case letters, digits, '.', '-').")
    var name: String

    @Option(help: "The profile to make it from. Default: the profile the description names for this channel, else the first application profile.")
    var profile: String?

    @OptionGroup var client: ClientOptions

    func run() async throws {
        try await Console.reportingErrors {
            let (orderer, spec, layout) = try client.client { spec in
                guard let org = spec.organizations.first(where: { !$0.orderers.isEmpty }), let admin = org.users.first else { return nil }
                return (org, admin)
            }
            var channel = spec.channels.first { $0.name == name } ?? spec.channels.first
            if let profile {
                guard let template = spec.channels.first(where: { $0.profile == profile }) else {
                    throw ValidationError("no channel of the description uses profile \(profile) (profiles in use: \(spec.channels.map(\.profile).joined(separator: ", ")))")
                }
                channel = template
            }
            guard var channel else { throw ValidationError("the description defines no channel") }
            channel.name = name
            let genesis = try ChannelGenesis.block(of: channel, in: spec, layout: layout, creator: orderer.signer)
            var join = WireJoinChannel()
            join.genesisBlock = try genesis.serializedBytes()
            let response = try await orderer.admin(.joinChannel(join))
            guard response.status == .success else {
                throw ValidationError("the orderer refused: \(response.info) (\(response.status))")
            }
            print("\(name): \(response.info) (profile \(channel.profile), members \(channel.memberOrgs.joined(separator: ", ")))")
        }
    }
}
