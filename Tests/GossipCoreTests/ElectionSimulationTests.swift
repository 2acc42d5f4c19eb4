@_spi(Verification) import FabnetModel
@testable import GossipCore
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

/// Whom a leader's messages reach: leadership only org peers whose state info shows them in the
/// channel (nothing of a channel reaches a peer outside it); the org members whose state info it
/// lacks are asked for it with its declarations, at most `stateInfoAsksPerDeclaration` at a time,
/// again after `reconnectInterval` and then twice as long each time; no other org; whom it asked
/// is forgotten when it stops leading.
@Suite struct LeadershipAudienceTests {
    var random = SeededGenerator(seed: 21)

    func signer(_ org: Int, _ peer: Int) -> VerifiedSigner {
        VerifiedSigner(mspID: Topology.mspID(org), role: .peer, pkiID: Topology.pkiID(org, peer))
    }

    /// Where the effects send leadership messages, and which kind.
    func leadershipTargets(_ effects: [GossipPeer.Effect]) -> [(declaration: Bool, to: PKIID)] {
        effects.compactMap { effect in
            guard case let .send(.channel(_, .leadership(message)), .peer(id, _)) = effect else { return nil }
            return (message.isDeclaration, id)
        }
    }

    /// Whom the effects ask for their state info.
    func stateInfoAsked(_ effects: [GossipPeer.Effect]) -> [PKIID] {
        effects.compactMap { effect in
            guard case let .send(.channel(_, .stateInfoRequest(nil, _)), .peer(id, _)) = effect else { return nil }
            return id
        }
    }

    @Test mutating func aLeaderDeclaresToChannelPeersAndAsksOrgMembersWithoutStateInfoForIt() {
        let topology = Topology(orgs: 2, peersPerOrg: 3)
        var gossip = GossipPeer(configuration: topology.configuration(0, 0), channels: ["alpha"], mode: .dynamic, incarnation: 1)
        _ = gossip.handle(.start, now: .zero, random: &random)
        for (org, peer) in [(0, 1), (0, 2), (1, 0)] {
            let alive = AliveMessage(pkiID: Topology.pkiID(org, peer), mspID: Topology.mspID(org), externalEndpoint: Topology.externalEndpoint(org, peer),
                                     internalEndpoint: org == 0 ? Topology.internalEndpoint(org, peer) : nil, time: PeerTime(incarnation: 1, sequence: 1))
            _ = gossip.handle(.received(Verified(value: .membership(.alive([alive])), signer: signer(org, peer)), via: nil), now: .zero, random: &random)
        }
        // 300 more org members, none of whose state infos came.
        let crowd = (0..<300).map { PKIID([0, 9, UInt8($0 >> 8), UInt8($0 & 0xff)]) }
        let crowdAlive = crowd.enumerated().map { index, id in
            AliveMessage(pkiID: id, mspID: Topology.mspID(0), externalEndpoint: nil, internalEndpoint: Endpoint(host: "crowd\(index).org1.internal", port: 7051)!,
                         time: PeerTime(incarnation: 1, sequence: 1))
        }
        _ = gossip.handle(.received(Verified(value: .membership(.alive(crowdAlive)), signer: signer(0, 1)), via: nil), now: .zero, random: &random)
        // Only (0,1)'s state info in alpha came; (0,2) is a live org member without one.
        let mate = Topology.pkiID(0, 1), lacking = Topology.pkiID(0, 2)
        let allLacking = Set(crowd + [lacking])
        let info = StateInfo(pkiID: mate, channelMAC: ChannelMAC(pkiID: mate, channel: "alpha"), height: 0, time: PeerTime(incarnation: 1, sequence: 1))
        _ = gossip.handle(.received(Verified(value: .channel(info.channelMAC, .stateInfo(info)), signer: signer(0, 1)), via: nil),
                          now: .zero, random: &random)
        var now = GossipTime.zero
        var sent: [(declaration: Bool, to: PKIID)] = []
        var asked: [PKIID] = []
        var leads = false
        // Sample until the grace period ends and the election runs; it ends with this peer
        // leading (the lowest PKI-ID, no one else proposing).
        while !leads, now < .zero + .seconds(5) {
            now = now + .milliseconds(100)
            for timer in [LeaderElection.Timer.sample, .electionEnd] {
                let effects = gossip.handle(.timer(.election(channel: "alpha", timer)), now: now, random: &random)
                sent += leadershipTargets(effects)
                asked += stateInfoAsked(effects)
                leads = leads || effects.contains { if case .startPulling("alpha") = $0 { return true } else { return false } }
            }
        }
        #expect(leads)
        #expect(Set(sent.map(\.to)) == [mate], "leadership only to the channel peer: \(sent)")
        #expect(sent.contains { $0.declaration })
        // Winning asks no one, nor does a declaration before the peer has led for
        // `leaderAliveThreshold`: many peers lead for a moment while a big org starts.
        #expect(asked.isEmpty, "asked on winning: \(asked.count)")
        let cap = GossipPeer.stateInfoAsksPerDeclaration
        let declare = { (gossip: inout GossipPeer, now: GossipTime, random: inout SeededGenerator) in
            gossip.handle(.timer(.election(channel: "alpha", .declare)), now: now, random: &random)
        }
        let early = declare(&gossip, now + .milliseconds(500), &random)
        #expect(leadershipTargets(early).map(\.to) == [mate])
        #expect(stateInfoAsked(early).isEmpty, "asked after 0.5 s as leader")
        // The next declaration asks, at most `cap`; the one after asks the rest; those within
        // a reconnect interval do not ask again; after it, they do.
        let first = declare(&gossip, now + .milliseconds(1000), &random)
        asked = stateInfoAsked(first)
        #expect(asked.count == cap && Set(asked).isSubset(of: allLacking), "asked with the declaration: \(asked.count)")
        let next = declare(&gossip, now + .milliseconds(1500), &random)
        #expect(leadershipTargets(next).map(\.to) == [mate])
        #expect(Set(stateInfoAsked(next)) == allLacking.subtracting(asked))
        #expect(stateInfoAsked(declare(&gossip, now + .milliseconds(2000), &random)).isEmpty)
        let reconnect = GossipSettings.fabnetDefaults.reconnectInterval
        let later = declare(&gossip, now + .milliseconds(1000) + reconnect, &random)
        #expect(Set(stateInfoAsked(later)) == Set(asked), "asked again, the first ones first")
        #expect(!stateInfoAsked(later).contains(Topology.pkiID(1, 0)))
        // Unanswered, they wait twice as long before the third ask.
        #expect(!stateInfoAsked(declare(&gossip, now + .milliseconds(1000) + reconnect * 2, &random)).contains(asked[0]))
        #expect(stateInfoAsked(declare(&gossip, now + .milliseconds(1000) + reconnect * 3, &random)).contains(asked[0]))
        // A higher leader's declaration: this peer yields and forgets whom it asked.
        let higher = LeadershipMessage(pkiID: mate, isDeclaration: true, ledgerHeight: 5, time: PeerTime(incarnation: 1, sequence: 9))
        let yielded = gossip.handle(.received(Verified(value: .channel(info.channelMAC, .leadership(higher)), signer: signer(0, 1)), via: nil),
                                    now: now + reconnect * 4, random: &random)
        #expect(yielded.contains { if case .stopPulling("alpha") = $0 { return true } else { return false } }, "\(yielded)")
        #expect(gossip.stateInfoAskedByLeader["alpha"] == nil)
    }
}
