import ArgumentParser
import Orchestrator
import Foundation
import NIOCore
import NIOPosix
import OperationsEndpoint
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
        standard error; it prints `ready` once it serves. A restart continues from its ledgers \
        and catches up by gossip and state transfer.
        """
    )

    @Option(help: ArgumentHelp("The home folder (written by `fabnet up`).", valueName: "DIR"))
    var home: String

    func run() async throws {
        try await Console.reportingErrors {
            let home = try PeerHome.load(URL(fileURLWithPath: home))
            let log = NodeProcess.log(name: home.configuration.name)
            FabnetPeerVersion.current = FabnetVersion.current
            let service = try await PeerService(home: home, log: log)
            let listener = try await service.makeListener(group: MultiThreadedEventLoopGroup.singleton)
            let operations = try await OperationsServer.start(port: home.configuration.operationsPort,
                                                              routes: service.operationsRoutes(version: FabnetVersion.current))
            await NodeProcess.serve(listener: listener, operations: operations, grace: 2, log: log,
                                    handler: { try await service.handle($0) }, ready: {
                await service.start()
                log("ready: gossip on \(home.configuration.listenHost):\(listener.port) as \(home.configuration.endpoint), operations on 127.0.0.1:\(home.configuration.operationsPort), channels: \(await service.channelNames.joined(separator: ", "))")
            }, stopping: { await service.stop() })
        }
    }
}

/// `fabnet peer …`: the peer process.
struct PeerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peer",
        abstract: "Run a peer process (`fabnet up` starts them for you).",
        subcommands: [PeerStart.self]
    )
}
