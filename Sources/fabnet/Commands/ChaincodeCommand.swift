import ArgumentParser

/// `fabnet chaincode …`
struct ChaincodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaincode",
        abstract: "Define chaincode (as a service) on a channel and list what is defined.",
        subcommands: [ChaincodeDeploy.self, ChaincodeList.self]
    )
}
