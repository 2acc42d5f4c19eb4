import ArgumentParser

/// `fabnet channel …`
struct ChannelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "channel",
        abstract: "Create channels on the orderer; have peers join them; list and inspect a peer's channels.",
        discussion: """
        Examples:
          fabnet channel create mychannel
          fabnet channel join mychannel --peer peer0.org1
          fabnet channel getinfo mychannel --peer peer0.org1
        """,
        subcommands: [ChannelCreate.self, ChannelJoin.self, ChannelList.self, ChannelGetInfo.self]
    )
}
