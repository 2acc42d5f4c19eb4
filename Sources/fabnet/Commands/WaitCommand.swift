import ArgumentParser
import Foundation
import Orchestrator

/// `fabnet wait --ready`: blocks until a network started with `up -d` (or restarted nodes) is
/// ready as `up` defines it, for CI scripts; exit 3 at once when a node is down.
struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait until the network is ready (as `up` defines it); for CI scripts.",
        discussion: """
        Ready means what `fabnet up` waits for: every node's /healthz is OK, every peer joined \
        its channels, each org has exactly one leader per channel, every peer sees the peers it \
        may see, and every gateway knows a peer of each member org.

        Exit codes: 0 ready, 1 not ready within --timeout (the message says what is missing) or \
        no network, 3 a node is down (start it with `fabnet start NAME`).

        Examples:
          fabnet up -d && fabnet wait --ready --timeout 60
          fabnet kill peer1.org2 && fabnet start peer1.org2 && fabnet wait --ready
          FABNET_STATE=/tmp/net fabnet wait --ready --json
        """
    )

    @Flag(help: "Wait until the network is ready (the one condition there is today).")
    var ready = false

    @Option(help: ArgumentHelp("Seconds to wait before giving up.", valueName: "S"))
    var timeout: Double = 60

    @OptionGroup var description: NetworkOptions
    @OptionGroup var stateOptions: StateOptions

    @Flag(help: "Print {\"ready\": true, \"seconds\": …} (or an error object) as JSON.")
    var json = false

    func validate() throws {
        guard ready else { throw ValidationError("say what to wait for: --ready (e.g. `fabnet wait --ready --timeout 60`)") }
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a number of seconds above 0, got \(timeout)") }
    }

    /// Nodes that are down end the wait at once: reported with the commands that start them,
    /// exit code 3.
    func reportDown(_ names: [String]) throws {
        guard !names.isEmpty else { return }
        let flag = NetworkState.stateFlag(for: stateOptions.state)
        let starts = names.map { "fabnet start \($0)\(flag)" }.joined(separator: " && ")
        Console.report(NodesDown(names: names, fix: "start \(names.count == 1 ? "it" : "them") with `\(starts)`, or the whole network with `fabnet up -d\(flag)`"))
        throw ExitCode(StatusCommand.nodeDownExitCode)
    }

    /// What `--json` prints once the network is ready.
    struct Report: Encodable {
        let ready: Bool
        let seconds: Double
    }

    func run() async throws {
        let started = ContinuousClock.now
        try await Console.reportingErrors {
            let manifest = try stateOptions.manifest()
            try reportDown(manifest.nodes.filter { !stateOptions.network.isRunning($0) }.map(\.name))
            let spec = try description.load(for: manifest).spec
            let launcher = NetworkLauncher(spec: spec, options: .init(
                stateDirectory: stateOptions.network.directory, cryptoDirectory: URL(fileURLWithPath: manifest.cryptoDirectory),
                basePort: nil, timeout: timeout, executable: UpCommand.executable()))
            do {
                try await launcher.waitReady(manifest)
            } catch let exit as NodeExitError {
                try reportDown([exit.exit.node])  // it died while we waited
            }
        }
        let seconds = (ContinuousClock.now - started).seconds
        if json {
            print(try Console.json(Report(ready: true, seconds: seconds)))
        } else {
            print(String(format: "ready (waited %.2f s)", seconds))
        }
    }
}

/// Nodes of the network that are not running. Guarantees: names every one of them, and its
/// fix is commands that start them.
struct NodesDown: Error, CustomStringConvertible {
    let names: [String]
    let fix: String
    var description: String { "\(names.joined(separator: ", ")) \(names.count == 1 ? "is" : "are") down; \(fix)" }
}
