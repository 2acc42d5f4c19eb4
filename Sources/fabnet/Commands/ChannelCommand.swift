import ArgumentParser

/// `fabnet channel …`
struct ChannelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "channel",
        abstract: "Create channels on the orderer; have peers join them; list and inspect a peer's channels.",
        subcommands: [ChannelCreate.self, ChannelJoin.self, ChannelList.self, ChannelGetInfo.self]
    )
}
