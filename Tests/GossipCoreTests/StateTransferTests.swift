@_spi(Verification) import FabnetModel
import GossipCore
import Testing

/// Focused checks of the state transfer machine's effects.
@Suite struct StateTransferTests {
    var random = SeededGenerator(seed: 3)
    let settings = {  // batch 10, buffer 20, 3 retries, 1 s timeout
        var state = GossipSettings.fabnetDefaults.state
        state.batchSize = 10
        return state
    }()
    let a = PKIID([1]), b = PKIID([2]), c = PKIID([3])

    func requests(_ effects: [StateTransfer.Effect]) -> [(nonce: UInt64, first: UInt64, count: Int, peer: PKIID)] {
        effects.compactMap { if case let .request(nonce, first, count, peer) = $0 { return (nonce, first, count, peer) } else { return nil } }
    }

    /// A height heard far above its own starts a request at once; a small gap, or one while a
    /// request is in flight, waits for the check.
    @Test mutating func aFarHigherHeightIsFetchedWithoutWaitingForTheCheck() {
        var transfer = StateTransfer(settings: settings, pullWindow: 10)
        #expect(requests(transfer.heard(height: 5, highest: 9, sources: { [a: 9] }, now: .zero, random: &random)).isEmpty)
        let asked = requests(transfer.heard(height: 5, highest: 500, sources: { [a: 500] }, now: .zero, random: &random))
        #expect(asked.map(\.first) == [5] && asked.map(\.peer) == [a])
        #expect(requests(transfer.heard(height: 5, highest: 900, sources: { [a: 900] }, now: .zero, random: &random)).isEmpty)
    }

    @Test mutating func asksOnlyWhenStalledOrFarBehind() {
        var transfer = StateTransfer(settings: settings)
        // First check: a gap of 3 may still be closed by push, so no request yet.
        #expect(requests(transfer.check(height: 5, sources: [a: 8], now: .zero, random: &random)).isEmpty)
        // Progress since the last check: still no request.
        #expect(requests(transfer.check(height: 6, sources: [a: 8], now: .zero + .seconds(1), random: &random)).isEmpty)
        // No progress: ask for what is missing, from the peer that has it.
        let asked = requests(transfer.check(height: 6, sources: [a: 8], now: .zero + .seconds(2), random: &random))
        #expect(asked.map(\.first) == [6] && asked.map(\.count) == [2] && asked.map(\.peer) == [a])
        // Far behind (≥ blockBufferSize): ask at once, a batch of 10 from a peer that covers it.
        var far = StateTransfer(settings: settings)
        let batch = requests(far.check(height: 0, sources: [a: 5, b: 500], now: .zero, random: &random))
        #expect(batch.map(\.first) == [0] && batch.map(\.count) == [10] && batch.map(\.peer) == [b])
    }

    @Test mutating func timeoutRetriesAnotherPeerThenGivesUp() {
        var transfer = StateTransfer(settings: settings)
        let sources = [a: 100, b: 100, c: 100] as [PKIID: UInt64]
        var asked = requests(transfer.check(height: 0, sources: sources, now: .zero, random: &random))
        var tried: [PKIID] = asked.map(\.peer)
        for retry in 1...settings.maxRetries {
            asked = requests(transfer.timedOut(nonce: asked[0].nonce, height: 0, sources: sources, now: .zero + .seconds(retry), random: &random))
            #expect(asked.count == 1, "retry \(retry)")
            if retry < 3 { #expect(!tried.contains(asked[0].peer), "a retry goes to a peer not tried yet") }
            tried += asked.map(\.peer)
        }
        let last = transfer.timedOut(nonce: asked[0].nonce, height: 0, sources: sources, now: .zero + .seconds(9), random: &random)
        #expect(requests(last).isEmpty)
        #expect(transfer.inFlight == nil && transfer.timeouts == settings.maxRetries + 1)
        // A stale timer (old nonce) does nothing.
        #expect(transfer.timedOut(nonce: 12345, height: 0, sources: sources, now: .zero + .seconds(10), random: &random).isEmpty)
    }

    @Test mutating func onlyTheAnswerInFlightIsTakenAndTheNextBatchFollowsAtOnce() {
        var transfer = StateTransfer(settings: settings)
        let asked = requests(transfer.check(height: 0, sources: [a: 25], now: .zero, random: &random))[0]
        #expect(transfer.answered(nonce: asked.nonce &+ 1, by: a) == nil, "a foreign nonce is ignored")
        #expect(transfer.answered(nonce: asked.nonce, by: b) == nil, "an answer from a peer not asked is ignored")
        #expect(transfer.answered(nonce: asked.nonce, by: a)?.first == 0)
        let next = requests(transfer.resume(height: 10, sources: [a: 25], now: .zero, random: &random))
        #expect(next.map(\.first) == [10] && next.map(\.count) == [10])
    }
}

extension StateTransfer {
    /// The check with every source known up front.
    mutating func check(height: UInt64, sources: [PKIID: UInt64], now: GossipTime, random: inout some RandomNumberGenerator) -> [Effect] {
        check(height: height, highest: sources.values.max() ?? 0, sources: { sources }, now: now, random: &random)
    }
}

/// Focused checks of the channel rules `GossipPeer` enforces.
@Suite struct ChannelRoutingTests {
    var random = SeededGenerator(seed: 5)
    let topology = Topology(orgs: 2, peersPerOrg: 2)

    func signer(_ org: Int, _ peer: Int) -> VerifiedSigner {
        VerifiedSigner(mspID: Topology.mspID(org), role: .peer, pkiID: Topology.pkiID(org, peer))
    }

    func message(_ inner: ChannelMessage, channel: String, from org: Int, _ peer: Int) -> GossipPeer.Event {
        .received(Verified(value: .channel(ChannelMAC(pkiID: Topology.pkiID(org, peer), channel: channel), inner), signer: signer(org, peer)), via: nil)
    }

    /// Peer (0,0) in `alpha`, knowing (0,1) and (1,0) alive.
    mutating func peer(channelOrganizations: [String: Set<String>] = [:]) -> GossipPeer {
        var gossip = GossipPeer(configuration: topology.configuration(0, 0), channels: ["alpha"], channelOrganizations: channelOrganizations,
                                mode: .dynamic, incarnation: 1)
        for (org, peer) in [(0, 1), (1, 0)] {
            let alive = AliveMessage(pkiID: Topology.pkiID(org, peer), mspID: Topology.mspID(org), externalEndpoint: Topology.externalEndpoint(org, peer),
                                     internalEndpoint: org == 0 ? Topology.internalEndpoint(org, peer) : nil, time: PeerTime(incarnation: 1, sequence: 1))
            _ = gossip.handle(.received(Verified(value: .membership(.alive([alive])), signer: signer(org, peer)), via: nil), now: .zero, random: &random)
        }
        return gossip
    }

    /// The effects apart from `peerIsBack` (every message here comes on a connection its sender opened).
    func apart(fromConnections effects: [GossipPeer.Effect]) -> [GossipPeer.Effect] {
        effects.filter { if case .peerIsBack = $0 { return false } else { return true } }
    }

    func sends(_ effects: [GossipPeer.Effect]) -> [GossipMessage] {
        effects.compactMap { if case .send(let message, _) = $0 { return message } else { return nil } }
    }

    @Test mutating func aChannelJoinedWhileRunningStartsItsGossipAndSwapsStateWithOwnOrgPeers() {
        var gossip = peer()
        _ = gossip.handle(.start, now: .zero, random: &random)
        let effects = gossip.join(channel: "beta", organizations: [Topology.mspID(0)], height: 1, now: .zero, random: &random)
        #expect(gossip.channels == ["alpha", "beta"])
        #expect(gossip.height(of: "beta") == 1)
        // The first state-info pull comes at a random phase of the interval (SWIM's default).
        let interval = gossip.configuration.settings.requestStateInfoInterval
        let firstPull = effects.compactMap { effect -> GossipTime? in
            if case .schedule(.pullStateInfo(channel: "beta"), let at) = effect { return at } else { return nil }
        }
        #expect(firstPull.count == 1 && firstPull.allSatisfy { $0 >= .zero + interval * 0.5 && $0 < .zero + interval * 1.5 }, "\(firstPull)")
        // The known own-org peer (0,1) is asked for its state info in beta; (1,0) of another org is not.
        let asked = effects.compactMap { effect -> Destination? in
            if case .send(.channel(_, .stateInfoRequest(digest: nil, _)), let destination) = effect { return destination } else { return nil }
        }
        #expect(asked.map(\.endpoint) == [Topology.internalEndpoint(0, 1)])
        // It is sent this peer's own state info in beta first: had it joined a moment before,
        // its request to this peer was dropped (not yet a member), and without this it would
        // not see this peer until the next publish or pull (a restarted 4-peer network's
        // leader-to-be waited half a second for its first view).
        let told = effects.compactMap { effect -> Destination? in
            if case .send(.channel(_, .stateInfo(let info)), let destination) = effect, info.pkiID == gossip.configuration.pkiID, info.height == 1 {
                return destination
            }
            return nil
        }
        #expect(told.map(\.endpoint) == [Topology.internalEndpoint(0, 1)])
        let order = effects.compactMap { effect -> String? in
            switch effect {
            case .send(.channel(_, .stateInfo), _): return "state"
            case .send(.channel(_, .stateInfoRequest), _): return "request"
            default: return nil
            }
        }
        #expect(order == ["state", "request"], "the state info goes before the request, so the answer finds this peer known")
        // A message naming beta by its MAC is now understood (answered with own state info).
        let answered = gossip.handle(message(.stateInfoRequest(digest: nil), channel: "beta", from: 0, 1), now: .zero, random: &random)
        #expect(!sends(answered).isEmpty)
        // Joining again changes nothing.
        #expect(gossip.join(channel: "beta", organizations: [Topology.mspID(0)], height: 1, now: .zero, random: &random).isEmpty)
    }

    @Test mutating func aChannelMACOfAnotherChannelIsNeitherUnderstoodNorAnswered() {
        var gossip = peer()
        let effects = gossip.handle(message(.stateInfoRequest(digest: 42), channel: "beta", from: 0, 1), now: .zero, random: &random)
        // Nothing but a line for the shell to count (it logs such lines once a minute per kind).
        #expect(apart(fromConnections: effects).allSatisfy { if case .dropped(let line) = $0 { return line.hasSuffix("dropped") } else { return false } })
        #expect(sends(effects).isEmpty)
        // The same request for alpha is answered with a snapshot.
        let answered = gossip.handle(message(.stateInfoRequest(digest: 42), channel: "alpha", from: 0, 1), now: .zero, random: &random)
        #expect(sends(answered).contains { if case .channel(_, .stateInfoSnapshot) = $0 { return true } else { return false } })
    }

    /// A snapshot carries only the responder's own org, and of it only what the requester lacks:
    /// nothing it holds at the same or a newer time, and no message at all when it lacks nothing.
    /// Another org's heights come from that org's own peers.
    @Test mutating func aSnapshotCarriesOnlyTheOwnOrgsStateInfosTheRequesterLacks() {
        var gossip = peer()
        let mate = Topology.pkiID(0, 1), other = Topology.pkiID(1, 0)
        for (org, index) in [(0, 1), (1, 0)] {
            let id = Topology.pkiID(org, index)
            let info = StateInfo(pkiID: id, channelMAC: ChannelMAC(pkiID: id, channel: "alpha"), height: 4, time: PeerTime(incarnation: 1, sequence: 2))
            _ = gossip.handle(message(.stateInfo(info), channel: "alpha", from: org, index), now: .zero, random: &random)
        }
        func snapshot(to org: Int, _ index: Int, knowing known: KnownVersions) -> [PKIID]? {
            let effects = gossip.handle(message(.stateInfoRequest(digest: 42, known: known), channel: "alpha", from: org, index), now: .zero, random: &random)
            return sends(effects).compactMap { if case .channel(_, .stateInfoSnapshot(let infos)) = $0 { return infos.map(\.pkiID) } else { return nil } }.first
        }
        let own = gossip.states["alpha"]!.own
        #expect(snapshot(to: 0, 1, knowing: .none) == [own.pkiID], "the own org's, without the other org's")
        #expect(snapshot(to: 1, 0, knowing: .none).map(Set.init) == [own.pkiID, mate], "another org hears of this org")
        let knowsMate = KnownVersions(times: [KnownVersions.key(mate): PeerTime(incarnation: 1, sequence: 2)])
        #expect(snapshot(to: 1, 0, knowing: knowsMate) == [own.pkiID])
        var knowsAll = knowsMate
        knowsAll.times[KnownVersions.key(own.pkiID)] = own.time
        #expect(snapshot(to: 1, 0, knowing: knowsAll) == nil, "nothing new: no snapshot at all")
        #expect(gossip.states["alpha"]?.height(of: other) == 4)
    }

    /// News of a peer whose signed state info the requester holds (same incarnation) travels as a
    /// 20-byte height claim; a requester that holds none, or one of an older incarnation, gets the
    /// signed state info (and the claim when the version held here is newer than it).
    @Test mutating func aRequesterHoldingThePeersSignedStateInfoGetsAHeightClaim() {
        var gossip = peer()
        let mate = Topology.pkiID(0, 1)
        let info = StateInfo(pkiID: mate, channelMAC: ChannelMAC(pkiID: mate, channel: "alpha"), height: 4, time: PeerTime(incarnation: 1, sequence: 2))
        _ = gossip.handle(message(.stateInfo(info), channel: "alpha", from: 0, 1), now: .zero, random: &random)
        func answer(knowing known: KnownVersions) -> (signed: [PKIID], claims: [HeightClaim]) {
            let effects = gossip.handle(message(.stateInfoRequest(digest: 42, known: known), channel: "alpha", from: 1, 0), now: .zero, random: &random)
            var signed: [PKIID] = [], claims: [HeightClaim] = []
            for case .channel(_, let inner) in sends(effects) {
                if case .stateInfoSnapshot(let infos) = inner { signed += infos.map(\.pkiID) }
                if case .stateInfoHeights(let heights) = inner { claims += heights }
            }
            return (signed, claims)
        }
        let own = gossip.states["alpha"]!.own
        let ownKnown = (KnownVersions.key(own.pkiID), own.time)
        let claim = HeightClaim(key: KnownVersions.key(mate), time: info.time, height: 4)
        let sameIncarnation = answer(knowing: KnownVersions(entries: [ownKnown, (KnownVersions.key(mate), PeerTime(incarnation: 1, sequence: 1))]))
        #expect(sameIncarnation.signed.isEmpty && sameIncarnation.claims == [claim])
        let olderIncarnation = answer(knowing: KnownVersions(entries: [ownKnown, (KnownVersions.key(mate), PeerTime(incarnation: 0, sequence: 7))]))
        #expect(olderIncarnation.signed == [mate] && olderIncarnation.claims.isEmpty)
        // A claim newer than the signed state info held: a requester without the peer gets both.
        let relayed = HeightClaim(key: KnownVersions.key(mate), time: PeerTime(incarnation: 1, sequence: 5), height: 9)
        _ = gossip.handle(message(.stateInfoHeights([relayed]), channel: "alpha", from: 0, 1), now: .zero, random: &random)
        #expect(gossip.states["alpha"]?.height(of: mate) == 9)
        let none = answer(knowing: KnownVersions(entries: [ownKnown]))
        #expect(none.signed == [mate] && none.claims == [relayed])
    }

    /// A claim counts only from a relayer of the claimed peer's org, only for a peer whose own
    /// signed state info is held (a claim never makes a channel peer), only in that state
    /// info's incarnation, and only when newer; the creator's next signed state info replaces it.
    @Test mutating func heightClaimsCountOnlyFromTheOrgForAKnownPeerOfTheSameIncarnation() {
        var gossip = peer()
        let mate = Topology.pkiID(0, 1), other = Topology.pkiID(1, 0)
        func claim(_ id: PKIID, incarnation: UInt64 = 1, sequence: UInt64, height: UInt64) -> ChannelMessage {
            .stateInfoHeights([HeightClaim(key: KnownVersions.key(id), time: PeerTime(incarnation: incarnation, sequence: sequence), height: height)])
        }
        _ = gossip.handle(message(claim(mate, sequence: 3, height: 7), channel: "alpha", from: 0, 1), now: .zero, random: &random)
        #expect(gossip.states["alpha"]?.height(of: mate) == nil, "no signed state info of the peer: not a channel peer")
        let info = StateInfo(pkiID: mate, channelMAC: ChannelMAC(pkiID: mate, channel: "alpha"), height: 4, time: PeerTime(incarnation: 1, sequence: 2))
        _ = gossip.handle(message(.stateInfo(info), channel: "alpha", from: 0, 1), now: .zero, random: &random)
        let otherInfo = StateInfo(pkiID: other, channelMAC: ChannelMAC(pkiID: other, channel: "alpha"), height: 4, time: PeerTime(incarnation: 1, sequence: 2))
        _ = gossip.handle(message(.stateInfo(otherInfo), channel: "alpha", from: 1, 0), now: .zero, random: &random)
        let digest = gossip.states["alpha"]!.digest
        _ = gossip.handle(message(claim(mate, sequence: 3, height: 7), channel: "alpha", from: 1, 0), now: .zero, random: &random)
        #expect(gossip.states["alpha"]?.height(of: mate) == 4, "another org does not vouch for this org's peers")
        _ = gossip.handle(message(claim(mate, incarnation: 2, sequence: 1, height: 7), channel: "alpha", from: 0, 1), now: .zero, random: &random)
        #expect(gossip.states["alpha"]?.height(of: mate) == 4, "another incarnation needs the creator's signature")
        _ = gossip.handle(message(claim(mate, sequence: 1, height: 1), channel: "alpha", from: 0, 1), now: .zero, random: &random)
        #expect(gossip.states["alpha"]?.height(of: mate) == 4, "older than the version held")
        _ = gossip.handle(message(claim(mate, sequence: 3, height: 7), channel: "alpha", from: 0, 1), now: .zero, random: &random)
        #expect(gossip.states["alpha"]?.height(of: mate) == 7)
        #expect(gossip.states["alpha"]?.digest != digest, "the digest follows the version held")
        #expect(gossip.states["alpha"]?.versions.knows(mate, at: PeerTime(incarnation: 1, sequence: 3)) == true)
        #expect(gossip.states["alpha"]?.highestHeight == 7)
        // A claim that lies ahead lasts until the creator's next signed state info, which wins
        // although its time is earlier than the claim's.
        _ = gossip.handle(message(claim(mate, sequence: 9, height: 20), channel: "alpha", from: 0, 1), now: .zero, random: &random)
        #expect(gossip.states["alpha"]?.height(of: mate) == 20)
        let newer = StateInfo(pkiID: mate, channelMAC: info.channelMAC, height: 8, time: PeerTime(incarnation: 1, sequence: 4))
        _ = gossip.handle(message(.stateInfo(newer), channel: "alpha", from: 0, 1), now: .zero, random: &random)
        #expect(gossip.states["alpha"]?.height(of: mate) == 8)
        #expect(gossip.states["alpha"]?.infos[mate]?.time == newer.time)
        #expect(gossip.states["alpha"]?.versions.knows(mate, at: PeerTime(incarnation: 1, sequence: 5)) == false)
        _ = gossip.handle(message(claim(other, sequence: 3, height: 7), channel: "alpha", from: 1, 0), now: .zero, random: &random)
        #expect(gossip.states["alpha"]?.height(of: other) == 7, "another org's channel peer vouches for its own org")
    }

    @Test mutating func channelMessagesFromOrgsOutsideTheChannelAreDropped() {
        var gossip = peer(channelOrganizations: ["alpha": ["Org1MSP"]])
        let effects = gossip.handle(message(.stateInfoRequest(digest: 42), channel: "alpha", from: 1, 0), now: .zero, random: &random)
        #expect(sends(effects).isEmpty)
        #expect(effects.contains { if case .dropped(let line) = $0 { return line.contains("not a member of the channel") } else { return false } })
    }

    @Test mutating func blocksAndLeadershipFromAnotherOrgAreDropped() {
        var gossip = peer()
        let block = gossip.handle(message(.block(GossipBlock(number: 0, data: [1]), relay: []), channel: "alpha", from: 1, 0), now: .zero, random: &random)
        #expect(!block.contains { if case .commit = $0 { return true } else { return false } })
        #expect(gossip.height(of: "alpha") == 0)
        let same = gossip.handle(message(.block(GossipBlock(number: 0, data: [1]), relay: []), channel: "alpha", from: 0, 1), now: .zero, random: &random)
        #expect(same.contains(.commit(channel: "alpha", GossipBlock(number: 0, data: [1]))))
    }

    @Test mutating func stateInfoCountsOnlyFromItsCreatorAndMakesAChannelPeer() {
        var gossip = peer()
        let mac = ChannelMAC(pkiID: Topology.pkiID(0, 1), channel: "alpha")
        let forged = StateInfo(pkiID: Topology.pkiID(0, 1), channelMAC: mac, height: 9, time: PeerTime(incarnation: 1, sequence: 1))
        // Sent by (1,0) as if it were (0,1)'s own: dropped.
        _ = gossip.handle(.received(Verified(value: .channel(ChannelMAC(pkiID: Topology.pkiID(1, 0), channel: "alpha"), .stateInfo(forged)),
                                             signer: signer(1, 0)), via: nil), now: .zero, random: &random)
        #expect(gossip.channelPeerHeights("alpha").isEmpty)
        _ = gossip.handle(message(.stateInfo(forged), channel: "alpha", from: 0, 1), now: .zero, random: &random)
        #expect(gossip.channelPeerHeights("alpha") == [Topology.pkiID(0, 1): 9])
        #expect(gossip.orgPeers(of: "alpha") == [Topology.pkiID(0, 1)])
        // An older copy changes nothing.
        let stale = StateInfo(pkiID: Topology.pkiID(0, 1), channelMAC: mac, height: 3, time: PeerTime(incarnation: 1, sequence: 0))
        _ = gossip.handle(message(.stateInfo(stale), channel: "alpha", from: 0, 1), now: .zero, random: &random)
        #expect(gossip.channelPeerHeights("alpha") == [Topology.pkiID(0, 1): 9])
    }

    @Test mutating func snapshotEntriesFromOrgsOutsideTheChannelAreIgnored() {
        // alpha is Org1's only; (1,0) of Org2 knows the channel name and shows up in a snapshot.
        var gossip = peer(channelOrganizations: ["alpha": ["Org1MSP"]])
        let foreign = StateInfo(pkiID: Topology.pkiID(1, 0), channelMAC: ChannelMAC(pkiID: Topology.pkiID(1, 0), channel: "alpha"),
                                height: 7, time: PeerTime(incarnation: 1, sequence: 1))
        let own = StateInfo(pkiID: Topology.pkiID(0, 1), channelMAC: ChannelMAC(pkiID: Topology.pkiID(0, 1), channel: "alpha"),
                            height: 3, time: PeerTime(incarnation: 1, sequence: 1))
        _ = gossip.handle(message(.stateInfoSnapshot([own, foreign]), channel: "alpha", from: 0, 1), now: .zero, random: &random)
        #expect(gossip.states["alpha"]?.infos.keys.sorted() == [Topology.pkiID(0, 1)])
    }

    /// Joining a channel of two orgs: the own org's known peer and one known peer of the other
    /// org are each sent this peer's state info and asked for their own.
    @Test mutating func aJoiningPeerIntroducesItselfToAPeerOfEachOtherOrg() {
        var gossip = peer()
        let second = AliveMessage(pkiID: Topology.pkiID(1, 1), mspID: Topology.mspID(1), externalEndpoint: Topology.externalEndpoint(1, 1),
                                  internalEndpoint: nil, time: PeerTime(incarnation: 1, sequence: 1))
        _ = gossip.handle(.received(Verified(value: .membership(.alive([second])), signer: signer(1, 1)), via: nil), now: .zero, random: &random)
        _ = gossip.handle(.start, now: .zero, random: &random)
        let orgs: Set<String> = [Topology.mspID(0), Topology.mspID(1)]
        let effects = gossip.join(channel: "beta", organizations: orgs, height: 1, now: .zero, random: &random)
        let own = gossip.states["beta"]!.own
        let told = effects.compactMap { effect -> Destination? in
            if case .send(.channel(_, .stateInfo(let info)), let destination) = effect, info == own { return destination } else { return nil }
        }
        #expect(told.map(\.endpoint).contains(Topology.internalEndpoint(0, 1)), "the own org's known peer")
        // One of Org2's two known peers, not both.
        let introduced = told.filter { $0.endpoint != Topology.internalEndpoint(0, 1) }
        #expect(introduced.count == 1)
        guard let other = introduced.first else { return }
        #expect([Topology.externalEndpoint(1, 0), Topology.externalEndpoint(1, 1)].contains(other.endpoint))
        #expect(effects.contains(.send(.channel(own.channelMAC, .stateInfoRequest(digest: nil)), to: other)))
    }

    /// Cross-org snapshot pulls: while the peer holds no state info of some orgs, one request
    /// goes to a peer of each of them at once; once it has heard of every org, one org per
    /// interval, in turn.
    @Test mutating func orgsNotHeardOfYetAreAllAskedAtOnceThenOneOrgPerInterval() {
        let four = Topology(orgs: 4, peersPerOrg: 2)
        let orgs = Set((0..<4).map(Topology.mspID))
        var gossip = GossipPeer(configuration: four.configuration(0, 0), channels: ["alpha"], channelOrganizations: ["alpha": orgs],
                                mode: .dynamic, incarnation: 1)
        for org in 1..<4 {
            let alive = AliveMessage(pkiID: Topology.pkiID(org, 0), mspID: Topology.mspID(org), externalEndpoint: Topology.externalEndpoint(org, 0),
                                     internalEndpoint: nil, time: PeerTime(incarnation: 1, sequence: 1))
            _ = gossip.handle(.received(Verified(value: .membership(.alive([alive])), signer: signer(org, 0)), via: nil), now: .zero, random: &random)
        }
        func askedOrgs(_ effects: [GossipPeer.Effect]) -> [String] {
            effects.compactMap { effect -> String? in
                guard case .send(.channel(_, .stateInfoRequest), let destination) = effect else { return nil }
                return (1..<4).first { destination.endpoint == Topology.externalEndpoint($0, 0) }.map(Topology.mspID)
            }.sorted()
        }
        let pull = GossipPeer.Event.timer(.pullStateInfo(channel: "alpha"))
        #expect(askedOrgs(gossip.handle(pull, now: .zero, random: &random)) == ["Org2MSP", "Org3MSP", "Org4MSP"])
        // Org2 heard of: Org3 and Org4 are still asked together.
        func hear(_ org: Int) {
            let id = Topology.pkiID(org, 0)
            let info = StateInfo(pkiID: id, channelMAC: ChannelMAC(pkiID: id, channel: "alpha"), height: 1, time: PeerTime(incarnation: 1, sequence: 1))
            _ = gossip.handle(message(.stateInfo(info), channel: "alpha", from: org, 0), now: .zero, random: &random)
        }
        hear(1)
        #expect(askedOrgs(gossip.handle(pull, now: .zero, random: &random)) == ["Org3MSP", "Org4MSP"])
        hear(2)
        hear(3)
        // The next three pulls (ticks that find nothing new pull less often: `StateInfoPullPace`).
        var turns: [String] = []
        for _ in 0..<12 where turns.count < 3 {
            let asked = askedOrgs(gossip.handle(pull, now: .zero, random: &random))
            #expect(asked.count <= 1)
            turns += asked
        }
        #expect(Set(turns) == ["Org2MSP", "Org3MSP", "Org4MSP"])
    }

    /// A peer that knew no own-org channel peer when another org's first state info came relays
    /// that org with the next news of it, here a newer state info in a snapshot.
    @Test mutating func anOrgNotRelayedForLackOfTargetsIsRelayedWithItsNextNews() {
        var gossip = peer()
        func info(_ org: Int, _ index: Int, sequence: UInt64) -> StateInfo {
            let id = Topology.pkiID(org, index)
            return StateInfo(pkiID: id, channelMAC: ChannelMAC(pkiID: id, channel: "alpha"), height: 1, time: PeerTime(incarnation: 1, sequence: sequence))
        }
        func relayed(_ effects: [GossipPeer.Effect]) -> Bool {
            effects.contains { if case .send(.channel(_, .stateInfoSnapshot(let infos)), _) = $0 { return infos.count == 1 } else { return false } }
        }
        #expect(!relayed(gossip.handle(message(.stateInfo(info(1, 0, sequence: 1)), channel: "alpha", from: 1, 0), now: .zero, random: &random)),
                "no own-org channel peer to relay to")
        _ = gossip.handle(message(.stateInfo(info(0, 1, sequence: 1)), channel: "alpha", from: 0, 1), now: .zero, random: &random)
        #expect(relayed(gossip.handle(message(.stateInfoSnapshot([info(1, 0, sequence: 2)]), channel: "alpha", from: 0, 1), now: .zero, random: &random)))
    }

    /// The first state info of another org's peer is relayed to the own org's channel peers;
    /// newer ones of that peer, and other peers of that org, are not.
    @Test mutating func theFirstStateInfoOfAnotherOrgIsRelayedToTheOwnOrgOnce() {
        var gossip = peer()
        func info(_ org: Int, _ index: Int, sequence: UInt64) -> StateInfo {
            let id = Topology.pkiID(org, index)
            return StateInfo(pkiID: id, channelMAC: ChannelMAC(pkiID: id, channel: "alpha"), height: 1, time: PeerTime(incarnation: 1, sequence: sequence))
        }
        func relays(_ effects: [GossipPeer.Effect]) -> [(PKIID, Destination)] {
            effects.compactMap { effect in
                if case .send(.channel(_, .stateInfoSnapshot(let infos)), let destination) = effect, infos.count == 1 { return (infos[0].pkiID, destination) }
                return nil
            }
        }
        // (0,1) becomes an own-org channel peer; an own-org peer is not relayed.
        #expect(relays(gossip.handle(message(.stateInfo(info(0, 1, sequence: 1)), channel: "alpha", from: 0, 1), now: .zero, random: &random)).isEmpty)
        let first = relays(gossip.handle(message(.stateInfo(info(1, 0, sequence: 1)), channel: "alpha", from: 1, 0), now: .zero, random: &random))
        #expect(first.map(\.0) == [Topology.pkiID(1, 0)])
        #expect(first.map(\.1.endpoint) == [Topology.internalEndpoint(0, 1)])
        #expect(relays(gossip.handle(message(.stateInfo(info(1, 0, sequence: 2)), channel: "alpha", from: 1, 0), now: .zero, random: &random)).isEmpty)
        // Another peer of Org2 in a snapshot: Org2 was relayed already.
        let alive = AliveMessage(pkiID: Topology.pkiID(1, 1), mspID: Topology.mspID(1), externalEndpoint: Topology.externalEndpoint(1, 1),
                                 internalEndpoint: nil, time: PeerTime(incarnation: 1, sequence: 1))
        _ = gossip.handle(.received(Verified(value: .membership(.alive([alive])), signer: signer(1, 1)), via: nil), now: .zero, random: &random)
        let snapshot = gossip.handle(message(.stateInfoSnapshot([info(1, 1, sequence: 1)]), channel: "alpha", from: 0, 1), now: .zero, random: &random)
        #expect(gossip.states["alpha"]?.infos[Topology.pkiID(1, 1)] != nil)
        #expect(relays(snapshot).isEmpty)
    }

    @Test mutating func stateRequestsAreServedFromTheWindowOrTheLedger() {
        var gossip = GossipPeer(configuration: topology.configuration(0, 0), channels: ["alpha"], mode: .standby, incarnation: 1,
                                heights: ["alpha": 150])
        let alive = AliveMessage(pkiID: Topology.pkiID(1, 0), mspID: Topology.mspID(1), externalEndpoint: Topology.externalEndpoint(1, 0),
                                 internalEndpoint: nil, time: PeerTime(incarnation: 1, sequence: 1))
        _ = gossip.handle(.received(Verified(value: .membership(.alive([alive])), signer: signer(1, 0)), via: nil), now: .zero, random: &random)
        // Blocks 0–139 are only in the ledger: the shell reads them; another org of the channel may ask.
        let effects = gossip.handle(message(.stateRequest(nonce: 7, first: 0, count: 500), channel: "alpha", from: 1, 0), now: .zero, random: &random)
        #expect(GossipSettings.fabnetDefaults.state.batchSize == 100)
        #expect(apart(fromConnections: effects) == [.serveBlocks(channel: "alpha", numbers: 0..<100, nonce: 7, to: .peer(Topology.pkiID(1, 0), Topology.externalEndpoint(1, 0)))],
                "capped at batchSize and sent to the external endpoint")
        // Beyond the height: nothing.
        #expect(apart(fromConnections: gossip.handle(message(.stateRequest(nonce: 8, first: 150, count: 10), channel: "alpha", from: 1, 0),
                                                     now: .zero, random: &random)).isEmpty)
    }
}
