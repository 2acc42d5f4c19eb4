import ArgumentParser
import Foundation
import Orchestrator

/// `fabnet restart NODE`: stop one node gracefully and start it again.
struct NodeRestart: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restart",
        abstract: "Stop one node gracefully and start it again from its home (it keeps its ledger).",
        discussion: """
        Examples:
          fabnet restart peer1.org2
          fabnet restart orderer.example.com --state /tmp/net-b
        """
    )

    @Argument(help: "The node (its name, or the start of it: peer0.org1).") var node: String
    @OptionGroup var stateOptions: StateOptions
    @Option(help: ArgumentHelp("Seconds to wait after SIGTERM before SIGKILL.", valueName: "S")) var timeout: Double = 10

    func run() async throws {
        try await Console.reportingErrors {
            let control = NodeControl(state: stateOptions.network, executable: UpCommand.executable())
            var manifest = try stateOptions.manifest()
            let target = try control.node(node, in: manifest)
            if stateOptions.network.isRunning(target) { try control.stop(target, in: manifest, timeout: timeout) }
            manifest = try control.start(target, in: manifest)
            try await control.waitHealthy(try control.node(target.name, in: manifest))
            try await ChaincodeConnectionRestore.restore(to: try control.node(target.name, in: manifest), manifest: manifest, state: stateOptions.network)
            try await FaultRestore.restore(to: [try control.node(target.name, in: manifest)], manifest: manifest, state: stateOptions.network)
            print("\(target.name) restarted (pid \(try control.node(target.name, in: manifest).pid ?? 0))")
        }
    }
}
