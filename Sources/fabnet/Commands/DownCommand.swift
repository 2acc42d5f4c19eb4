import ArgumentParser
import Foundation
import Orchestrator

/// `fabnet down`: stop every node of the network.
struct DownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Stop the network: SIGTERM every node, SIGKILL what is left after --timeout.",
        discussion: """
        Idempotent: nodes already stopped are skipped. --clean also removes what `fabnet up` made \
        (it records every file and folder it created in the state folder): node homes with their \
        ledgers, logs, and the crypto material it generated. Nothing that was there before `up` is \
        removed: your own cryptogen files in a --crypto folder, material you brought, a --state \
        folder you made. A folder that now holds files fabnet did not make is kept and named.

        Examples:
          fabnet down
          fabnet down --clean
          fabnet down --state /tmp/net-b --timeout 3
        """
    )

    @OptionGroup var stateOptions: StateOptions

    @Option(help: ArgumentHelp("Seconds to wait after SIGTERM before SIGKILL.", valueName: "S"))
    var timeout: Double = 10

    @Flag(help: "Also remove what `fabnet up` made: ledgers, logs, node homes, and the crypto material it generated.")
    var clean = false

    func run() throws {
        try Console.reportingErrors {
            let network = stateOptions.network
            guard let manifest = try network.load() else {
                print("no network in \(stateOptions.state)/; nothing to stop")
                return
            }
            let running = manifest.nodes.filter(network.isRunning)
            // Paused nodes (`fabnet fault pause`) resume first, so they can stop gracefully.
            var faults = (try? FaultRecord.load(network)) ?? FaultRecord()
            for node in running where faults.paused.contains(node.name) { if let pid = node.pid { kill(pid, SIGCONT) } }
            faults.paused = []
            let killed = NetworkStopper(state: network).stop(manifest, timeout: timeout)
            // The other faults stay recorded for the next `up`, unless the state goes.
            try? (clean ? FaultRecord() : faults).save(network)
            print("stopped \(running.count) node(s)\(killed.isEmpty ? "" : "; SIGKILL needed for \(killed.joined(separator: ", "))")")
            guard clean else { return }
            guard let created = manifest.created else {
                // A state folder of an older fabnet: it recorded nothing, so only fabnet's own parts go.
                for part in ["nodes", "logs", NetworkState.manifestName] {
                    try? FileManager.default.removeItem(at: network.directory.appendingPathComponent(part))
                }
                print("removed \(stateOptions.state)/'s nodes, logs and network.json; this state folder records no crypto material, so \(manifest.cryptoDirectory) is left as it is")
                return
            }
            let removal = created.remove()
            print("removed \(removal.removed.count) file(s) and folder(s) that `fabnet up` made (\(stateOptions.state)/, \(manifest.cryptoDirectory))")
            if !removal.kept.isEmpty {
                print("kept, as they hold files fabnet did not make: \(removal.kept.joined(separator: ", "))")
            }
        }
    }
}
