@_spi(Verification) import FabnetModel
import GossipCore
import Testing

/// Focused checks of the membership core's effects under Fabric's algorithm (heartbeats and
/// expiration); `SwimMembershipTests` covers SWIM's.
@Suite struct MembershipTests {
    var random = SeededGenerator(seed: 1)
    let topology = {
        var topology = Topology(orgs: 2, peersPerOrg: 3)
        topology.settings.membership = .fabric
        return topology
    }()

    func signer(_ org: Int, _ peer: Int) -> VerifiedSigner {
        VerifiedSigner(mspID: Topology.mspID(org), role: .peer, pkiID: Topology.pkiID(org, peer))
    }

    func alive(_ org: Int, _ peer: Int, sequence: UInt64, incarnation: UInt64 = 1) -> AliveMessage {
        AliveMessage(pkiID: Topology.pkiID(org, peer), mspID: Topology.mspID(org), externalEndpoint: Topology.externalEndpoint(org, peer),
                     internalEndpoint: Topology.internalEndpoint(org, peer), time: PeerTime(incarnation: incarnation, sequence: sequence))
    }

    @Test mutating func startContactsBootstrapOwnAndOtherAnchorsAndSchedulesTimers() {
        var anchor = Membership(configuration: topology.configuration(0, 0), incarnation: 1)
        let fromAnchor = anchor.handle(.start, now: .zero, random: &random).compactMap { effect -> Endpoint? in
            if case .send(.request, let destination) = effect { return destination.endpoint }
            return nil
        }
        #expect(Set(fromAnchor) == [Topology.internalEndpoint(0, 1), Topology.externalEndpoint(1, 0)], "its bootstrap peer and the other org's anchor")
        var membership = Membership(configuration: topology.configuration(0, 1), incarnation: 1)
        let effects = membership.handle(.start, now: .zero, random: &random)
        let contacted = effects.compactMap { effect -> Endpoint? in
            if case .send(.request, let destination) = effect { return destination.endpoint }
            return nil
        }
        #expect(Set(contacted) == [Topology.externalEndpoint(0, 0), Topology.externalEndpoint(1, 0)])
        #expect(effects.contains(.schedule(.heartbeat, at: .zero)))
        #expect(effects.contains(.schedule(.pull, at: .zero + .seconds(1))))
    }

    @Test mutating func spoofedMembershipRequestIsNotAnswered() {
        var membership = Membership(configuration: topology.configuration(0, 0), incarnation: 1)
        // Peer (0,2) sends a request carrying peer (0,1)'s alive message.
        let request = Verified(value: MembershipMessage.request(sender: alive(0, 1, sequence: 1), viewDigest: 0), signer: signer(0, 2))
        let effects = membership.handle(.received(request, via: nil), now: .zero, random: &random)
        #expect(!effects.contains { if case .send = $0 { return true } else { return false } })
        #expect(membership.members.isEmpty)
        // The genuine request is answered.
        let genuine = Verified(value: MembershipMessage.request(sender: alive(0, 1, sequence: 1), viewDigest: 0), signer: signer(0, 1))
        let answered = membership.handle(.received(genuine, via: nil), now: .zero, random: &random)
        #expect(answered.contains { if case .send(.response, .peer(Topology.pkiID(0, 1), _)) = $0 { return true } else { return false } })
    }

    /// A request that names the alive messages its sender holds is answered with the others only,
    /// and not at all when it holds everything.
    @Test mutating func aResponseLeavesOutTheAliveMessagesTheRequesterKnows() {
        var membership = Membership(configuration: topology.configuration(0, 0), incarnation: 1)
        for peer in [1, 2] {
            let heard = Verified(value: MembershipMessage.alive([alive(0, peer, sequence: 3)]), signer: signer(0, peer))
            _ = membership.handle(.received(heard, via: nil), now: .zero, random: &random)
        }
        func answer(knowing known: KnownVersions) -> [PKIID]? {
            let request = Verified(value: MembershipMessage.request(sender: alive(0, 1, sequence: 3), viewDigest: 5, known: known), signer: signer(0, 1))
            return membership.handle(.received(request, via: nil), now: .zero, random: &random).compactMap { effect -> [PKIID]? in
                if case .send(.response(let alive, _), _) = effect { return alive.map(\.pkiID) } else { return nil }
            }.first
        }
        #expect(answer(knowing: .none).map(Set.init) == [Topology.pkiID(0, 0), Topology.pkiID(0, 2)])
        var known = KnownVersions()
        known.insert(Topology.pkiID(0, 2), at: PeerTime(incarnation: 1, sequence: 3))
        #expect(answer(knowing: known) == [Topology.pkiID(0, 0)])
        known.insert(Topology.pkiID(0, 0), at: membership.selfAlive.time)
        #expect(answer(knowing: known) == nil, "nothing new: no response")
        known.insert(Topology.pkiID(0, 2), at: PeerTime(incarnation: 1, sequence: 2))
        #expect(answer(knowing: known) == [Topology.pkiID(0, 2)], "an older copy known: the newer is sent")
    }

    @Test mutating func staleAliveMessagesChangeNothing() {
        var membership = Membership(configuration: topology.configuration(0, 0), incarnation: 1)
        let fresh = Verified(value: MembershipMessage.alive([alive(0, 1, sequence: 5)]), signer: signer(0, 1))
        _ = membership.handle(.received(fresh, via: nil), now: .zero, random: &random)
        let stale = Verified(value: MembershipMessage.alive([alive(0, 1, sequence: 4)]), signer: signer(0, 1))
        let effects = membership.handle(.received(stale, via: nil), now: .zero + .seconds(1), random: &random)
        #expect(effects.isEmpty)
        #expect(membership.members[Topology.pkiID(0, 1)]?.lastHeard == .zero)
        // A new incarnation with a lower sequence is newer.
        let restarted = Verified(value: MembershipMessage.alive([alive(0, 1, sequence: 1, incarnation: 2)]), signer: signer(0, 1))
        _ = membership.handle(.received(restarted, via: nil), now: .zero + .seconds(2), random: &random)
        #expect(membership.members[Topology.pkiID(0, 1)]?.alive.time == PeerTime(incarnation: 2, sequence: 1))
    }

    @Test mutating func newAliveMessagesAreForwardedOnceInABatchStaleOnesNot() {
        var membership = Membership(configuration: topology.configuration(0, 0), incarnation: 1)
        for peer in 1..<3 {
            _ = membership.handle(.received(Verified(value: .alive([alive(0, peer, sequence: 1)]), signer: signer(0, peer)), via: nil), now: .zero, random: &random)
        }
        _ = membership.handle(.timer(.forward), now: .zero, random: &random)
        // (0,2) forwards (0,1)'s new heartbeat: it is queued once and goes out at the forward timer.
        let fresh = membership.handle(.received(Verified(value: .alive([alive(0, 1, sequence: 2)]), signer: signer(0, 2)), via: nil),
                                      now: .zero + .milliseconds(10), random: &random)
        #expect(fresh == [.schedule(.forward, at: .zero + .milliseconds(110))], "fabnet's forward interval: aliveTimeInterval / 5")
        let again = membership.handle(.received(Verified(value: .alive([alive(0, 1, sequence: 2)]), signer: signer(0, 1)), via: nil),
                                      now: .zero + .milliseconds(20), random: &random)
        #expect(again.isEmpty, "a copy already known is neither queued nor scheduled")
        let sent = membership.handle(.timer(.forward), now: .zero + .milliseconds(110), random: &random)
        // Neither back to its creator (0,1) nor to (0,2), which sent it: nobody else is known, so nothing goes out.
        #expect(!sent.contains { if case .send = $0 { return true } else { return false } })
        // Our own heartbeat goes to both.
        let beat = membership.handle(.timer(.heartbeat), now: .zero + .milliseconds(100), random: &random)
        #expect(beat.contains(.schedule(.forward, at: .zero + .milliseconds(200))))
        let own = membership.handle(.timer(.forward), now: .zero + .milliseconds(200), random: &random)
        let targets = own.compactMap { effect -> PKIID? in
            if case .send(.alive(let batch), .peer(let id, _)) = effect, batch.map(\.pkiID) == [Topology.pkiID(0, 0)] { return id }
            return nil
        }
        #expect(Set(targets) == [Topology.pkiID(0, 1), Topology.pkiID(0, 2)])
    }

    @Test mutating func pullAnswersOnlyKnownHellosAndTakesOnlyOwnNonces() {
        var settings = GossipSettings.fabnetDefaults
        settings.propagateIterations = 0
        var flow = BlockDissemination(settings: settings, height: 0)
        let peer = Topology.pkiID(0, 1), endpoint = Topology.internalEndpoint(0, 1)
        _ = flow.handle(.orgPeers([peer: endpoint]), now: .zero, random: &random)
        // A request naming a hello nonce we never saw gets nothing.
        #expect(flow.handle(.pull(.request(nonce: 42, numbers: [0]), from: peer), now: .zero, random: &random).isEmpty)
        // An update for a nonce that is not ours is ignored.
        let block = GossipBlock(number: 0, data: [1])
        #expect(flow.handle(.pull(.update(nonce: 99, blocks: [block]), from: peer), now: .zero, random: &random).isEmpty)
        #expect(flow.height == 0)
        // Our own round: hello out, digest in, request out, update in → commit.
        let hello = flow.handle(.pullTimer, now: .zero, random: &random)
        guard case .sendPull(.hello(let nonce), _, _)? = hello.first(where: { if case .sendPull = $0 { return true } else { return false } }) else {
            Issue.record("no hello")
            return
        }
        _ = flow.handle(.pull(.digest(nonce: nonce, numbers: [0]), from: peer), now: .zero + .milliseconds(10), random: &random)
        let request = flow.handle(.digestWaitOver(nonce: nonce), now: .zero + .milliseconds(100), random: &random)
        #expect(request == [.sendPull(.request(nonce: nonce, numbers: [0]), to: peer, endpoint)])
        let update = flow.handle(.pull(.update(nonce: nonce, blocks: [block]), from: peer), now: .zero + .milliseconds(120), random: &random)
        #expect(update == [.commit(block)])
    }

    @Test mutating func bootstrapIntroductionsCarryNoInternalEndpoint() {
        // A bootstrap endpoint might be another org's peer (a misconfiguration): it must not
        // learn the internal endpoint, even before the answer is refused.
        var anchor = Membership(configuration: topology.configuration(0, 0), incarnation: 1)
        let requests = anchor.handle(.start, now: .zero, random: &random).compactMap { effect -> (AliveMessage, Endpoint)? in
            if case let .send(.request(sender, _, _), destination) = effect { return (sender, destination.endpoint) }
            return nil
        }
        #expect(requests.first { $0.1 == Topology.internalEndpoint(0, 1) }?.0.internalEndpoint == nil)
    }

    @Test func disclosureFollowsSharedChannelsPairwise() {
        // Org1 is in channels with Org2 and with Org3; Org2 and Org3 share none.
        let sharing = OrganizationSharing(channels: [["Org1MSP", "Org2MSP"], ["Org1MSP", "Org3MSP"]])
        let org2Peer = alive(1, 0, sequence: 1)
        #expect(Disclosure.view(of: org2Peer, for: "Org1MSP", sharing: sharing)?.internalEndpoint == nil)
        #expect(Disclosure.view(of: org2Peer, for: "Org3MSP", sharing: sharing) == nil)
        #expect(Disclosure.view(of: org2Peer, for: "Org2MSP", sharing: sharing) == org2Peer)
    }

    @Test mutating func aMemberThatMovedIsReported() {
        var membership = Membership(configuration: topology.configuration(0, 0), incarnation: 1)
        let stripped = alive(0, 1, sequence: 1).withoutInternalEndpoint
        _ = membership.handle(.received(Verified(value: .alive([stripped]), signer: signer(0, 1)), via: nil), now: .zero, random: &random)
        let full = membership.handle(.received(Verified(value: .alive([alive(0, 1, sequence: 2)]), signer: signer(0, 1)), via: nil),
                                     now: .zero, random: &random)
        #expect(full.contains(.memberMoved(Topology.pkiID(0, 1), mspID: "Org1MSP")))
        #expect(membership.members[Topology.pkiID(0, 1)]?.alive.internalEndpoint == Topology.internalEndpoint(0, 1))
    }

    @Test mutating func anotherOrgsBootstrapPeerIsRefused() {
        let base = topology.configuration(0, 1)
        let configuration = MembershipConfiguration(
            pkiID: base.pkiID, mspID: base.mspID, internalEndpoint: base.internalEndpoint, externalEndpoint: base.externalEndpoint,
            bootstrap: [Topology.externalEndpoint(1, 0)], anchors: [:], organizationsSharingAChannel: ["Org1MSP", "Org2MSP"],
            settings: .fabnetDefaults)
        var membership = Membership(configuration: configuration, incarnation: 1)
        let response = Verified(value: MembershipMessage.response(alive: [alive(1, 0, sequence: 1)], dead: []), signer: signer(1, 0))
        let effects = membership.handle(.received(response, via: Topology.externalEndpoint(1, 0)), now: .zero, random: &random)
        #expect(membership.members.isEmpty)
        #expect(effects.contains { if case .log(let line) = $0 { return line.contains("cannot be a bootstrap peer") } else { return false } })
    }

    @Test mutating func internalEndpointsAreStrippedForOtherOrgs() {
        var membership = Membership(configuration: topology.configuration(0, 0), incarnation: 1)
        _ = membership.handle(.received(Verified(value: .alive([alive(0, 1, sequence: 1)]), signer: signer(0, 1)), via: nil), now: .zero, random: &random)
        let request = Verified(value: MembershipMessage.request(sender: alive(1, 0, sequence: 1).withoutInternalEndpoint, viewDigest: 0), signer: signer(1, 0))
        let effects = membership.handle(.received(request, via: nil), now: .zero, random: &random)
        guard case .send(.response(let members, _), _)? = effects.first(where: { if case .send(.response, _) = $0 { return true } else { return false } }) else {
            Issue.record("no response")
            return
        }
        #expect(members.count == 2)
        #expect(members.allSatisfy { $0.internalEndpoint == nil })
    }
}
