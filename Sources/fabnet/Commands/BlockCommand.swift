import ArgumentParser

/// `fabnet block …`
struct BlockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "block",
        abstract: "Read blocks from the running orderer.",
        discussion: """
        Examples:
          fabnet block fetch newest -c mychannel
          fabnet block fetch oldest -c mychannel --json > genesis.json
        """,
        subcommands: [BlockFetch.self]
    )
}
