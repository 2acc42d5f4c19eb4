import ArgumentParser
import Foundation
import Orchestrator

/// `fabnet stop NODE`: stop one node gracefully.
struct NodeStop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop one node gracefully (SIGTERM; SIGKILL after --timeout). `fabnet start NODE` brings it back.",
        discussion: """
        Examples:
          fabnet stop peer0.org1
          fabnet stop orderer.example.com --timeout 30
        """
    )

    @Argument(help: "The node (its name, or the start of it: peer0.org1).") var node: String
    @OptionGroup var stateOptions: StateOptions
    @Option(help: ArgumentHelp("Seconds to wait after SIGTERM before SIGKILL.", valueName: "S")) var timeout: Double = 10

    func run() throws {
        try Console.reportingErrors {
            let control = NodeControl(state: stateOptions.network, executable: UpCommand.executable())
            let manifest = try stateOptions.manifest()
            let target = try control.node(node, in: manifest)
            let forced = try control.stop(target, in: manifest, timeout: timeout)
            print("\(target.name) stopped\(forced ? " (SIGKILL needed)" : "")")
        }
    }
}
