import ArgumentParser

/// `fabnet chaincode …`
struct ChaincodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaincode",
        abstract: "Define chaincode (as a service) on a channel and list what is defined.",
        discussion: """
        Examples:
          fabnet chaincode deploy basic --address 127.0.0.1:9999 -c mychannel
          fabnet chaincode list -c mychannel
        """,
        subcommands: [ChaincodeDeploy.self, ChaincodeList.self]
    )
}
