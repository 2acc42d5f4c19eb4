import FabnetModel
import GossipCore
import Simulator
import Testing

/// 100 seeds, each with random crashes, restarts (with and without ledger), partitions and 2 %
/// message loss while two channels carry blocks; every invariant must hold during the run and
/// once it settled.
@Suite struct FaultSweepTests {
    /// One seed at a time, off the test runner's threads (see `offPool`).
    @Test func hundredSeedsWithFaultsKeepEveryInvariant() async {
        var failures: [String] = []
        for seed in 1...100 as ClosedRange<UInt64> {
            if let failure = await offPool({ Self.run(seed: seed) }) { failures.append(failure) }
        }
        #expect(failures.isEmpty, "\(failures.count) of 100 seeds broke an invariant:\n\(failures.prefix(3).joined(separator: "\n"))")
    }

    /// A description of what broke with `seed`, or nil when every invariant held.
    static func run(seed: UInt64) -> String? {
        var topology = Topology(orgs: 2, peersPerOrg: 4)
        topology.channelOrganizations = ["alpha": ["Org1MSP", "Org2MSP"], "beta": ["Org1MSP"]]
        topology.channelsOf = { org, peer in org == 0 && peer < 3 ? ["alpha", "beta"] : ["alpha"] }
        var network = topology.network(seed: seed, loss: 0.02, mode: .dynamic)
        var random = SeededGenerator(seed: seed &* 7919)
        let plan = FaultPlan.random(peers: 8, count: 3, from: GossipTime.zero + .seconds(2), until: GossipTime.zero + .seconds(8),
                                    random: &random)
        network.schedule(plan)
        network.produceBlocks(channel: "alpha", count: 40, every: .milliseconds(100), size: 256, startingAt: GossipTime.zero + .seconds(2))
        network.produceBlocks(channel: "beta", count: 20, every: .milliseconds(200), size: 256, startingAt: GossipTime.zero + .seconds(2))
        network.run(until: GossipTime.zero + .seconds(20))
        network.checkSettled()
        guard !network.violations.isEmpty else { return nil }
        return """
            seed \(seed), faults \(plan.faults.map { "\($0.fault)@\($0.at)" }):
              \(network.violations.prefix(5).joined(separator: "\n  "))
              last events before the first violation:
                \(network.traceOfFirstViolation.suffix(20).joined(separator: "\n    "))
            """
    }

    @Test func faultListsParse() throws {
        let plan = try FaultPlan.parse("crash:3@2s, restart:3@5, restart-empty:4@6s,partition:0-3/4+6@3s,heal@4s")
        #expect(plan.faults.map(\.fault) == [.crash(3), .partition([[0, 1, 2, 3], [4, 6]]), .heal, .restart(3, keepLedger: true),
                                             .restart(4, keepLedger: false)])
        #expect(plan.highestPeer == 6)
        #expect(throws: FaultPlanError.self) { try FaultPlan.parse("explode:3@2s") }
        #expect(throws: FaultPlanError.self) { try FaultPlan.parse("crash:3") }
    }
}
