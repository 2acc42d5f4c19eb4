import ArgumentParser

/// `fabnet orderer …`: the ordering service process.
struct OrdererCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orderer",
        abstract: "Make an orderer's home folder and run the orderer process.",
        discussion: """
        Examples:
          fabnet orderer init --home /tmp/orderer
          fabnet orderer start --home /tmp/orderer
        """,
        subcommands: [OrdererInit.self, OrdererStart.self]
    )
}
