import ArgumentParser
import Foundation
import Orchestrator

/// `fabnet start NODE`: start a stopped node again (it keeps its ledger and catches up).
struct NodeStart: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start a stopped node of the running network from its home; it keeps its ledger and catches up.",
        discussion: """
        NODE is its name (peer0.org1.example.com) or the start of it (peer0.org1). Returns once \
        its /healthz is OK; if the node exits first, says why (its exit status and last log lines) \
        and what to run.

        Examples:
          fabnet start peer0.org1
          fabnet start orderer.example.com --state /tmp/net-b
        """
    )

    @Argument(help: "The node.") var node: String
    @OptionGroup var stateOptions: StateOptions

    func run() async throws {
        try await Console.reportingErrors {
            let control = NodeControl(state: stateOptions.network, executable: UpCommand.executable())
            let manifest = try stateOptions.manifest()
            let target = try control.node(node, in: manifest)
            let updated = try control.start(target, in: manifest)
            try await control.waitHealthy(try control.node(target.name, in: updated))
            try await ChaincodeConnectionRestore.restore(to: try control.node(target.name, in: updated), manifest: updated, state: stateOptions.network)
            try await FaultRestore.restore(to: [try control.node(target.name, in: updated)], manifest: updated, state: stateOptions.network)
            print("\(target.name) started (pid \(try control.node(target.name, in: updated).pid ?? 0))")
        }
    }
}
