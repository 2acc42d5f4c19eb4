import ArgumentParser

/// `fabnet channel …`
struct ChannelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "channel",
        abstract: "Create channels on the running orderer.",
        subcommands: [ChannelCreate.self]
    )
}
