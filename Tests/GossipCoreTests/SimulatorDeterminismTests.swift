import FabnetModel
import GossipCore
import Simulator
import Testing

/// The simulator runs peers on several threads between synchronisation points; a seed must
/// still give the same run, event for event, whatever the thread count.
@Suite struct SimulatorDeterminismTests {
    /// What a run produced, in enough detail that any reordering shows: every peer's commit
    /// times and hops, its traffic counters, its view and its log.
    struct Outcome: Equatable, Sendable {
        let commits: [[String: [UInt64: GossipTime]]]
        let hops: [[String: [UInt64: Int]]]
        let counters: [[Int]]
        let views: [[PKIID]]
        let logs: [[String]]
        let totals: [Int]
        let violations: [String]

        /// The parts that differ from `other` (short, for a failure message).
        func differences(from other: Outcome) -> [String] {
            var parts: [String] = []
            if commits != other.commits { parts.append("commit times") }
            if hops != other.hops { parts.append("hops") }
            if counters != other.counters { parts.append("traffic counters") }
            if views != other.views { parts.append("views") }
            if logs != other.logs { parts.append("logs") }
            if totals != other.totals { parts.append("totals \(totals) vs \(other.totals)") }
            return parts
        }
    }

    static func run(threads: Int, seed: UInt64) -> Outcome {
        // 24 peers: windows often have the 2 × threads busy peers that turn threads on.
        let topology = Topology(orgs: 3, peersPerOrg: 8)
        var network = SimulatedNetwork(options: .init(loss: 0.01, seed: seed, threads: threads))
        for org in 0..<topology.orgs {
            for peer in 0..<topology.peersPerOrg {
                network.start(network.addPeer(topology.configuration(org, peer), channels: ["alpha"], mode: .dynamic))
            }
        }
        network.schedule(.crash(5), at: GossipTime.zero + .seconds(2))
        network.schedule(.restart(5, keepLedger: false), at: GossipTime.zero + .seconds(3))
        network.produceBlocks(channel: "alpha", count: 30, every: .milliseconds(50), size: 1024, startingAt: GossipTime.zero + .seconds(1))
        network.run(until: GossipTime.zero + .seconds(8))
        network.checkSettled()
        return Outcome(commits: network.peers.map(\.commitTimes), hops: network.peers.map(\.hops),
                       counters: network.peers.map { [$0.sent, $0.received, $0.bytesSent, $0.bytesReceived, $0.blocksReceived] },
                       views: network.peers.map { $0.membership.aliveMembers.map(\.alive.pkiID) }, logs: network.peers.map(\.log),
                       totals: [network.delivered, network.dropped, network.leaderChanges, network.ordererDeliveries],
                       violations: network.violations)
    }

    /// Runs off the test runner's threads (see `offPool`).
    @Test(arguments: [1, 7] as [UInt64])
    func sameSeedSameRunOnOneOrManyThreads(seed: UInt64) async {
        let serial = await offPool { Self.run(threads: 1, seed: seed) }
        #expect(serial.violations.isEmpty, "\(serial.violations.prefix(3))")
        #expect(serial.commits.allSatisfy { $0["alpha"]?.count == 30 })
        for threads in [2, 4] {
            let differences = await offPool { Self.run(threads: threads, seed: seed) }.differences(from: serial)
            #expect(differences.isEmpty, "\(threads) threads differ from one in: \(differences.joined(separator: ", "))")
        }
    }

    @Test func anotherSeedGivesAnotherRun() async {
        let first = await offPool { Self.run(threads: 2, seed: 1) }
        #expect(await !offPool { Self.run(threads: 2, seed: 2) }.differences(from: first).isEmpty)
    }
}
