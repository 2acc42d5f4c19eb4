import FabnetModel
@testable import GossipCore
@testable import Simulator
import Testing

/// The compact tables a big simulation keeps per peer pair (`MemberTable`, `PositionIndex`, the
/// state-info table of `ChannelStateInfo`, `EndpointDirectory`) against plain dictionaries.
@Suite struct CompactTablesTests {
    /// PKI-IDs of which every fourth shares its first 8 bytes with another: same bucket hash, so
    /// probe runs and their repair after removals are exercised.
    static func ids(_ count: Int) -> [PKIID] {
        var random = SeededGenerator(seed: 11)
        return (0..<count).map { index in
            var bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
            if index % 4 == 3 { bytes.replaceSubrange(0..<8, with: [1, 2, 3, 4, 5, 6, 7, 8]) }
            return PKIID(bytes)
        }
    }

    static func alive(_ id: PKIID, sequence: UInt64 = 1) -> AliveMessage {
        AliveMessage(pkiID: id, mspID: "Org1MSP", externalEndpoint: nil, internalEndpoint: Endpoint(host: "127.0.0.1", port: 7051),
                     time: PeerTime(incarnation: 1, sequence: sequence))
    }

    @Test func theMemberTableAgreesWithADictionaryThroughRandomChanges() {
        let ids = Self.ids(300)
        var random = SeededGenerator(seed: 3)
        var table = MemberTable()
        var model: [PKIID: Membership.Member] = [:]
        // Insertion order with a removal moving the last into the hole, as the table promises.
        var order: [PKIID] = [], reachable: [PKIID] = []
        func removeFromOrder(_ id: PKIID, _ list: inout [PKIID]) {
            guard let position = list.firstIndex(of: id) else { return }
            let last = list.removeLast()
            if position < list.count { list[position] = last }
        }
        for step in 0..<6_000 {
            let id = ids[Int.random(in: 0..<ids.count, using: &random)]
            let now = GossipTime(nanoseconds: Int64(step) * 1_000_000)
            switch Int.random(in: 0..<10, using: &random) {
            case 0...3:
                var member = Membership.Member(alive: Self.alive(id, sequence: UInt64(step)), lastHeard: now, isAlive: Bool.random(using: &random))
                if Bool.random(using: &random) {
                    member.suspectedSince = now
                    member.accusers = [ids[0]]
                }
                if model[id] == nil { order.append(id) }
                table[id] = member
                model[id] = member
            case 4...5:
                table[id] = nil
                model[id] = nil
                removeFromOrder(id, &order)
                removeFromOrder(id, &reachable)
            case 6...7:
                guard let index = table.index(forKey: id) else { continue }
                let flag = Bool.random(using: &random)
                table.setReachable(flag, at: index)
                if flag, !reachable.contains(id) { reachable.append(id) }
                if !flag { removeFromOrder(id, &reachable) }
            case 8:
                // The same alive message, now dead (or alive again): the version digest follows.
                guard let index = table.index(forKey: id) else { continue }
                table[at: index].isAlive.toggle()
                model[id]?.isAlive.toggle()
            default:
                guard let index = table.index(forKey: id) else { continue }
                table[at: index].suspectedSince = nil
                table[at: index].accusers = []
                model[id]?.suspectedSince = nil
                model[id]?.accusers = []
            }
            if step % 500 == 0 { #expect(table.versionDigest == Self.versionDigest(of: model), "step \(step)") }
        }
        #expect(table.versionDigest == Self.versionDigest(of: model))
        #expect(table.count == model.count)
        #expect(Array(table.keys) == order)
        #expect(Array(ReachableIDs(members: table)) == reachable)
        for id in ids {
            let held = table[id]
            #expect(held == model[id], "\(id)")
            #expect(held?.suspectedSince == model[id]?.suspectedSince)
            #expect(held?.accusers == model[id]?.accusers)
        }
    }

    /// A member's digest term tells apart its versions and whether it is alive, also the
    /// neighbouring pairs (dead at sequence s, alive at s − 1), and members.
    @Test func aVersionTermTellsApartVersionsAliveAndMembers() {
        let ids = Self.ids(2)
        var terms: Set<UInt64> = []
        for id in ids {
            for sequence in UInt64(0)..<50 {
                for isAlive in [false, true] {
                    terms.insert(MemberTable.versionTerm(id, PeerTime(incarnation: 7, sequence: sequence), isAlive: isAlive))
                }
                terms.insert(MemberTable.versionTerm(id, PeerTime(incarnation: 8, sequence: sequence), isAlive: true))
            }
        }
        #expect(terms.count == 2 * 50 * 3)
    }

    /// What `MemberTable.versionDigest` must be for `members`, computed from scratch.
    static func versionDigest(of members: [PKIID: Membership.Member]) -> UInt64 {
        members.values.reduce(0) { $0 ^ MemberTable.versionTerm($1.alive.pkiID, $1.alive.time, isAlive: $1.isAlive) }
    }

    @Test func lastHeardKeepsTheMillisecondAcrossMonthsOfUptime() {
        let ids = Self.ids(3)
        var table = MemberTable()
        let start = GossipTime(nanoseconds: 5_000_123_456)
        table[ids[0]] = Membership.Member(alive: Self.alive(ids[0]), lastHeard: start, isAlive: true)
        #expect(table[ids[0]]?.lastHeard == start)  // the first time stored is the epoch
        // 60 days on: past what 32 bits of milliseconds hold from the first time.
        let later = start + .seconds(60 * 86_400) + .milliseconds(7)
        table[ids[1]] = Membership.Member(alive: Self.alive(ids[1]), lastHeard: later, isAlive: true)
        #expect(table[ids[1]]?.lastHeard == later)
        // A member not heard from since before the new epoch counts as heard at it: older than a month.
        let old = table[ids[0]]!.lastHeard
        #expect(old > start && later - old > .seconds(20 * 86_400))
        let sub = later + .nanoseconds(999_999)
        table[ids[2]] = Membership.Member(alive: Self.alive(ids[2]), lastHeard: sub, isAlive: true)
        #expect(table[ids[2]]?.lastHeard == later, "rounded down to the millisecond")
    }

    @Test func theStateInfoTableFindsClaimsByKeyAndForgetsCleanly() {
        let ids = Self.ids(40).filter { $0.bytes.prefix(8) != [1, 2, 3, 4, 5, 6, 7, 8] }  // claims name peers by those 8 bytes
        var state = ChannelStateInfo(channel: "alpha", pkiID: PKIID([9]), incarnation: 1, height: 1)
        let empty = state.digest
        let mac = ChannelMAC(bytes: Array(repeating: 0, count: 32))
        for (index, id) in ids.enumerated() {
            let info = StateInfo(pkiID: id, channelMAC: mac, height: 5, time: PeerTime(incarnation: 1, sequence: 1))
            #expect(state.record(info, ownOrg: index.isMultiple(of: 2)) == (true, true))
        }
        #expect(state.ownOrgPeerIDs == ids.enumerated().filter { $0.offset.isMultiple(of: 2) }.map(\.element))
        // A claim names its peer by key; a newer one counts, an older one does not.
        let claimed = ids[7]
        #expect(state.record(HeightClaim(key: KnownVersions.key(claimed), time: PeerTime(incarnation: 1, sequence: 4), height: 9), where: { _ in true }) == claimed)
        #expect(state.height(of: claimed) == 9 && state.time(of: claimed) == PeerTime(incarnation: 1, sequence: 4))
        #expect(state.record(HeightClaim(key: KnownVersions.key(claimed), time: PeerTime(incarnation: 1, sequence: 3), height: 7), where: { _ in true }) == nil)
        #expect(state.record(HeightClaim(key: 42, time: PeerTime(incarnation: 1, sequence: 9), height: 7), where: { _ in true }) == nil)
        // A newer signed state info replaces the claim.
        let signed = StateInfo(pkiID: claimed, channelMAC: mac, height: 6, time: PeerTime(incarnation: 1, sequence: 2))
        #expect(state.record(signed, ownOrg: false) == (true, false))
        #expect(state.height(of: claimed) == 6)
        // Forgetting every peer, in an order unlike arrival, leaves the others findable each time
        // and the digest as it started.
        for (step, id) in ids.reversed().enumerated() {
            state.forget(id)
            #expect(state.infos[id] == nil)
            for other in ids.reversed().dropFirst(step + 1) { #expect(state.infos[other] != nil) }
        }
        #expect(state.infos.count == 0 && state.digest == empty)
    }

    @Test func anEndpointDirectoryIsSortedAndPrefersTheInternalEndpoint() {
        let ids = Self.ids(20)
        let internalEndpoint = Endpoint(host: "peer0.org1.internal", port: 7051)!
        let external = Endpoint(host: "peer0.org1.example.com", port: 7051)!
        let both = AliveMessage(pkiID: ids[0], mspID: "Org1MSP", externalEndpoint: external, internalEndpoint: internalEndpoint,
                                time: PeerTime(incarnation: 1, sequence: 1))
        let directory = EndpointDirectory(ids.dropFirst().map { Self.alive($0) } + [both, both.withoutInternalEndpoint])
        #expect(directory.ids == ids.sorted())
        #expect(directory[ids[0]] == internalEndpoint)
        #expect(directory[ids[1]] == Endpoint(host: "127.0.0.1", port: 7051))
        #expect(directory[PKIID([1])] == nil)
        #expect(directory == EndpointDirectory(ids.map { Self.alive($0) }.dropFirst() + [both]))
    }

    @Test func aTracedMembershipRequestKeepsItsSizeNotItsList() {
        let known = KnownVersions(entries: Self.ids(50).map { (KnownVersions.key($0), PeerTime(incarnation: 1, sequence: 1)) })
        let request = GossipMessage.membership(.request(sender: Self.alive(Self.ids(1)[0]), viewDigest: 1, known: known))
        guard case let .deliverSummary(kind, entries, signer) = TracedEvent(.deliver(message: request, signer: 3, hops: [])) else {
            Issue.record("a membership request was traced whole")
            return
        }
        #expect(GossipMessage.kinds[kind] == "membership_request" && entries == known.count && signer == 3)
        let ping = GossipMessage.membership(.ping(nonce: 1, sender: nil, updates: []))
        guard case .deliver = TracedEvent(.deliver(message: ping, signer: 3, hops: [])) else {
            Issue.record("a ping was not traced whole")
            return
        }
    }
}
