import ArgumentParser

/// The `fabnet` command: a Docker-free local testnet for Hyperledger-Fabric-style networks.
@main
struct Fabnet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fabnet",
        abstract: "A local Hyperledger-Fabric-style network in a second, without Docker.",
        discussion: """
        fabnet reads a configtx.yaml (Fabric's own format, or fabnet's single-file form that also \
        says how many peers each org runs), makes the CA and TLS material with OpenSSL in \
        cryptogen's layout, and runs the orderer and peers as local processes.

        With no -f, every command uses the embedded default network: one orderer org with one \
        orderer, two peer orgs with two peers each, channel mychannel (shipped as \
        configtx/configtx.yaml).

        Start here:
          fabnet config show            what the default network contains
          fabnet crypto generate        make its keys and certificates under crypto-config/
          fabnet config validate -f my/configtx.yaml

        An ordering service by hand (`fabnet up` will do all of this):
          fabnet orderer init --home .fabnet/orderer && fabnet orderer start --home .fabnet/orderer &
          fabnet channel create mychannel
          fabnet tx put greeting hello --channel mychannel --wait
          fabnet block fetch newest --channel mychannel
        """,
        version: FabnetVersion.current,
        subcommands: [UpCommand.self, DownCommand.self, StatusCommand.self, EnvCommand.self, LogsCommand.self, NodeStart.self, NodeStop.self, NodeRestart.self, NodeKill.self, ConfigCommand.self, CryptoCommand.self, OrdererCommand.self, PeerCommand.self, ChannelCommand.self, ChaincodeCommand.self, TxCommand.self, BlockCommand.self, SimCommand.self, BenchCommand.self]
    )
}

/// The version `fabnet --version` prints.
enum FabnetVersion {
    static let current = "0.1.0"
}
