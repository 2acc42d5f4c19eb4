@_spi(Verification) import FabnetModel
import GossipCore
import Testing

/// `StateInfoPullPace` through the peer: under SWIM the pull timer ticks every
/// `requestStateInfoInterval`; in an idle channel the ticks that send requests thin out to every
/// fourth, and a tick that sees any change of what the peer holds of the channel pulls at once;
/// Fabric's algorithm pulls at every tick.
@Suite struct StateInfoPullPaceTests {
    var random = SeededGenerator(seed: 5)

    mutating func peer(_ topology: Topology) -> GossipPeer {
        var gossip = GossipPeer(configuration: topology.configuration(0, 0), channels: ["alpha"], channelOrganizations: [:],
                                mode: .dynamic, incarnation: 1)
        let mate = AliveMessage(pkiID: Topology.pkiID(0, 1), mspID: Topology.mspID(0), externalEndpoint: Topology.externalEndpoint(0, 1),
                                internalEndpoint: Topology.internalEndpoint(0, 1), time: PeerTime(incarnation: 1, sequence: 1))
        let signer = VerifiedSigner(mspID: Topology.mspID(0), role: .peer, pkiID: Topology.pkiID(0, 1))
        _ = gossip.handle(.received(Verified(value: .membership(.alive([mate])), signer: signer), via: nil), now: .zero, random: &random)
        return gossip
    }

    /// Fires the pull timer at `now`: whether it sent a state-info request, and the pause until
    /// the next tick.
    mutating func tick(_ gossip: inout GossipPeer, at now: GossipTime) -> (pulled: Bool, pause: Duration?) {
        let effects = gossip.handle(.timer(.pullStateInfo(channel: "alpha")), now: now, random: &random)
        let pulled = effects.contains { if case .send(.channel(_, .stateInfoRequest), _) = $0 { return true } else { return false } }
        let pause = effects.lazy.compactMap { effect -> Duration? in
            if case .schedule(.pullStateInfo(channel: "alpha"), let at) = effect { return at - now } else { return nil }
        }.first
        return (pulled, pause)
    }

    mutating func hearMate(_ gossip: inout GossipPeer, sequence: UInt64, at now: GossipTime) {
        let id = Topology.pkiID(0, 1)
        let info = StateInfo(pkiID: id, channelMAC: ChannelMAC(pkiID: id, channel: "alpha"), height: sequence,
                             time: PeerTime(incarnation: 1, sequence: sequence))
        let signer = VerifiedSigner(mspID: Topology.mspID(0), role: .peer, pkiID: id)
        _ = gossip.handle(.received(Verified(value: .channel(info.channelMAC, .stateInfo(info)), signer: signer), via: nil),
                          now: now, random: &random)
    }

    /// Which of `count` ticks from `start` pulled.
    mutating func ticks(_ count: Int, of gossip: inout GossipPeer, from start: GossipTime) -> [Bool] {
        let base = gossip.configuration.settings.requestStateInfoInterval
        return (0..<count).map { index in
            let (pulled, pause) = tick(&gossip, at: start + base * index)
            #expect(pause == base, "the timer ticks at the interval")
            return pulled
        }
    }

    @Test mutating func idlePullsThinOutAndAChangeIsPulledAtTheNextTick() {
        var gossip = peer(Topology(orgs: 1, peersPerOrg: 2))
        #expect(gossip.configuration.settings.membership == .swim)
        let base = gossip.configuration.settings.requestStateInfoInterval
        // The first tick has no earlier pull to compare with: it counts as a change.
        #expect(ticks(12, of: &gossip, from: .zero) == [true, true, false, true, false, false, false, true, false, false, false, true])
        hearMate(&gossip, sequence: 1, at: .zero + base * 12)
        #expect(ticks(4, of: &gossip, from: .zero + base * 12) == [true, true, false, true], "a new state info: pulled at once, then slowing again")
        hearMate(&gossip, sequence: 2, at: .zero + base * 16)
        #expect(ticks(1, of: &gossip, from: .zero + base * 16) == [true])
    }

    @Test mutating func fabricsAlgorithmPullsAtEveryTick() {
        var topology = Topology(orgs: 1, peersPerOrg: 2)
        topology.settings = .fabric
        var gossip = peer(topology)
        #expect(ticks(6, of: &gossip, from: .zero) == Array(repeating: true, count: 6))
    }
}
