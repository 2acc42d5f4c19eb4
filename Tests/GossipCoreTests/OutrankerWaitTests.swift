@_spi(Verification) import FabnetModel
@testable import GossipCore
import Testing

/// A starting peer's first election under SWIM: it introduces itself to the org members likely
/// to lead (the lowest PKI-IDs below its own) and waits for them: it follows a leader whose
/// declaration comes, proposes only after `leaderAliveThreshold` with them in its view, and at
/// the latest `outrankerWait` after start; under Fabric's settings none of this happens.
@Suite struct OutrankerWaitTests {
    var random = SeededGenerator(seed: 5)
    let topology = Topology(orgs: 1, peersPerOrg: 8)

    func signer(_ peer: Int) -> VerifiedSigner {
        VerifiedSigner(mspID: Topology.mspID(0), role: .peer, pkiID: Topology.pkiID(0, peer))
    }

    /// Peer `own` of org 1 in channel alpha, started, knowing peers `members` by membership only.
    mutating func startedPeer(_ own: Int, knowing members: [Int], settings: GossipSettings = .fabnetDefaults) -> GossipPeer {
        var topology = topology
        topology.settings = settings
        var gossip = GossipPeer(configuration: topology.configuration(0, own), channels: ["alpha"], mode: .dynamic, incarnation: 1)
        _ = gossip.handle(.start, now: .zero, random: &random)
        let alives = members.map { peer in
            AliveMessage(pkiID: Topology.pkiID(0, peer), mspID: Topology.mspID(0), externalEndpoint: Topology.externalEndpoint(0, peer),
                         internalEndpoint: Topology.internalEndpoint(0, peer), time: PeerTime(incarnation: 1, sequence: 1))
        }
        _ = gossip.handle(.received(Verified(value: .membership(.alive(alives)), signer: signer(members[0])), via: nil), now: .zero, random: &random)
        return gossip
    }

    func stateInfo(of peer: Int) -> StateInfo {
        let id = Topology.pkiID(0, peer)
        return StateInfo(pkiID: id, channelMAC: ChannelMAC(pkiID: id, channel: "alpha"), height: 0, time: PeerTime(incarnation: 1, sequence: 1))
    }

    /// The election's sample timer at `now`.
    mutating func sample(_ gossip: inout GossipPeer, at now: GossipTime) -> [GossipPeer.Effect] {
        gossip.handle(.timer(.election(channel: "alpha", .sample)), now: now, random: &random)
    }

    /// Whether `effects` propose, declare or start pulling: any sign the peer's election ran.
    func elects(_ effects: [GossipPeer.Effect]) -> Bool {
        effects.contains { effect in
            switch effect {
            case .send(.channel(_, .leadership), _), .startPulling: return true
            default: return false
            }
        }
    }

    @Test mutating func aStartingPeerIntroducesItselfToTheThreeLowestOutrankersOnceAndWaitsForThemAtMostOutrankerWait() {
        // Peer 6 knows peers 0–5 and 7; none has shown state info in alpha yet.
        var gossip = startedPeer(6, knowing: [0, 1, 2, 3, 4, 5, 7])
        let first = sample(&gossip, at: .zero + .milliseconds(100))
        var introduced: [PKIID: [String]] = [:]
        for effect in first {
            guard case let .send(message, .peer(id, _)) = effect else { continue }
            switch message {
            case .membership(.ping(0, let sender?, [])) where sender.pkiID == Topology.pkiID(0, 6): introduced[id, default: []].append("alive")
            case .channel(_, .stateInfo(let info)) where info.pkiID == Topology.pkiID(0, 6): introduced[id, default: []].append("state")
            case .channel(_, .stateInfoRequest(nil, _)): introduced[id, default: []].append("ask")
            default: continue
            }
        }
        #expect(introduced == [Topology.pkiID(0, 0): ["alive", "state", "ask"], Topology.pkiID(0, 1): ["alive", "state", "ask"],
                               Topology.pkiID(0, 2): ["alive", "state", "ask"]], "\(introduced)")
        #expect(!elects(first))
        // None answers: no second introduction, no election until `outrankerWait` (2.5 s).
        var now = GossipTime.zero + .milliseconds(100)
        var electedAt: GossipTime?
        while electedAt == nil, now < .zero + .seconds(4) {
            now = now + .milliseconds(100)
            let effects = sample(&gossip, at: now)
            #expect(!effects.contains { if case .send(.channel(_, .stateInfoRequest(nil, _)), _) = $0 { return true } else { return false } })
            if elects(effects) || !(gossip.elections["alpha"]?.awaitsOutrankers ?? false) { electedAt = now }
        }
        #expect(electedAt == .zero + .milliseconds(2500), "the first election ran at \(String(describing: electedAt))")
    }

    @Test mutating func aStartingPeerFollowsTheLeaderWhoseDeclarationComesWhileItWaits() {
        var gossip = startedPeer(6, knowing: [0, 1, 2, 3, 4, 5, 7])
        _ = sample(&gossip, at: .zero + .milliseconds(100))
        // The three lowest answer with their state infos: they are in the view from 0.2 s on.
        for peer in [0, 1, 2] {
            let info = stateInfo(of: peer)
            _ = gossip.handle(.received(Verified(value: .channel(info.channelMAC, .stateInfo(info)), signer: signer(peer)), via: nil),
                              now: .zero + .milliseconds(150), random: &random)
        }
        var now = GossipTime.zero + .milliseconds(100)
        // For `leaderAliveThreshold` after they showed, it still does not propose.
        while now < .zero + .milliseconds(1100) {
            now = now + .milliseconds(100)
            #expect(!elects(sample(&gossip, at: now)), "proposed at \(now)")
        }
        // Peer 0 declares: it follows, and never proposes.
        let declaration = LeadershipMessage(pkiID: Topology.pkiID(0, 0), isDeclaration: true, ledgerHeight: 0, time: PeerTime(incarnation: 1, sequence: 1))
        let mac = stateInfo(of: 0).channelMAC
        _ = gossip.handle(.received(Verified(value: .channel(mac, .leadership(declaration)), signer: signer(0)), via: nil), now: now, random: &random)
        #expect(!elects(sample(&gossip, at: now + .milliseconds(100))))
        #expect(gossip.elections["alpha"]?.leader == Topology.pkiID(0, 0))
        #expect(gossip.elections["alpha"]?.awaitsOutrankers == false)
    }

    @Test mutating func withTheOutrankersShownItProposesAfterLeaderAliveThreshold() {
        var gossip = startedPeer(6, knowing: [0, 1, 2, 3, 4, 5, 7])
        for peer in [0, 1, 2] {
            let info = stateInfo(of: peer)
            _ = gossip.handle(.received(Verified(value: .channel(info.channelMAC, .stateInfo(info)), signer: signer(peer)), via: nil),
                              now: .zero, random: &random)
        }
        var now = GossipTime.zero
        while gossip.elections["alpha"]?.awaitsOutrankers == true, now < .zero + .seconds(3) {
            now = now + .milliseconds(100)
            _ = sample(&gossip, at: now)
        }
        // Shown at the first sample (0.1 s), stable at the second: it proposes 1 s after they showed.
        #expect(now == .zero + .milliseconds(1100), "waited until \(now)")
    }

    @Test mutating func theLowestPeerDoesNotWait() {
        var gossip = startedPeer(0, knowing: [1, 2, 3])
        let effects = sample(&gossip, at: .zero + .milliseconds(100))
        #expect(!effects.contains { if case .send(.channel(_, .stateInfoRequest(nil, _)), _) = $0 { return true } else { return false } })
        // No one outranks it: it waits only for a stable view or the grace period, as before.
        var now = GossipTime.zero + .milliseconds(100)
        while gossip.elections["alpha"]?.awaitsOutrankers == true, now < .zero + .seconds(3) {
            now = now + .milliseconds(100)
            _ = sample(&gossip, at: now)
        }
        #expect(now <= .zero + GossipSettings.fabnetDefaults.election.startupGracePeriod)
    }

    @Test mutating func underFabricMembershipNothingChanges() {
        var settings = GossipSettings.fabnetDefaults
        settings.membership = .fabric
        var gossip = startedPeer(6, knowing: [0, 1, 2, 3, 4, 5, 7], settings: settings)
        let effects = sample(&gossip, at: .zero + .milliseconds(100))
        #expect(!effects.contains { if case .send(.channel(_, .stateInfoRequest(nil, _)), _) = $0 { return true } else { return false } })
        #expect(gossip.elections["alpha"]?.awaitsOutrankers == false)
    }
}
