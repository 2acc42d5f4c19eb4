import ArgumentParser
import FabricServices
import Foundation
import NIOCore
import NIOPosix
import OperationsEndpoint
import Orchestrator
import OrdererNode

/// `fabnet orderer start`: the orderer process, until SIGTERM or SIGINT.
struct OrdererStart: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Run the orderer whose home folder is DIR (until SIGTERM/SIGINT; then it stops gracefully and exits 0).",
        discussion: """
        Logs go to standard error (`FABRIC_LOGGING_SPEC` sets the first log specification; \
        `/logspec` changes it while running). It prints `ready` once it serves. A restart \
        continues from its ledgers and orders acknowledged transactions that were still pending.

        Examples:
          fabnet orderer start --home .fabnet/nodes/orderer.example.com
          FABRIC_LOGGING_SPEC=debug fabnet orderer start --home /tmp/orderer
        """
    )

    @Option(help: ArgumentHelp("The home folder (see `fabnet orderer init`).", valueName: "DIR"))
    var home: String

    func run() async throws {
        // Before the node makes its first task: however its command line was written
        // (`--home DIR` through the fast path, `--home=DIR` through ArgumentParser).
        NodeExecutor.install()
        try await Console.reportingErrors {
            let home = try OrdererHome.load(URL(fileURLWithPath: home))
            let logging = NodeLogger(name: home.configuration.name, spec: NodeLogger.initialSpec())
            let logger = logging.logger("orderer")
            let service = try await OrdererService(home: home, logging: logging)
            let listener = try await service.makeListener(group: MultiThreadedEventLoopGroup.singleton)
            let operations = try await OperationsServer.start(port: home.configuration.operationsPort,
                                                              routes: service.operationsRoutes(version: FabnetVersion.current))
            let grpc = try home.configuration.grpcPort.map { port in
                try GRPCEndpoint(host: home.configuration.host, port: port, security: .tls(try service.grpcTLS()),
                                 services: [AtomicBroadcastService(service)], logger: logging.logger("grpc"))
            }
            let channels = await service.channelNames.joined(separator: ", ")
            let grpcLine = home.configuration.grpcPort.map { ", AtomicBroadcast (gRPC, TLS) on 127.0.0.1:\($0)" } ?? ""
            logger.info("\(NodeExecutor.summary)")
            logger.info("ready: serving on \(home.configuration.host):\(listener.port)\(grpcLine), operations on 127.0.0.1:\(home.configuration.operationsPort), channels: \(channels)")
            // Open connections get a moment to finish what they are writing; ledgers are
            // consistent at every instant (each append is durable before it is acknowledged).
            try await NodeProcess.run(listener: listener, operations: operations, node: service, grpc: grpc, nodeStopsFirst: false,
                                      grace: .seconds(5), logger: logger, metrics: service.registry,
                                      handler: { try await service.handle($0) })
        }
    }
}
