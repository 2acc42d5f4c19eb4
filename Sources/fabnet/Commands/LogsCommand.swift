import ArgumentParser
import Foundation
import Orchestrator

/// `fabnet logs`: the nodes' logs, prefixed with their names.
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print the nodes' logs with a `name |` prefix; -f keeps following them (Ctrl-C ends).",
        discussion: """
        Without NODE, every node's log. NODE is its name or the start of it (peer0.org1).

        Examples:
          fabnet logs -f
          fabnet logs peer0.org1 --tail 20
          fabnet logs orderer peer1.org2 -f --tail 50
        """
    )

    @Argument(help: "The nodes (default: all).") var nodes: [String] = []
    @Flag(name: [.short, .customLong("follow")], help: "Keep printing new lines until Ctrl-C.") var follow = false
    @Option(help: "Only the last N lines of each log (before following).") var tail: Int?
    @OptionGroup var stateOptions: StateOptions

    func run() async throws {
        try await Console.reportingErrors {
            let network = stateOptions.network
            var manifest = try stateOptions.manifest()
            if !nodes.isEmpty {
                let control = NodeControl(state: network, executable: UpCommand.executable())
                manifest.nodes = try nodes.map { try control.node($0, in: manifest) }
            }
            try await LogTail.print(state: network, nodes: manifest.nodes, tail: tail, follow: follow)
        }
    }
}
