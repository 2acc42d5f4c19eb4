import ArgumentParser

/// `fabnet tx …`
struct TxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tx",
        abstract: "Submit transactions to the running network; read a peer's world state.",
        subcommands: [TxPut.self, TxGet.self]
    )
}
