import ArgumentParser
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
        discussion: "Logs go to standard error. It prints `ready` once it serves. A restart continues from its ledgers and orders acknowledged transactions that were still pending."
    )

    @Option(help: ArgumentHelp("The home folder (see `fabnet orderer init`).", valueName: "DIR"))
    var home: String

    func run() async throws {
        try await Console.reportingErrors {
            let home = try OrdererHome.load(URL(fileURLWithPath: home))
            let log = NodeProcess.log(name: home.configuration.name)
            let service = try await OrdererService(home: home, log: log)
            let listener = try await service.makeListener(group: MultiThreadedEventLoopGroup.singleton)
            let operations = try await OperationsServer.start(port: home.configuration.operationsPort,
                                                              routes: service.operationsRoutes(version: FabnetVersion.current))
            // Open connections get a moment to finish what they are writing; ledgers are
            // consistent at every instant (each append is durable before it is acknowledged).
            await NodeProcess.serve(listener: listener, operations: operations, grace: 5, log: log,
                                    handler: { try await service.handle($0) }, ready: {
                log("ready: serving on \(home.configuration.host):\(listener.port), operations on 127.0.0.1:\(home.configuration.operationsPort), channels: \(await service.channelNames.joined(separator: ", "))")
            })
        }
    }
}
