import ArgumentParser
import FabnetConfig
import FabnetBench
import Foundation
import Orchestrator

/// `fabnet bench up`: how long `fabnet up` takes to a ready network, cold and warm.
struct BenchUp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Time `fabnet up` to ready: cold (fresh state and crypto material) and warm (restart on existing state).",
        discussion: """
        Each run starts the description (default: the embedded default network) in a temporary \
        folder on a free block of ports with this same executable, waits until ready (the \
        conditions of `fabnet up`), and stops it. Cold runs make everything anew, crypto \
        included; warm runs restart the network the previous run left (ledgers and joined \
        channels). Prints min / median / max per mode and the median run's phases.

        Examples:
          fabnet bench up
          fabnet bench up --orgs 2 --peers-per-org 50 --runs 5
          fabnet bench up --orgs 4 --peers-per-org 25 --runs 5 --json
        """
    )

    @OptionGroup var description: NetworkOptions

    @Option(help: "Runs per mode.")
    var runs = 5

    @Option(name: .customLong("peers-per-org"), help: "Peers in every org that runs peers (default: as the description says).")
    var peersPerOrg: Int?

    @Option(help: "Peer orgs (default: as the description says); orgs added are copies of its last peer org, in its channels.")
    var orgs: Int?

    @Option(help: ArgumentHelp("Seconds to wait for readiness before a run fails.", valueName: "S"))
    var timeout: Double = 60

    @Flag(help: "Print the full result as JSON.")
    var json = false

    struct ModeResult: Encodable {
        let mode: String
        let seconds: [Double]
        let minimum: Double
        let median: Double
        let maximum: Double
        /// The phases of the median run, in seconds.
        let medianPhases: [String: Double]
    }

    struct Result: Encodable {
        let peers: Int
        let runs: Int
        let modes: [ModeResult]
    }

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        if let peersPerOrg, peersPerOrg < 1 { throw ValidationError("--peers-per-org must be at least 1") }
        if let orgs, orgs < 1 { throw ValidationError("--orgs must be at least 1") }
    }

    func run() async throws {
        BenchBystanders.warnIfAny()
        try await Console.reportingErrors {
            var spec = try description.load().spec
            if let orgs { spec = spec.withPeerOrganizations(orgs) }
            if let peersPerOrg { spec = spec.withPeers(perOrganization: peersPerOrg) }
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-bench-up-\(getpid())")
            BenchCleanup.register(root)
            BenchCleanup.watchSignals()
            defer { try? FileManager.default.removeItem(at: root); BenchCleanup.unregister(root) }
            var modes: [ModeResult] = []
            for mode in ["cold", "warm"] {
                var samples: [(seconds: Double, phases: [String: Double])] = []
                let state = root.appendingPathComponent("state"), crypto = root.appendingPathComponent("crypto-config")
                for run in 1...runs {
                    if mode == "cold" { try? FileManager.default.removeItem(at: root) }
                    Console.progress("\(mode) run \(run) of \(runs) …")
                    let timings = PhaseTimings()
                    // A warm run restarts the network on the ports it recorded.
                    let recorded = FileManager.default.fileExists(atPath: state.appendingPathComponent(NetworkState.manifestName).path)
                    let basePort = recorded ? nil : try freePortBlock(count: NetworkLauncher.portCount(peers: spec.peers.count))
                    let launcher = NetworkLauncher(spec: spec, options: .init(
                        stateDirectory: state, cryptoDirectory: crypto, basePort: basePort, timeout: timeout,
                        executable: UpCommand.executable()), progress: { phase, seconds in if let seconds { timings.add(phase, seconds) } })
                    let (manifest, seconds) = try await Self.time { try await launcher.up() }
                    NetworkStopper(state: NetworkState(directory: state)).stop(manifest)
                    samples.append((seconds, timings.all))
                }
                let sorted = samples.sorted { $0.seconds < $1.seconds }
                let median = sorted[sorted.count / 2]
                modes.append(ModeResult(mode: mode, seconds: samples.map(\.seconds), minimum: sorted[0].seconds, median: median.seconds,
                                        maximum: sorted[sorted.count - 1].seconds, medianPhases: median.phases))
            }
            Console.progress("", done: false)
            let result = Result(peers: spec.peers.count, runs: runs, modes: modes)
            if json {
                print(try Console.json(result))
                return
            }
            let phaseNames = ["crypto", "homes", "spawn", "health", "channels", "convergence"]
            print(Console.table([["MODE", "MIN", "MEDIAN", "MAX"] + phaseNames.map { $0.uppercased() }] + modes.map { mode in
                [mode.mode] + [mode.minimum, mode.median, mode.maximum].map { String(format: "%.2f s", $0) }
                    + phaseNames.map { String(format: "%.0f ms", (mode.medianPhases[$0] ?? 0) * 1000) }
            }))
            print("\(spec.peers.count) peers, \(runs) run(s) per mode; phases are the median run's")
        }
    }

    static func time<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
        let start = ContinuousClock.now
        let result = try await body()
        return (result, (ContinuousClock.now - start).seconds)
    }
}
