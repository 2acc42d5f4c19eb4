import ArgumentParser

/// `fabnet crypto …`: keys and certificates.
struct CryptoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crypto",
        abstract: "Make the network's CA and TLS material with OpenSSL, in cryptogen's layout.",
        discussion: """
        Examples:
          fabnet crypto generate
          fabnet crypto generate -f my/configtx.yaml -o my/crypto-config
        """,
        subcommands: [CryptoGenerate.self]
    )
}
