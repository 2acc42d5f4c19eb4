import FabnetModel
import GossipCore
import Simulator
import Testing

/// Leader election over real (simulated) membership: one leader per org and channel.
@Suite struct ElectionSimulationTests {
    @Test(arguments: [1, 2, 3] as [UInt64])
    func everyOrgElectsExactlyOneLeaderPerChannel(seed: UInt64) {
        let topology = Topology(orgs: 3, peersPerOrg: 5)
        var network = topology.network(seed: seed, channels: ["alpha", "beta"], mode: .dynamic)
        network.run(until: GossipTime.zero + .seconds(10))
        for channel in ["alpha", "beta"] {
            let leaders = network.leaders(of: channel)
            #expect(leaders.keys.sorted() == ["Org1MSP", "Org2MSP", "Org3MSP"], "\(channel): \(leaders)")
            #expect(leaders.values.allSatisfy { $0.count == 1 }, "\(channel): \(leaders)")
        }
    }

    @Test func leaderCrashIsReplacedAndAPartitionHealsToOneLeader() {
        let topology = Topology(orgs: 1, peersPerOrg: 6)
        var network = topology.network(seed: 3, channels: ["alpha"], mode: .dynamic)
        network.run(until: GossipTime.zero + .seconds(8))
        let first = network.leaders(of: "alpha")["Org1MSP"] ?? []
        #expect(first.count == 1)
        network.crash(first[0])
        network.run(for: .seconds(8))
        let second = network.leaders(of: "alpha")["Org1MSP"] ?? []
        #expect(second.count == 1 && second != first, "\(second)")
        let running = (0..<6).filter { $0 != first[0] }
        network.partition([Array(running.prefix(2)), Array(running.suffix(3))])
        network.run(for: .seconds(8))
        #expect(network.leaders(of: "alpha")["Org1MSP"]?.count == 2)
        network.heal()
        network.run(for: .seconds(8))
        #expect(network.leaders(of: "alpha")["Org1MSP"]?.count == 1)
    }
}
