import ArgumentParser
import FabnetBench
import Foundation
import PeerNode

/// `fabnet bench followerpath` (hidden): a fixed in-process follower workload for callgrind.
struct BenchFollowerPath: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "followerpath",
        abstract: "Push signed blocks through a follower's decode → verify → core → commit path, in process.",
        discussion: """
        Makes a network's material and --blocks orderer-signed blocks in a temporary folder, then hands \
        each block in as a gossip push from an org mate: no sockets, no timers. The setup is the same for \
        --blocks 0, so two runs' difference is the path alone.

        Examples:
          fabnet bench followerpath --blocks 50
          valgrind --tool=callgrind .build/release/fabnet bench followerpath --blocks 500
        """,
        shouldDisplay: false
    )

    @Option(help: "Blocks to push.")
    var blocks = 500

    @Option(help: "Transactions per block.")
    var transactions = 4

    func run() async throws {
        BenchBystanders.warnIfAny()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-bench-followerpath-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try await FollowerPathBench.run(blocks: blocks, transactions: transactions, directory: folder)
        print("committed \(result.committed) blocks (\(result.frameBytes) frame bytes); path CPU \(String(format: "%.3f", result.pathCPUSeconds)) s")
    }
}
