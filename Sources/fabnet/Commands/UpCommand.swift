import ArgumentParser
import FabnetConfig
import Foundation
import Orchestrator

/// Flags of the commands that manage a running network.
struct StateOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The network's state folder: node homes, logs, network.json ($FABNET_STATE when set).", valueName: "DIR"))
    var state = NetworkState.defaultDirectoryPath

    var network: NetworkState { NetworkState(directory: URL(fileURLWithPath: state)) }

    func manifest() throws -> NetworkState.Manifest {
        guard let manifest = try network.load() else {
            throw ValidationError("no network in \(state)/ (start one with `fabnet up`)")
        }
        return manifest
    }
}

/// `fabnet up`: the whole network on 127.0.0.1.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start the network: crypto, orderer, peers, channels; wait until it is ready.",
        discussion: """
        Generates missing crypto material, gives every node its ports (gRPC on the description's \
        own ports, fabnet's framing and operations two per node from 17050; with --base-port N, \
        three per node from N: framing, gRPC, operations), writes each node's home \
        under the state folder and a connection profile per peer org under its profiles/ \
        (connection-org1.json and .yaml; `fabnet env ORG` prints matching exports), spawns the \
        orderer and the peers (this same executable), creates the description's channels and joins every peer of their member orgs. Ready means: every \
        node's /healthz is OK, every peer joined its channels, each org has exactly one leader per \
        channel, and every peer sees the peers of the orgs it shares a channel with.

        In the foreground it then tails every node's log (Ctrl-C stops the network); with -d it \
        returns once ready and `fabnet down` stops it. Several networks can run at once with \
        different --state folders and --base-port blocks.

        Examples:
          fabnet up
          fabnet up -d && fabnet status
          fabnet up -f my/configtx.yaml --state /tmp/net-b --base-port 20000 -d
        """
    )

    @OptionGroup var description: NetworkOptions
    @OptionGroup var stateOptions: StateOptions

    @Option(help: ArgumentHelp("Where the crypto material is (made if missing).", valueName: "DIR"))
    var crypto = "crypto-config"

    @Option(name: .customLong("base-port"),
            help: "The first port of the block the nodes get (default 7050; a network made before keeps the ports it recorded).")
    var basePort: Int?

    @Option(help: ArgumentHelp("Seconds to wait for each wait (health, convergence).", valueName: "S"))
    var timeout: Double = 30

    @Flag(name: [.short, .customLong("detach")], help: "Return once ready, leaving the network running.")
    var detach = false

    @Flag(help: "Print the ready network as JSON (nodes, ports, pids, phase timings).")
    var json = false

    func validate() throws {
        if let basePort, !(1...65_535).contains(basePort) {
            throw ValidationError("--base-port must be a port from 1 to 65535 (1024 and up need no root), got \(basePort)")
        }
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a number of seconds above 0, got \(timeout)") }
    }

    func run() async throws {
        try await Console.reportingErrors {
            let started = ContinuousClock.now
            let timings = PhaseTimings()
            let report = { @Sendable (phase: String, seconds: Double?) in
                guard !json else {
                    if let seconds { timings.add(phase, seconds) }
                    return
                }
                guard let seconds else { return Console.progress("\(phase) …") }
                timings.add(phase, seconds)
                let line = phase.padding(toLength: 12, withPad: " ", startingAt: 0) + String(format: "%8.1f ms", seconds * 1000)
                if Console.errorIsTerminal { Console.progress(line, done: true) } else { Console.error(line) }
            }
            report("config", nil)
            let (spec, loadSeconds) = try Stopwatch.time { try description.load().spec }
            report("config", loadSeconds)
            let launcher = NetworkLauncher(
                spec: spec,
                options: .init(stateDirectory: URL(fileURLWithPath: stateOptions.state), cryptoDirectory: URL(fileURLWithPath: crypto),
                               basePort: basePort, timeout: timeout, executable: Self.executable()),
                progress: report)
            let logOffsets = LogTail.endOffsets(state: stateOptions.network, nodes: spec.nodes.map(\.commonName))
            let manifest = try await launcher.up()
            try await FaultRestore.restore(to: manifest.nodes, manifest: manifest, state: stateOptions.network)
            let seconds = (ContinuousClock.now - started).seconds
            if json {
                print(try Console.json(UpReport(readySeconds: seconds, phases: timings.all, nodes: manifest.nodes)))
            } else {
                print(String(format: "ready in %.2f s", seconds))
                print(Console.table([["NODE", "ROLE", "ORG", "GRPC", "PORT", "OPS", "PID"]] + manifest.nodes.map {
                    [$0.name, $0.role, $0.mspID, $0.grpcPort.map(String.init) ?? "-", "\($0.port)", "\($0.operationsPort)",
                     $0.pid.map(String.init) ?? "-"]
                }))
            }
            guard !detach else {
                if !json { Console.error("see it live: fabnet ui\(NetworkState.stateFlag(for: stateOptions.state)) (then open http://127.0.0.1:\(UIServer.defaultPort))") }
                return
            }
            // The live picture, on its usual port or, if that is taken, on any free one.
            let clients = NodeClients(spec: spec, layout: .init(root: URL(fileURLWithPath: manifest.cryptoDirectory)), manifest: manifest)
            let ui = try? await UIServer.start(port: UIServer.defaultPort, state: stateOptions.network, clients: clients)
            let server: UIServer? = if let ui { ui } else { try? await UIServer.start(port: 0, state: stateOptions.network, clients: clients) }
            if let server { Console.error("live picture of the network: http://127.0.0.1:\(server.port)") }
            defer { if let server { server.channel.close(promise: nil) } }
            try await LogTail.follow(state: stateOptions.network, manifest: manifest, from: logOffsets)
        }
    }

    /// This executable's path (nodes run as `fabnet orderer start` / `fabnet peer start`).
    static func executable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}

struct UpReport: Encodable {
    let readySeconds: Double
    let phases: [String: Double]
    let nodes: [NetworkState.Node]
}

/// Phase timings collected from the launcher's progress callback.
final class PhaseTimings: @unchecked Sendable {
    private let lock = NSLock()
    private var phases: [String: Double] = [:]
    func add(_ phase: String, _ seconds: Double) { lock.withLock { phases[phase] = seconds } }
    var all: [String: Double] { lock.withLock { phases } }
}
