import FabnetModel
import GossipCore
import Simulator
import Testing

/// Peers that were away, are new, or have no leader in their org catch up by state transfer.
@Suite struct StateTransferSimulationTests {
    @Test(arguments: [true, false])
    func aPeerAwayForFiveHundredBlocksCatchesUp(keepLedger: Bool) {
        let topology = Topology(orgs: 1, peersPerOrg: 4)
        var network = topology.network(seed: 11, channels: ["alpha"], mode: .dynamic)
        network.produceBlocks(channel: "alpha", count: 520, every: .milliseconds(10), size: 256, startingAt: GossipTime.zero + .seconds(2))
        network.run(until: GossipTime.zero + .milliseconds(2150))
        let away = network.peers.indices.first { network.peers[$0].pulling.isEmpty }!
        let heightWhenLeaving = network.peers[away].height(of: "alpha")
        network.crash(away)
        network.run(until: GossipTime.zero + .seconds(8))
        #expect(network.peers[away].height(of: "alpha") == heightWhenLeaving)
        network.schedule(.restart(away, keepLedger: keepLedger), at: network.now)
        // Caught up before its first state check (1 s after the restart): the heights its org
        // peers send when they see it alive start the transfer at once.
        network.run(until: GossipTime.zero + .milliseconds(8900))
        #expect(network.peers[away].height(of: "alpha") == 520)
        network.run(until: GossipTime.zero + .seconds(14))
        network.checkSettled()
        #expect(network.violations.isEmpty, "\(network.violations)")
        #expect(network.peers[away].height(of: "alpha") == 520)
        let transfer = network.peers[away].gossip.transfers["alpha"]!
        #expect(transfer.requestsSent >= 450 / topology.settings.state.batchSize, "the gap (over 500 blocks) was closed by state transfer")
    }

    @Test func anOrgWithoutLeaderCatchesUpFromAnotherOrg() {
        var topology = Topology(orgs: 2, peersPerOrg: 3)
        topology.modeOf = { org, _ in org == 0 ? .dynamic : .standby }
        var network = topology.network(seed: 4, channels: ["alpha"], mode: .dynamic)
        network.produceBlocks(channel: "alpha", count: 60, every: .milliseconds(20), size: 128, startingAt: GossipTime.zero + .seconds(2))
        network.run(until: GossipTime.zero + .seconds(8))
        network.checkSettled()
        #expect(network.violations.isEmpty, "\(network.violations)")
        for org in 0..<2 {
            for peer in 0..<3 { #expect(network.peers[topology.index(org, peer)].height(of: "alpha") == 60, "org \(org) peer \(peer)") }
        }
        #expect(network.ordererDeliveries == 60, "only Org1's leader pulls from the orderer")
    }
}

/// Two channels with different members never leak into each other.
@Suite struct ChannelIsolationSimulationTests {
    @Test(arguments: [1, 2, 3] as [UInt64])
    func twoChannelsStayIsolated(seed: UInt64) {
        var topology = Topology(orgs: 3, peersPerOrg: 3)
        // alpha: every peer of Org1 and Org2, and Org3's peer0; beta: Org1's peers 0 and 1 only.
        topology.channelOrganizations = ["alpha": ["Org1MSP", "Org2MSP", "Org3MSP"], "beta": ["Org1MSP"]]
        topology.channelsOf = { org, peer in
            switch (org, peer) {
            case (0, 0), (0, 1): return ["alpha", "beta"]
            case (2, 1), (2, 2): return []
            default: return ["alpha"]
            }
        }
        var network = topology.network(seed: seed, mode: .dynamic)
        network.produceBlocks(channel: "alpha", count: 20, every: .milliseconds(50), size: 512, startingAt: GossipTime.zero + .seconds(2))
        network.produceBlocks(channel: "beta", count: 30, every: .milliseconds(30), size: 512, startingAt: GossipTime.zero + .seconds(2))
        network.run(until: GossipTime.zero + .seconds(7))
        network.checkSettled()
        #expect(network.violations.isEmpty, "\(network.violations)\n\(network.traceOfFirstViolation.joined(separator: "\n"))")
        for index in network.peers.indices {
            let peer = network.peers[index]
            #expect(peer.height(of: "alpha") == (peer.channels.contains("alpha") ? 20 : 0), "peer \(index)")
            #expect(peer.height(of: "beta") == (peer.channels.contains("beta") ? 30 : 0), "peer \(index)")
        }
        #expect(network.leaders(of: "beta").keys.sorted() == ["Org1MSP"])
        #expect(Set(network.leaders(of: "alpha").keys) == ["Org1MSP", "Org2MSP", "Org3MSP"])
        // Org3's peers outside every channel still see the other orgs (membership is per org).
        #expect(network.peers[topology.index(2, 2)].membership.aliveCount == 8)
    }
}
