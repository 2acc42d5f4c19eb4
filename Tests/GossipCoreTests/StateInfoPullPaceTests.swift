@_spi(Verification) import FabnetModel
import GossipCore
import Testing

/// `StateInfoPullPace` through the peer: under SWIM an idle channel's state-info pulls slow
/// from `requestStateInfoInterval` to four times it, and any change of what the peer holds of
/// the channel brings the next pull after it back to the fast pace; Fabric's algorithm keeps
/// its fixed interval.
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

    /// Fires the pull timer at `now` and returns the pause until the pull it schedules.
    mutating func pull(_ gossip: inout GossipPeer, at now: GossipTime) -> Duration? {
        let effects = gossip.handle(.timer(.pullStateInfo(channel: "alpha")), now: now, random: &random)
        return effects.lazy.compactMap { effect -> Duration? in
            if case .schedule(.pullStateInfo(channel: "alpha"), let at) = effect { return at - now } else { return nil }
        }.first
    }

    mutating func hearMate(_ gossip: inout GossipPeer, sequence: UInt64, at now: GossipTime) {
        let id = Topology.pkiID(0, 1)
        let info = StateInfo(pkiID: id, channelMAC: ChannelMAC(pkiID: id, channel: "alpha"), height: sequence,
                             time: PeerTime(incarnation: 1, sequence: sequence))
        let signer = VerifiedSigner(mspID: Topology.mspID(0), role: .peer, pkiID: id)
        _ = gossip.handle(.received(Verified(value: .channel(info.channelMAC, .stateInfo(info)), signer: signer), via: nil),
                          now: now, random: &random)
    }

    @Test mutating func idlePullsSlowDownAndAChangeBringsTheFastPaceBack() {
        let topology = Topology(orgs: 1, peersPerOrg: 2)
        var gossip = peer(topology)
        let base = gossip.configuration.settings.requestStateInfoInterval
        #expect(gossip.configuration.settings.membership == .swim)
        var now = GossipTime.zero
        var pauses: [Duration] = []
        for _ in 0..<5 {
            let pause = pull(&gossip, at: now) ?? .zero
            pauses.append(pause)
            now = now + pause
        }
        // The first pull has no earlier digest to compare with: it counts as a change.
        #expect(pauses == [base, base * 2, base * 4, base * 4, base * 4])
        hearMate(&gossip, sequence: 1, at: now)
        #expect(pull(&gossip, at: now) == base, "a new state info: the next pull comes fast")
        #expect(pull(&gossip, at: now + base) == base * 2)
        hearMate(&gossip, sequence: 2, at: now + base * 3)
        #expect(pull(&gossip, at: now + base * 3) == base)
    }

    @Test mutating func fabricsAlgorithmKeepsItsFixedInterval() {
        var topology = Topology(orgs: 1, peersPerOrg: 2)
        topology.settings = .fabric
        var gossip = peer(topology)
        let base = gossip.configuration.settings.requestStateInfoInterval
        var now = GossipTime.zero
        for _ in 0..<4 {
            #expect(pull(&gossip, at: now) == base)
            now = now + base
        }
    }
}
