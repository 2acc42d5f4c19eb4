import ArgumentParser
import FabnetBench
import Foundation
import Orchestrator

/// `fabnet bench throughput`: transactions per second through the default network.
struct BenchThroughput: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "throughput",
        abstract: "Transactions per second committed on every peer of the default network, and their latency.",
        discussion: """
        Starts the default network (orderer and 4 peers on 127.0.0.1; its channel cuts a block \
        every 500 transactions or 250 ms). --clients clients, each with its own connection and \
        transactions signed in advance, submit as fast as the orderer answers (up to --window \
        unanswered each) for --seconds. Reported: transactions submitted and accepted, accepted \
        per second, committed on every peer per second (first submission → last commit on the \
        last peer), and p50 / p90 / p99 / max of submit → committed on every peer.

        Examples:
          fabnet bench throughput
          fabnet bench throughput --seconds 5 --clients 8 --json
        """
    )

    @Option(help: ArgumentHelp("Seconds the clients submit.", valueName: "S"))
    var seconds: Double = 10

    @Option(help: "Clients, each with its own connection to the orderer.")
    var clients = 4

    @Option(help: ArgumentHelp("Unanswered transactions each client may have in flight.", valueName: "N"))
    var window = 20

    @Option(name: .customLong("value-size"), help: ArgumentHelp("Bytes of each transaction's value.", valueName: "bytes"))
    var valueSize = 64

    @Option(name: .customLong("max-rate"), help: ArgumentHelp("Transactions signed in advance per second of the run (the run stops early when they run out).", valueName: "per-second"))
    var maximumRate = 12_000

    @Option(help: ArgumentHelp("Seconds to wait for the network and for every peer to commit.", valueName: "S"))
    var timeout: Double = 120

    @Flag(help: "Print the result as JSON (every transaction's latency included).")
    var json = false

    struct Result: Encodable {
        let acceptedPerSecond: Double
        let committedPerSecond: Double
        let latencyMilliseconds: Percentiles?
        let measurement: ThroughputBench.Measurement
    }

    func validate() throws {
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
        guard clients >= 1, window >= 1, valueSize >= 1, maximumRate >= 1 else {
            throw ValidationError("--clients, --window, --value-size and --max-rate must be at least 1")
        }
    }

    func run() async throws {
        try await Console.reportingErrors {
            let parameters = ThroughputBench.Parameters(seconds: seconds, clients: clients, window: window, valueSize: valueSize,
                                                        maximumRate: maximumRate, timeout: timeout, executable: UpCommand.executable())
            let m = try await ThroughputBench.run(parameters) { Console.progress($0) }
            Console.progress("", done: false)
            let latency = Percentiles(m.latencyMilliseconds)
            if json {
                print(try Console.json(Result(acceptedPerSecond: m.acceptedPerSecond, committedPerSecond: m.committedPerSecond,
                                              latencyMilliseconds: latency, measurement: m)))
                return
            }
            func ms(_ value: Double?) -> String { value.map { String(format: "%.0f ms", $0) } ?? "-" }
            print(Console.table([
                ["CLIENTS", "SUBMITTED", "ACCEPTED", "BLOCKS", "ACCEPTED/S", "COMMITTED ON ALL PEERS/S", "LATENCY p50", "p90", "p99", "max"],
                ["\(m.clients)", "\(m.submitted)", "\(m.accepted)", "\(m.blocks)", String(format: "%.0f", m.acceptedPerSecond),
                 String(format: "%.0f", m.committedPerSecond), ms(latency?.p50), ms(latency?.p90), ms(latency?.p99), ms(latency?.max)],
            ]))
            print("\(m.peers) peers; latency: submit → committed on every peer; goal ≥ 5,000 transactions/s committed on all peers"
                  + (m.ranOut ? "\nthe pre-signed transactions ran out before the end: raise --max-rate" : ""))
        }
    }
}
