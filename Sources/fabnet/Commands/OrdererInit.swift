import ArgumentParser
import FabnetConfig
import FabnetCrypto
import Foundation
import OrdererNode

/// `fabnet orderer init`: a home folder for the description's orderer.
struct OrdererInit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write an orderer's home folder: orderer.json, its MSP and TLS material, the orgs it trusts.",
        discussion: """
        Needs the crypto material (`fabnet crypto generate`). Ledgers start empty; channels are joined with `fabnet channel create`.

        Examples:
          fabnet orderer init --home /tmp/orderer
          fabnet orderer init -f my/configtx.yaml --home /tmp/orderer --port 8050
        """
    )

    @OptionGroup var network: NetworkOptions

    @Option(help: ArgumentHelp("The home folder to write.", valueName: "DIR"))
    var home: String

    @Option(help: ArgumentHelp("Where the crypto material is.", valueName: "DIR"))
    var crypto = "crypto-config"

    @Option(help: "The port to serve on. Default: the orderer's port in the description.")
    var port: Int?

    @Option(name: .customLong("ops-port"), help: "The operations endpoint's port (/healthz, /metrics, /version). Default: port + 1000.")
    var operationsPort: Int?

    @Option(name: .customLong("grpc-port"), help: "Where to serve Fabric's orderer.AtomicBroadcast over gRPC with TLS (for Fabric SDKs and tools). Default: port + 2000.")
    var grpcPort: Int?

    @Option(help: "Which orderer of the description (its host name). Default: the first.")
    var node: String?

    func run() async throws {
        try Console.reportingErrors {
            let spec = try network.load().spec
            guard let orderer = node.map({ name in spec.orderers.first { $0.commonName == name || $0.hostname == name } }) ?? spec.orderers.first else {
                throw ValidationError("no orderer \(node ?? "") in the description (orderers: \(spec.orderers.map(\.commonName).joined(separator: ", ")))")
            }
            let servingPort = port ?? orderer.port
            let home = try OrdererHome.create(at: URL(fileURLWithPath: self.home), spec: spec, layout: CryptoLayout(root: URL(fileURLWithPath: crypto)),
                                              node: orderer, port: servingPort, grpcPort: grpcPort ?? servingPort + 2000,
                                              operationsPort: operationsPort ?? servingPort + 1000)
            print("\(self.home)/: orderer \(orderer.commonName) (\(orderer.mspID)) on 127.0.0.1:\(home.configuration.port), gRPC (AtomicBroadcast) on :\(home.configuration.grpcPort ?? 0), operations on :\(home.configuration.operationsPort)")
        }
    }
}
