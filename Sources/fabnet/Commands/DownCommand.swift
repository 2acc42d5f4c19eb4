import ArgumentParser
import Foundation
import Orchestrator

/// `fabnet down`: stop every node of the network.
struct DownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Stop the network: SIGTERM every node, SIGKILL what is left after --timeout.",
        discussion: "Idempotent: nodes already stopped are skipped. --clean also removes the state folder (ledgers, logs, homes) and the crypto material."
    )

    @OptionGroup var stateOptions: StateOptions

    @Option(help: ArgumentHelp("Seconds to wait after SIGTERM before SIGKILL.", valueName: "S"))
    var timeout: Double = 10

    @Flag(help: "Also remove ledgers, logs and the generated crypto material.")
    var clean = false

    func run() throws {
        try Console.reportingErrors {
            let network = stateOptions.network
            guard let manifest = try network.load() else {
                print("no network in \(stateOptions.state)/; nothing to stop")
                return
            }
            let running = manifest.nodes.filter(network.isRunning)
            let killed = NetworkStopper(state: network).stop(manifest, timeout: timeout)
            print("stopped \(running.count) node(s)\(killed.isEmpty ? "" : "; SIGKILL needed for \(killed.joined(separator: ", "))")")
            if clean {
                try? FileManager.default.removeItem(at: network.directory)
                try? FileManager.default.removeItem(atPath: manifest.cryptoDirectory)
                print("removed \(stateOptions.state)/ and \(manifest.cryptoDirectory)")
            }
        }
    }
}
