import ArgumentParser

/// `fabnet block …`
struct BlockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "block",
        abstract: "Read blocks from the running orderer.",
        subcommands: [BlockFetch.self]
    )
}
