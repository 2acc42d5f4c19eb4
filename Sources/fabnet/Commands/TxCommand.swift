import ArgumentParser

/// `fabnet tx …`
struct TxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tx",
        abstract: "Submit transactions to the running network.",
        subcommands: [TxPut.self]
    )
}
