import ArgumentParser
import Foundation
import Orchestrator

/// `fabnet kill NODE`: crash one node (SIGKILL), for fault tests.
struct NodeKill: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kill",
        abstract: "Crash one node with SIGKILL (for fault tests: no graceful shutdown). `fabnet start NODE` brings it back.",
        discussion: """
        Examples:
          fabnet kill peer0.org1 && fabnet start peer0.org1
          fabnet kill peer1.org2.example.com --state /tmp/net-b
        """
    )

    @Argument(help: "The node (its name, or the start of it: peer0.org1).") var node: String
    @OptionGroup var stateOptions: StateOptions

    func run() throws {
        try Console.reportingErrors {
            let control = NodeControl(state: stateOptions.network, executable: UpCommand.executable())
            let manifest = try stateOptions.manifest()
            let target = try control.node(node, in: manifest)
            try control.stop(target, in: manifest, signal: SIGKILL, timeout: 5)
            print("\(target.name) killed")
        }
    }
}
