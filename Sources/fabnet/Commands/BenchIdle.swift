import ArgumentParser
import FabnetBench
import FabnetModel
import Foundation

/// `fabnet bench idle`: the CPU a network burns when nothing happens, as it grows.
struct BenchIdle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idle",
        abstract: "CPU time of an idle network's nodes as it grows, and its membership's health.",
        discussion: """
        For each size in --peers, starts the default network with --orgs peer orgs (orgs beyond \
        the description's two are copies of Org2) and the peers spread evenly over them, waits \
        --settle seconds after ready, then reads the CPU time (user + system) of every node over \
        --seconds. Reported per size: cores kept busy, CPU ms per peer per second, members \
        declared dead (the sum of fabnet_membership_declared_dead_total over all peers: 0 in a \
        healthy network) and the leaders of each org's channel (1 each).

        Examples:
          fabnet bench idle --peers 4,20,50,100
          fabnet bench idle --peers 20 --membership fabric --seconds 30 --json
        """
    )

    @Option(help: ArgumentHelp("Network sizes, comma-separated.", valueName: "N,N,…"))
    var peers = "4,20,50,100"

    @Option(help: "Peer orgs.")
    var orgs = 2

    @Option(help: "The membership algorithm the peers run: swim (fabnet's default) or fabric (Fabric's heartbeats, fabnet's timers).")
    var membership: MembershipAlgorithm = .swim

    @Option(help: ArgumentHelp("Seconds between ready and the start of the measurement.", valueName: "S"))
    var settle: Double = 10

    @Option(help: ArgumentHelp("Seconds of measurement.", valueName: "S"))
    var seconds: Double = 60

    @Option(help: ArgumentHelp("Seconds to wait for each network to be ready.", valueName: "S"))
    var timeout: Double = 120

    @Flag(help: "Print the results as JSON.")
    var json = false

    var sizes: [Int] { peers.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func validate() throws {
        guard !sizes.isEmpty, sizes.count == peers.split(separator: ",").count, sizes.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--peers takes sizes such as 4,20,50,100")
        }
        guard orgs >= 1, sizes.allSatisfy({ $0 >= orgs }) else { throw ValidationError("--orgs must be at least 1 and at most the smallest size") }
        guard seconds > 0, settle >= 0 else { throw ValidationError("--seconds must be positive and --settle not negative") }
    }

    func run() async throws {
        BenchBystanders.warnIfAny()
        try await Console.reportingErrors {
            var results: [IdleBench.Measurement] = []
            for size in sizes {
                let parameters = IdleBench.Parameters(peers: size, orgs: orgs, membership: membership, settle: settle, seconds: seconds,
                                                      timeout: timeout, executable: UpCommand.executable())
                results.append(try await IdleBench.run(parameters) { Console.progress($0) })
            }
            Console.progress("", done: false)
            if json {
                print(try Console.json(results))
                return
            }
            print(Console.table([["PEERS", "ORGS", "MEMBERSHIP", "READY", "CPU TO READY", "CPU", "CORES", "MS/PEER/S", "DECLARED DEAD", "LEADERS"]] + results.map { result in
                [String(result.peers), String(result.orgs), result.membership, String(format: "%.1f s", result.readySeconds), String(format: "%.1f s", result.cpuSecondsToReady),
                 String(format: "%.1f s", result.cpuSeconds), String(format: "%.2f", result.cores),
                 String(format: "%.1f", result.perPeerMillisecondsPerSecond), String(result.declaredDead),
                 result.leadersPerOrgAndChannel.values.allSatisfy { $0 == 1 } ? "1 per org" : result.leadersPerOrgAndChannel.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")]
            }))
            print("CPU: all nodes over \(Int(seconds)) s, from \(Int(settle)) s after ready")
        }
    }
}

extension MembershipAlgorithm: ExpressibleByArgument {}
