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
        every 500 transactions or 250 ms). --clients clients, each with its own connection, keep \
        --window transactions in flight for --seconds.

        --via gateway (the default) submits as a fabric-gateway application does, client i on \
        peer i's Gateway: Endorse a proposal of the built-in contract (put, signed in advance; \
        endorsed by both orgs under the channel's MAJORITY Endorsement), sign the prepared \
        transaction, Submit. --via orderer sends pre-signed unendorsed envelopes straight to the \
        orderer: the ordering and commit path alone (fabnet's namespace takes the creator's \
        signature alone, so they commit VALID without endorsements).

        Reported: transactions submitted, accepted and VALID on every peer; accepted per second; \
        committed on every peer per second (first submission → last commit on the last peer); \
        p50 / p90 / p99 / max of submit → committed on every peer; and the ceiling this machine's \
        signature checks allow: ECDSA verifications per second on all cores (measured first) \
        divided by V, the verifications one transaction costs in all processes together. And \
        where the CPU went while the clients submitted: milliseconds of CPU per transaction in the \
        clients (this process), the orderer and the peers (from /proc), and how much of it the \
        signature checks and signatures take at the measured rates.

        Examples:
          fabnet bench throughput
          fabnet bench throughput --via orderer --seconds 5 --clients 8 --json
        """
    )

    @Option(help: ArgumentHelp("Where the clients submit: gateway (endorse and submit through the peers' Gateways) or orderer (unendorsed, straight to the orderer).", valueName: "path"))
    var via: ThroughputBench.Path = .gateway

    @Option(help: ArgumentHelp("Seconds the clients submit.", valueName: "S"))
    var seconds: Double = 10

    @Option(help: "Clients, each with its own connection to the orderer.")
    var clients = 4

    @Option(help: ArgumentHelp("Unanswered transactions each client may have in flight.", valueName: "N"))
    var window = 20

    @Option(name: .customLong("value-size"), help: ArgumentHelp("Bytes of each transaction's value.", valueName: "bytes"))
    var valueSize = 64

    @Option(name: .customLong("max-rate"), help: ArgumentHelp("Transactions signed in advance per second of the run (the run stops early when they run out); default 12000 to the orderer, 5000 through the gateway.", valueName: "per-second"))
    var maximumRate: Int?

    @Option(help: ArgumentHelp("Seconds to wait for the network and for every peer to commit.", valueName: "S"))
    var timeout: Double = 120

    @Option(name: .customLong("calibration-seconds"), help: ArgumentHelp("Seconds to measure the verification and signing rates for, before the network starts.", valueName: "S"))
    var calibrationSeconds: Double = 2

    @Flag(help: "Print the result as JSON (every transaction's latency included).")
    var json = false

    struct Result: Encodable {
        let acceptedPerSecond: Double
        let committedPerSecond: Double
        let latencyMilliseconds: Percentiles?
        let ceiling: Double
        let cpuMillisecondsPerTransaction: ThroughputBench.Measurement.TransactionCost?
        let measurement: ThroughputBench.Measurement
    }

    func validate() throws {
        guard seconds > 0, calibrationSeconds > 0 else { throw ValidationError("--seconds and --calibration-seconds must be positive") }
        guard clients >= 1, window >= 1, valueSize >= 1, (maximumRate ?? 1) >= 1 else {
            throw ValidationError("--clients, --window, --value-size and --max-rate must be at least 1")
        }
    }

    func run() async throws {
        BenchBystanders.warnIfAny()
        try await Console.reportingErrors {
            let parameters = ThroughputBench.Parameters(path: via, seconds: seconds, clients: clients, window: window, valueSize: valueSize,
                                                        maximumRate: maximumRate ?? (via == .gateway ? 5_000 : 12_000),
                                                        timeout: timeout, calibrationSeconds: calibrationSeconds, executable: UpCommand.executable())
            let m = try await ThroughputBench.run(parameters) { Console.progress($0) }
            Console.progress("", done: false)
            let latency = Percentiles(m.latencyMilliseconds)
            if json {
                print(try Console.json(Result(acceptedPerSecond: m.acceptedPerSecond, committedPerSecond: m.committedPerSecond,
                                              latencyMilliseconds: latency, ceiling: m.ceiling, cpuMillisecondsPerTransaction: m.transactionCost(),
                                              measurement: m)))
                return
            }
            func ms(_ value: Double?) -> String { value.map { String(format: "%.0f ms", $0) } ?? "-" }
            print(Console.table([
                ["VIA", "CLIENTS", "SUBMITTED", "ACCEPTED", "VALID", "BLOCKS", "ACCEPTED/S", "COMMITTED ON ALL PEERS/S", "LATENCY p50", "p90", "p99", "max"],
                [m.path.rawValue, "\(m.clients)", "\(m.submitted)", "\(m.accepted)", "\(m.validOnEveryPeer)", "\(m.blocks)",
                 String(format: "%.0f", m.acceptedPerSecond), String(format: "%.0f", m.committedPerSecond),
                 ms(latency?.p50), ms(latency?.p90), ms(latency?.p99), ms(latency?.max)],
            ]))
            print(String(format: "ceiling: %.0f verifications/s on %d cores ÷ V = %d per transaction = %.0f tx/s; committed %.0f%% of it",
                         m.verificationsPerSecond, ProcessInfo.processInfo.activeProcessorCount, m.verificationsPerTransaction, m.ceiling,
                         100 * m.committedPerSecond / max(m.ceiling, 1)))
            print(String(format: "signing: %.0f signatures/s on all cores; %d per transaction during the run", m.signaturesPerSecond, m.signaturesPerTransaction))
            if let cost = m.transactionCost(), let cpu = m.cpu {
                func f(_ value: Double) -> String { String(format: "%.2f", value) }
                let each = cpu.peerCores.map { f(m.milliseconds($0)) }.joined(separator: ", ")
                print("CPU per transaction: \(f(cost.total)) ms (\(f(cpu.totalCores)) cores busy): clients \(f(cost.clients)), "
                      + "orderer \(f(cost.orderer)), peers \(f(cost.peers)) (\(each) each); of it signature checks "
                      + "\(f(cost.signatureChecks)), signing \(f(cost.signing)), everything else \(f(cost.rest))")
            }
            print("\(m.peers) peers; latency: submit → committed on every peer"
                  + (m.refused > 0 ? "\n\(m.refused) not accepted, the first: \(m.firstRefusal ?? "?")" : "")
                  + (m.ranOut ? "\nthe pre-signed transactions ran out before the end: raise --max-rate" : ""))
        }
    }
}

extension ThroughputBench.Path: ExpressibleByArgument {}
