import ArgumentParser

/// `fabnet tx …`
struct TxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tx",
        abstract: "Submit transactions to the running network; read a peer's world state.",
        discussion: """
        Examples:
          fabnet tx put greeting hello -c mychannel --wait
          fabnet tx get greeting -c mychannel --peer peer0.org2
        """,
        subcommands: [TxPut.self, TxGet.self]
    )
}
