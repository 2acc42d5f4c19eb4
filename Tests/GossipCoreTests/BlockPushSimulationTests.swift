import FabnetModel
import GossipCore
import Simulator
import Testing

/// Blocks from the orderer reach the org leader only, then every org peer by push: in order,
/// once each, never across orgs.
@Suite struct BlockPushSimulationTests {
    @Test(arguments: [1, 2] as [UInt64])
    func leaderPullsAndPushReachesTheWholeOrg(seed: UInt64) {
        var topology = Topology(orgs: 1, peersPerOrg: 8)
        topology.settings.propagatePeerNum = 7  // until pull closes the gaps, a full fanout makes delivery certain
        var network = topology.network(seed: seed, channels: ["alpha"], mode: .dynamic)
        network.produceBlocks(channel: "alpha", count: 30, every: .milliseconds(50), size: 1024, startingAt: GossipTime.zero + .seconds(3))
        network.run(until: GossipTime.zero + .seconds(6))
        #expect(network.violations.isEmpty, "\(network.violations)")
        for index in network.peers.indices {
            #expect(network.peers[index].commitTimes["alpha"]?.count == 30, "peer \(index)")
        }
        #expect(network.ordererDeliveries == 30, "only the one leader pulls from the orderer")
    }

    @Test func blocksStayInsideEachOrg() {
        var topology = Topology(orgs: 2, peersPerOrg: 4)
        topology.settings.propagatePeerNum = 3
        var network = topology.network(seed: 5, channels: ["alpha"], mode: .dynamic)
        network.produceBlocks(channel: "alpha", count: 10, every: .milliseconds(100), size: 512, startingAt: GossipTime.zero + .seconds(3))
        network.run(until: GossipTime.zero + .seconds(6))
        #expect(network.violations.isEmpty, "\(network.violations)")
        #expect(network.ordererDeliveries == 20, "one leader per org")
        for index in network.peers.indices { #expect(network.peers[index].commitTimes["alpha"]?.count == 10, "peer \(index)") }
    }

    @Test func aNewLeaderContinuesFromItsHeight() {
        var topology = Topology(orgs: 1, peersPerOrg: 5)
        topology.settings.propagatePeerNum = 4
        var network = topology.network(seed: 8, channels: ["alpha"], mode: .dynamic)
        network.produceBlocks(channel: "alpha", count: 40, every: .milliseconds(100), size: 256, startingAt: GossipTime.zero + .seconds(3))
        network.run(until: GossipTime.zero + .seconds(4))
        let leader = network.leaders(of: "alpha")["Org1MSP"]![0]
        network.crash(leader)
        network.run(until: GossipTime.zero + .seconds(9))
        #expect(network.violations.isEmpty, "\(network.violations)")
        for index in network.peers.indices where index != leader {
            #expect(network.peers[index].commitTimes["alpha"]?.count == 40, "peer \(index)")
        }
    }
}

/// Pull closes the gaps push leaves, and carries everything when push is off.
@Suite struct BlockPullSimulationTests {
    /// Pull serves only the last `maxBlockCountToStore` (10) blocks, as Fabric: at 5 blocks per
    /// second a block the push missed is still in everyone's window at the next pull (1 s).
    /// Faster blocks outrun the window; state transfer (next) covers that.
    @Test(arguments: [7, 8] as [UInt64])
    func withFabnetsDefaultFanoutEveryBlockArrives(seed: UInt64) {
        let topology = Topology(orgs: 1, peersPerOrg: 16)
        var network = topology.network(seed: seed, channels: ["alpha"], mode: .dynamic)
        network.produceBlocks(channel: "alpha", count: 30, every: .milliseconds(200), size: 1024, startingAt: GossipTime.zero + .seconds(2))
        network.run(until: GossipTime.zero + .seconds(12))
        #expect(network.violations.isEmpty, "\(network.violations)")
        for index in network.peers.indices { #expect(network.peers[index].commitTimes["alpha"]?.count == 30, "peer \(index)") }
    }

    /// Under tree push an idle channel sends no pull messages: every org peer's height is known
    /// and none is above this peer's; the next block starts pulls again only where one is missed.
    @Test func anIdleChannelPullsNothing() {
        let topology = Topology(orgs: 2, peersPerOrg: 5)
        var network = topology.network(seed: 4, channels: ["alpha"], mode: .dynamic)
        let pull = GossipMessage.kinds.firstIndex(of: "pull")!
        func pullBytes() -> Int { network.peers.reduce(0) { $0 + $1.bytesReceivedByKind[pull] } }
        network.produceBlocks(channel: "alpha", count: 5, every: .milliseconds(100), size: 512, startingAt: GossipTime.zero + .seconds(2))
        network.run(until: GossipTime.zero + .seconds(5))
        let settled = pullBytes()
        network.run(until: GossipTime.zero + .seconds(15))
        #expect(network.violations.isEmpty, "\(network.violations)")
        for index in network.peers.indices { #expect(network.peers[index].commitTimes["alpha"]?.count == 5, "peer \(index)") }
        #expect(pullBytes() == settled, "pull traffic in ten idle seconds")
    }

    @Test func withPushOffEveryBlockStillArrivesByPull() {
        var topology = Topology(orgs: 2, peersPerOrg: 5)
        topology.settings.propagateIterations = 0
        topology.settings.state.enabled = false  // pull alone, not state transfer
        var network = topology.network(seed: 3, channels: ["alpha"], mode: .dynamic)
        network.produceBlocks(channel: "alpha", count: 10, every: .milliseconds(100), size: 512, startingAt: GossipTime.zero + .seconds(2))
        network.run(until: GossipTime.zero + .seconds(10))
        #expect(network.violations.isEmpty, "\(network.violations)")
        for index in network.peers.indices { #expect(network.peers[index].commitTimes["alpha"]?.count == 10, "peer \(index)") }
    }
}
