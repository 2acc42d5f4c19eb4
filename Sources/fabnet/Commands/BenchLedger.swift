import ArgumentParser
import FabnetWire
import FabnetBench
import FabricWire
import Foundation
import Ledger

/// `fabnet bench ledger`: what durability costs per block append.
struct BenchLedger: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Time block appends with fsync on every append (fabnet's policy) and with OS buffering.",
        discussion: """
        Appends --blocks blocks of one --size-byte transaction into a fresh temporary ledger per mode; prints p50 / p99 / max per append and blocks/s.

        Examples:
          fabnet bench ledger
          fabnet bench ledger --blocks 2000 --size 16384 --directory /var/tmp --json
        """
    )

    @Option(help: "Blocks per mode.")
    var blocks = 500

    @Option(help: "Bytes of each block's transaction.")
    var size = 4096

    @Option(help: ArgumentHelp("Folder for the temporary ledgers (the disk being measured).", valueName: "DIR"))
    var directory = FileManager.default.temporaryDirectory.path

    @Flag(help: "Print the result as JSON.")
    var json = false

    struct ModeResult: Encodable {
        let mode: String
        let p50Microseconds: Double
        let p99Microseconds: Double
        let maxMicroseconds: Double
        let blocksPerSecond: Double
    }

    func run() throws {
        BenchBystanders.warnIfAny()
        try Console.reportingErrors {
            var results: [ModeResult] = []
            for (name, durability) in [("fsync each append", LedgerDurability.fsyncEachAppend), ("OS buffered", .osBuffered)] {
                let folder = URL(fileURLWithPath: directory).appendingPathComponent("fabnet-bench-ledger-\(getpid())-\(results.count)")
                defer { try? FileManager.default.removeItem(at: folder) }
                let (ledger, _) = try ChannelLedger.open(directory: folder, channel: "bench", durability: durability)
                var previous = Data()
                var latencies: [Double] = []
                // One canonical envelope of about `size` bytes (a ledger refuses entries that are not).
                var envelope = Common_Envelope()
                envelope.payload = Data((0..<max(1, size - 8)).map { UInt8(truncatingIfNeeded: $0) })
                envelope.signature = Data(repeating: 1, count: 4)
                let payload: Data = try envelope.serializedBytes()
                let total = try Stopwatch.time {
                    for number in 0..<UInt64(blocks) {
                        var block = Common_Block()
                        block.header.number = number
                        block.header.previousHash = previous
                        block.data.data = [payload]
                        block.header.dataHash = BlockDataRules.dataHash(block.data.data)
                        block.metadata = BlockMetadataLayout.empty
                        latencies.append(try Stopwatch.time { try ledger.append(block) }.seconds * 1e6)
                        previous = BlockHeaderBytes.hash(block.header)
                    }
                }.seconds
                latencies.sort()
                results.append(ModeResult(
                    mode: name, p50Microseconds: latencies[latencies.count / 2],
                    p99Microseconds: latencies[min(latencies.count - 1, latencies.count * 99 / 100)],
                    maxMicroseconds: latencies.last ?? 0, blocksPerSecond: Double(blocks) / total))
            }
            if json {
                print(try Console.json(results))
                return
            }
            print(Console.table([["MODE", "P50", "P99", "MAX", "BLOCKS/S"]] + results.map {
                [$0.mode, String(format: "%.0f µs", $0.p50Microseconds), String(format: "%.0f µs", $0.p99Microseconds),
                 String(format: "%.0f µs", $0.maxMicroseconds), String(format: "%.0f", $0.blocksPerSecond)]
            }))
            print("\(blocks) blocks of \(size) bytes per mode, in \(directory)")
        }
    }
}
