import FabnetModel
import GossipCore
import Simulator
import Testing

/// Membership across orgs, in the simulator (virtual time, seeded, no sockets, no sleeps).
@Suite struct MembershipSimulationTests {
    @Test(arguments: [1, 2, 3] as [UInt64])
    func threeOrgsOfFiveReachFullMembershipThroughAnchorsOnly(seed: UInt64) {
        let topology = Topology(orgs: 3, peersPerOrg: 5)
        var network = topology.network(seed: seed)
        network.run(until: GossipTime.zero + .seconds(10))
        for index in network.peers.indices {
            #expect(network.aliveView(of: index).count == 14, "peer \(index) sees \(network.aliveView(of: index).count)")
        }
    }

    /// Fabric's algorithm declares a peer dead 2.5 s (the expiration) after its last heartbeat;
    /// SWIM after its observers' probes fail (each probes its subjects in turn every 500 ms, then
    /// asks helpers) and the suspicion timeout runs out: 6 × 2.5 s with one accuser, 1 × with
    /// three; then it gossips the death.
    @Test(arguments: [(MembershipAlgorithm.fabric, 4), (.swim, 16)] as [(MembershipAlgorithm, Int)])
    func killedPeersAreMarkedDeadAndAnchorsAreNeverPurged(algorithm: MembershipAlgorithm, detectionSeconds: Int) {
        var topology = Topology(orgs: 2, peersPerOrg: 4)
        topology.settings.membership = algorithm
        var network = topology.network(seed: 4)
        network.run(until: GossipTime.zero + .seconds(10))
        let anchor = topology.index(1, 0), plain = topology.index(0, 3)
        network.crash(anchor)
        network.crash(plain)
        network.run(for: .seconds(detectionSeconds))
        let gone: Set = [Topology.pkiID(1, 0), Topology.pkiID(0, 3)]
        for index in network.peers.indices where index != anchor && index != plain {
            #expect(network.deadView(of: index) == gone, "peer \(index)")
            #expect(network.aliveView(of: index).count == 5)
        }
        // Past the purge time (expiration × msgExpirationFactor = 50 s): the plain peer is gone,
        // the anchor is kept so the view can heal through it.
        network.run(for: .seconds(60))
        for index in network.peers.indices where index != anchor && index != plain {
            #expect(!network.knows(index).contains(Topology.pkiID(0, 3)))
            #expect(network.knows(index).contains(Topology.pkiID(1, 0)))
        }
        // The anchor comes back (new incarnation): everyone sees it alive again.
        network.start(anchor)
        network.run(for: .seconds(6))
        for index in network.peers.indices where index != plain {
            if index != anchor { #expect(network.aliveView(of: index).contains(Topology.pkiID(1, 0)), "peer \(index)") }
        }
    }

    @Test func disclosureRulesWithAndWithoutExternalEndpoints() {
        var topology = Topology(orgs: 2, peersPerOrg: 3)
        topology.hidden = { org, peer in org == 1 && peer == 2 }  // Org2's peer2 has no external endpoint
        var network = topology.network(seed: 9)
        network.run(until: GossipTime.zero + .seconds(10))
        let hidden = Topology.pkiID(1, 2)
        for peer in 0..<3 {
            let org1Peer = topology.index(0, peer)
            // Org1 never learns of Org2's hidden peer, and never sees an Org2 internal endpoint.
            #expect(!network.knows(org1Peer).contains(hidden))
            #expect(network.aliveView(of: org1Peer).count == 4)
            for member in network.peers[org1Peer].membership.members.values where member.alive.mspID == "Org2MSP" {
                #expect(member.alive.internalEndpoint == nil)
            }
            // Org2 peers know their hidden peer, with its internal endpoint.
            let org2Peer = topology.index(1, peer)
            if peer != 2 {
                #expect(network.peers[org2Peer].membership.members[hidden]?.alive.internalEndpoint == Topology.internalEndpoint(1, 2))
            }
        }
        // The hidden peer learns everyone through its own org (same-org peers disclose all), but
        // never sends anything to another org: it has no endpoint to be answered on.
        #expect(network.aliveView(of: topology.index(1, 2)).count == 5)
    }

    @Test func orgsThatShareNoChannelDoNotLearnOfEachOther() {
        var topology = Topology(orgs: 3, peersPerOrg: 2)
        // Org1–Org2 share a channel, Org2–Org3 share another; Org1 and Org3 share none.
        topology.sharing = { org in org == 1 ? [0, 1, 2] : [org, 1] }
        topology.channelSets = { org in org == 1 ? [[0, 1], [1, 2]] : [[org, 1]] }
        var network = topology.network(seed: 5)
        network.run(until: GossipTime.zero + .seconds(10))
        // Org2's peers never tell Org3 about Org1 (or the reverse): the invariant checks every message.
        #expect(network.violations.isEmpty, "\(network.violations.prefix(3))")
        for peer in 0..<2 {
            #expect(!network.knows(topology.index(0, peer)).contains { $0.bytes[0] == 2 })
            #expect(!network.knows(topology.index(2, peer)).contains { $0.bytes[0] == 0 })
            #expect(network.aliveView(of: topology.index(1, peer)).count == 5)
        }
    }

    @Test func sameSeedSameRunDifferentSeedDifferentRun() {
        let topology = Topology(orgs: 2, peersPerOrg: 4)
        var first = topology.network(seed: 11, loss: 0.2)
        var second = topology.network(seed: 11, loss: 0.2)
        var third = topology.network(seed: 12, loss: 0.2)
        for index in 0..<3 {
            let end = GossipTime.zero + .seconds(3)
            if index == 0 { first.run(until: end) } else if index == 1 { second.run(until: end) } else { third.run(until: end) }
        }
        #expect(first.delivered == second.delivered && first.dropped == second.dropped)
        #expect(first.peers.map(\.sent) == second.peers.map(\.sent))
        #expect(first.peers.map(\.sent) != third.peers.map(\.sent) || first.dropped != third.dropped)
    }

    @Test func membershipConvergesDespiteTwentyPercentLoss() {
        let topology = Topology(orgs: 3, peersPerOrg: 4)
        var network = topology.network(seed: 21, loss: 0.2)
        network.run(until: GossipTime.zero + .seconds(15))
        for index in network.peers.indices { #expect(network.aliveView(of: index).count == 11, "peer \(index)") }
    }
}
