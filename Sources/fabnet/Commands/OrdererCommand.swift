import ArgumentParser

/// `fabnet orderer …`: the ordering service process.
struct OrdererCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orderer",
        abstract: "Make an orderer's home folder and run the orderer process.",
        subcommands: [OrdererInit.self, OrdererStart.self]
    )
}
