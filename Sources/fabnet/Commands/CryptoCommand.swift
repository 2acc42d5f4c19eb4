import ArgumentParser

/// `fabnet crypto …`: keys and certificates.
struct CryptoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crypto",
        abstract: "Make the network's CA and TLS material with OpenSSL, in cryptogen's layout.",
        subcommands: [CryptoGenerate.self]
    )
}
