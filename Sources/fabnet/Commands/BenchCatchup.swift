import ArgumentParser
import FabnetBench
import Foundation
import Orchestrator

/// `fabnet bench catchup`: how fast a peer that was away catches up.
struct BenchCatchup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catchup",
        abstract: "How fast a peer that was stopped catches up on the blocks it missed.",
        discussion: """
        Starts the default network (orderer and 4 peers on 127.0.0.1) with every transaction cut \
        into its own block, stops a peer that leads nothing, has the orderer cut --blocks blocks \
        (one transaction of --value-size bytes each) and waits until the running peers hold \
        them, then starts the peer again. Reported: spawn → healthy, spawn → holding every block, \
        and its first → last catch-up commit (from its own /commits records), as blocks per \
        second; which way the blocks came (state transfer, pull, push).

        Examples:
          fabnet bench catchup
          fabnet bench catchup --blocks 2000 --json
        """
    )

    @Option(help: "Blocks the peer misses (one transaction each).")
    var blocks = 10_000

    @Option(name: .customLong("value-size"), help: ArgumentHelp("Bytes of each block's transaction value.", valueName: "bytes"))
    var valueSize = 64

    @Option(help: ArgumentHelp("Seconds to wait for the network, for the blocks to be cut, and for the catch-up.", valueName: "S"))
    var timeout: Double = 300

    @Flag(help: "Print the result as JSON.")
    var json = false

    struct Result: Encodable {
        let blocksPerSecond: Double
        let blocksPerSecondFromRestart: Double
        let measurement: CatchupBench.Measurement
    }

    func validate() throws {
        guard blocks >= 1 else { throw ValidationError("--blocks must be at least 1") }
        guard valueSize >= 1 else { throw ValidationError("--value-size must be at least 1") }
    }

    func run() async throws {
        BenchBystanders.warnIfAny()
        try await Console.reportingErrors {
            let parameters = CatchupBench.Parameters(blocks: blocks, valueSize: valueSize, timeout: timeout, executable: UpCommand.executable())
            let measurement = try await CatchupBench.run(parameters) { Console.progress($0) }
            Console.progress("", done: false)
            let result = Result(blocksPerSecond: measurement.blocksPerSecond, blocksPerSecondFromRestart: measurement.blocksPerSecondFromRestart,
                                measurement: measurement)
            if json {
                print(try Console.json(result))
                return
            }
            let m = measurement
            print(Console.table([
                ["PEER", "BLOCKS", "CUT IN", "SPAWN → HEALTHY", "SPAWN → HEIGHT", "FIRST → LAST COMMIT", "BLOCKS/S", "BLOCKS/S FROM SPAWN", "VIA STATE TRANSFER / PULL / PUSH"],
                [m.peer, "\(m.fromHeight) → \(m.toHeight)", String(format: "%.2f s", m.produceSeconds),
                 String(format: "%.3f s", m.restartToHealthySeconds), String(format: "%.3f s", m.restartToHeightSeconds),
                 String(format: "%.3f s", m.transferSeconds), String(format: "%.0f", m.blocksPerSecond),
                 String(format: "%.0f", m.blocksPerSecondFromRestart), "\(m.viaStateTransfer) / \(m.viaPull) / \(m.viaPush)"],
            ]))
            print(String(format: "%d blocks of %.0f bytes on the wire; goal ≥ 10,000 blocks/s", m.blocks, m.blockBytes))
        }
    }
}
