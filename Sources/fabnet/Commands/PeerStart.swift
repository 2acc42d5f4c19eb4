import ArgumentParser
import ChaincodeRuntime
import FabricGateway
import FabricServices
import Foundation
import NIOCore
import NIOPosix
import OperationsEndpoint
import Orchestrator
import PeerNode

/// `fabnet peer start`: the peer process, until SIGTERM or SIGINT.
struct PeerStart: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Run the peer whose home folder is DIR (until SIGTERM/SIGINT; then it stops gracefully and exits 0).",
        discussion: """
        The home folder is written by `fabnet up` (.fabnet/nodes/<peer>/): peer.json, msp/, tls/, \
        orgs/, and ledgers under ledger/. Gossip settings: fabnet's defaults, then core.yaml's \
        peer.gossip keys in the home folder, then CORE_PEER_GOSSIP_* variables. Logs go to \
        standard error (`FABRIC_LOGGING_SPEC` sets the first log specification; `/logspec` \
        changes it while running); it prints `ready` once it serves. A restart continues from its \
        ledgers and catches up by gossip and state transfer.

        Examples:
          fabnet peer start --home .fabnet/nodes/peer0.org1.example.com
          fabnet peer start --home /tmp/net-b/nodes/peer1.org2.example.com
          fabnet peer start --home .fabnet/nodes/peer0.org1.example.com --hold-channels 60
        """
    )

    @Option(help: ArgumentHelp("The home folder (written by `fabnet up`).", valueName: "DIR"))
    var home: String

    @Option(help: ArgumentHelp("Open the ledgers of channels joined before, but serve them only once joined again (`fabnet up` does so when it restarts a whole network, lowest PKI-ID first), or after SECONDS.", valueName: "SECONDS"))
    var holdChannels: Double?

    func run() async throws {
        // Before the node makes its first task: however its command line was written
        // (`--home DIR` through the fast path, `--home=DIR` through ArgumentParser).
        NodeExecutor.install()
        try await Console.reportingErrors {
            let home = try PeerHome.load(URL(fileURLWithPath: home))
            let logging = NodeLogger(name: home.configuration.name, spec: NodeLogger.initialSpec())
            let logger = logging.logger("peer")
            FabnetPeerVersion.current = FabnetVersion.current
            let hold = holdChannels.map { Duration.milliseconds(Int64(max(0, $0) * 1000)) }
            let service = try await PeerService(home: home, logging: logging, holdChannels: hold)
            let listener = try await service.makeListener(group: MultiThreadedEventLoopGroup.singleton)
            let operations = try await OperationsServer.start(port: home.configuration.operationsPort,
                                                              routes: service.operationsRoutes(version: FabnetVersion.current))
            let grpc = try home.configuration.grpcPort.map { port in
                try GRPCEndpoint(host: home.configuration.listenHost, port: port, security: .tls(try service.grpcTLS()),
                                 services: [PeerDeliverService(service), EndorserService(service),
                                            GatewayService(service, options: PeerGatewaySettings.options, logger: logging.logger("gateway")),
                                            ChaincodeSupportService(service, logger: logging.logger("chaincode"),
                                                                    clientCertificate: { ClientTLSIdentity.of($0)?.certificateDER })],
                                 logger: logging.logger("grpc"))
            }
            let channels = await service.channelNames.joined(separator: ", ")
            let grpcLine = home.configuration.grpcPort.map { ", Gateway, Deliver and ChaincodeSupport (gRPC, TLS) on 127.0.0.1:\($0)" } ?? ""
            logger.info("\(NodeExecutor.summary)")
            logger.info("ready: gossip on \(home.configuration.listenHost):\(listener.port) as \(home.configuration.endpoint)\(grpcLine), operations on 127.0.0.1:\(home.configuration.operationsPort), channels: \(channels)")
            try await NodeProcess.run(listener: listener, operations: operations, node: service, grpc: grpc, grace: .seconds(2), logger: logger, metrics: service.registry,
                                      handler: { try await service.handle($0) })
        }
    }
}

/// `fabnet peer …`: the peer process.
struct PeerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peer",
        abstract: "Run a peer process (`fabnet up` starts them for you).",
        discussion: """
        Examples:
          fabnet peer start --home .fabnet/nodes/peer0.org1.example.com
          fabnet peer start --home /tmp/net-b/nodes/peer1.org2.example.com
        """,
        subcommands: [PeerStart.self]
    )
}
