@_spi(Verification) import FabnetModel
@testable import GossipCore
import Simulator
import Testing

/// SWIM membership (`peer.gossip.membership: swim`, fabnet's default): probes, indirect probes,
/// suspicion, refutation and confirmed deaths, alone and in simulated networks.
@Suite struct SwimMembershipTests {
    var random = SeededGenerator(seed: 5)
    let topology = Topology(orgs: 1, peersPerOrg: 4)

    func signer(_ peer: Int) -> VerifiedSigner {
        VerifiedSigner(mspID: Topology.mspID(0), role: .peer, pkiID: Topology.pkiID(0, peer))
    }

    func alive(_ peer: Int, sequence: UInt64 = 1) -> AliveMessage {
        AliveMessage(pkiID: Topology.pkiID(0, peer), mspID: Topology.mspID(0), externalEndpoint: Topology.externalEndpoint(0, peer),
                     internalEndpoint: Topology.internalEndpoint(0, peer), time: PeerTime(incarnation: 1, sequence: sequence))
    }

    /// Peer 0 after start, knowing peers 1…3 from a membership response of peer 1.
    mutating func started() -> Membership {
        var membership = Membership(configuration: topology.configuration(0, 0), incarnation: 1)
        _ = membership.handle(.start, now: .zero, random: &random)
        let response = MembershipMessage.response(alive: (1..<4).map { alive($0) }, dead: [])
        _ = membership.handle(.received(Verified(value: response, signer: signer(1)), via: nil), now: .zero, random: &random)
        return membership
    }

    func pings(_ effects: [Membership.Effect]) -> [(nonce: UInt64, to: PKIID?)] {
        effects.compactMap { effect in
            guard case let .send(.ping(nonce, _, _), destination) = effect else { return nil }
            if case .peer(let id, _) = destination { return (nonce, id) }
            return (nonce, nil)
        }
    }

    @Test mutating func aMissedProbeGoesIndirectThenSuspectsThenDeclaresDeadOnce() throws {
        var membership = started()
        var now = GossipTime.zero + .milliseconds(500)
        let probe = membership.handle(.timer(.probe), now: now, random: &random)
        let ping = try #require(pings(probe).first(where: { $0.nonce != 0 }), "\(probe)")
        let target = try #require(ping.to)
        #expect(probe.contains(.schedule(.probeTimeout(ping.nonce), at: now + .milliseconds(200))))
        // No ack within the timeout: helpers are asked to ping the target.
        now = now + .milliseconds(200)
        let indirect = membership.handle(.timer(.probeTimeout(ping.nonce)), now: now, random: &random)
        let helpers = indirect.compactMap { effect -> PKIID? in
            guard case let .send(.pingRequest(nonce, asked, _, _), .peer(helper, _)) = effect, nonce == ping.nonce, asked == target else { return nil }
            return helper
        }
        #expect(!helpers.isEmpty && !helpers.contains(target), "\(indirect)")
        // Still nothing when the next probe is due: suspected, not dead, and the suspicion is gossiped.
        now = now + .milliseconds(300)
        _ = membership.handle(.timer(.probe), now: now, random: &random)
        #expect(membership.members[target]?.suspectedSince == now)
        #expect(membership.members[target]?.isAlive == true)
        #expect(membership.declaredDead == 0)
        // Unrefuted for the suspicion timeout: declared dead, logged once.
        // With one accuser (this peer) the timeout is Lifeguard's longest, 6 × the one of three
        // accusers; the missed probe also raised this peer's health score, stretching both.
        #expect(membership.suspicionTimeout(accusers: 1) == membership.suspicionTimeout(accusers: 3) * 6)
        #expect(membership.suspicionTimeout(accusers: 3) == membership.minimumSuspicionTimeout * 2)
        now = now + membership.suspicionTimeout(accusers: 1) + .milliseconds(1)
        let expiry = membership.heartbeats(through: now, random: &random)
        #expect(expiry.contains(.memberDead(target, mspID: Topology.mspID(0))))
        #expect(expiry.filter { if case .log(let line) = $0 { return line.contains("is dead") }; return false }.count == 1)
        #expect(membership.declaredDead == 1)
        let again = membership.heartbeats(through: now + .seconds(1), random: &random)
        #expect(!again.contains(.memberDead(target, mspID: Topology.mspID(0))))
    }

    /// One missed probe makes a quiet suspicion: the member is probed again at once, and only a
    /// second miss gossips it; an answer in between clears it with nothing sent to anyone.
    @Test mutating func aSuspicionIsGossipedOnlyAfterASecondMissedProbe() throws {
        func suspicions(_ effects: [Membership.Effect]) -> [PKIID] {
            effects.flatMap { effect -> [PKIID] in
                guard case let .send(message, _) = effect else { return [] }
                let updates: [MembershipUpdate]
                switch message {
                case let .ping(_, _, carried), let .ack(_, carried), let .pingRequest(_, _, _, carried): updates = carried
                default: updates = []
                }
                return updates.compactMap { if case let .suspect(id, _, _) = $0 { return id } else { return nil } }
            }
        }
        // The second probe answered by the target, by a helper relaying its ack, or not at all.
        for answer in ["target", "helper", "none"] {
            let answersTheSecondProbe = answer != "none"
            var membership = started()
            var now = GossipTime.zero + .milliseconds(500)
            let first = try #require(pings(membership.handle(.timer(.probe), now: now, random: &random)).first { $0.nonce != 0 })
            let target = try #require(first.to)
            now = now + .milliseconds(500)
            let second = membership.handle(.timer(.probe), now: now, random: &random)
            #expect(membership.members[target]?.suspectedSince != nil)
            #expect(suspicions(second).isEmpty, "a first miss is gossiped")
            let retry = try #require(pings(second).first { $0.nonce != 0 })
            #expect(retry.to == target, "the suspect is not probed again first")
            if answersTheSecondProbe {
                let target = Int(target.bytes[1])
                let acker = answer == "target" ? target : (1..<4).first { $0 != target }!
                _ = membership.handle(.received(Verified(value: .ack(nonce: retry.nonce, updates: []), signer: signer(acker)), via: nil),
                                      now: now + .milliseconds(5), random: &random)
                #expect(membership.members[Topology.pkiID(0, target)]?.suspectedSince == nil, "answered by the \(answer)")
            }
            now = now + .milliseconds(1000)  // the next probe (health stretched the interval)
            var sent = membership.handle(.timer(.probe), now: now, random: &random)
            sent += membership.handle(.timer(.forward), now: now + .milliseconds(100), random: &random)
            #expect(suspicions(sent).contains(target) == !answersTheSecondProbe, "answered by: \(answer)")
        }
    }

    @Test mutating func anAckClearsTheProbeAndNothingIsSuspected() throws {
        var membership = started()
        var now = GossipTime.zero + .milliseconds(500)
        let ping = try #require(pings(membership.handle(.timer(.probe), now: now, random: &random)).first { $0.nonce != 0 })
        let target = try #require(ping.to)
        let peer = Int(target.bytes[1])
        _ = membership.handle(.received(Verified(value: .ack(nonce: ping.nonce, updates: []), signer: signer(peer)), via: nil),
                              now: now + .milliseconds(5), random: &random)
        let timeout = membership.handle(.timer(.probeTimeout(ping.nonce)), now: now + .milliseconds(200), random: &random)
        #expect(!timeout.contains { if case .send(.pingRequest, _) = $0 { return true }; return false })
        now = now + .milliseconds(500)
        _ = membership.handle(.timer(.probe), now: now, random: &random)
        #expect(membership.members.values.allSatisfy { $0.suspectedSince == nil && $0.isAlive })
    }

    /// A ping carries our signed alive message until its target acks one; later pings leave it
    /// out, and a probe that times out puts it back (the target may have restarted).
    @Test mutating func pingsLeaveOurAliveMessageOutOnceTheTargetAckedIt() throws {
        var membership = started()
        func probe(at now: GossipTime) throws -> (nonce: UInt64, target: PKIID, sender: AliveMessage?) {
            let effects = membership.handle(.timer(.probe), now: now, random: &random)
            return try #require(effects.compactMap { effect -> (UInt64, PKIID, AliveMessage?)? in
                guard case let .send(.ping(nonce, sender, _), .peer(id, _)) = effect, nonce != 0 else { return nil }
                return (nonce, id, sender)
            }.first)
        }
        // Three ring subjects at most; every first ping to each carries the alive message.
        var now = GossipTime.zero
        var acked: Set<PKIID> = []
        for _ in 0..<6 {
            now = now + .milliseconds(500)
            let ping = try probe(at: now)
            #expect((ping.sender != nil) == !acked.contains(ping.target), "ping to \(ping.target), acked before: \(acked.contains(ping.target))")
            _ = membership.handle(.received(Verified(value: .ack(nonce: ping.nonce, updates: []), signer: signer(Int(ping.target.bytes[1]))), via: nil),
                                  now: now + .milliseconds(5), random: &random)
            acked.insert(ping.target)
        }
        // A missed probe: the next ping to that target carries it again.
        now = now + .milliseconds(500)
        let missed = try probe(at: now)
        #expect(missed.sender == nil)
        _ = membership.handle(.timer(.probeTimeout(missed.nonce)), now: now + .milliseconds(200), random: &random)
        var again: (nonce: UInt64, target: PKIID, sender: AliveMessage?)
        repeat {
            now = now + .milliseconds(500)
            again = try probe(at: now)
        } while again.target != missed.target
        #expect(again.sender != nil)
    }

    @Test mutating func aSuspectedPeerRefutesWithANewerAliveMessageThatClearsTheSuspicion() throws {
        var accused = started()
        let before = accused.selfAlive.time
        let claim = MembershipUpdate.suspect(Topology.pkiID(0, 0), time: before, accuser: Topology.pkiID(0, 2))
        let now = GossipTime.zero + .milliseconds(600)
        // Peer 2 pings peer 0 and tells it that it is suspected.
        let answer = accused.handle(.received(Verified(value: .ping(nonce: 9, sender: alive(2), updates: [claim]), signer: signer(2)), via: nil),
                                    now: now, random: &random)
        #expect(accused.selfAlive.time > before)
        let refutation = try #require(answer.compactMap { effect -> [MembershipUpdate]? in
            if case let .send(.ack(9, updates), _) = effect { return updates }
            return nil
        }.first)
        #expect(refutation.contains(.alive(accused.selfAlive)), "\(refutation)")
        // Peer 3 suspected peer 0; the newer alive message clears it.
        var witness = Membership(configuration: topology.configuration(0, 3), incarnation: 1)
        _ = witness.handle(.start, now: .zero, random: &random)
        let oldAlive = AliveMessage(pkiID: Topology.pkiID(0, 0), mspID: Topology.mspID(0), externalEndpoint: Topology.externalEndpoint(0, 0),
                                    internalEndpoint: Topology.internalEndpoint(0, 0), time: before)
        _ = witness.handle(.received(Verified(value: .response(alive: [oldAlive], dead: []), signer: signer(0)), via: nil), now: .zero, random: &random)
        _ = witness.handle(.received(Verified(value: .ping(nonce: 0, sender: alive(1), updates: [claim]), signer: signer(1)), via: nil),
                           now: now, random: &random)
        #expect(witness.members[Topology.pkiID(0, 0)]?.suspectedSince != nil)
        _ = witness.handle(.received(Verified(value: .ping(nonce: 0, sender: alive(1), updates: refutation), signer: signer(1)), via: nil),
                           now: now + .milliseconds(10), random: &random)
        #expect(witness.members[Topology.pkiID(0, 0)]?.suspectedSince == nil)
        // A stale claim (older than what peer 3 knows) changes nothing.
        _ = witness.handle(.received(Verified(value: .ping(nonce: 0, sender: alive(1), updates: [.dead(Topology.pkiID(0, 0), time: before)]),
                                              signer: signer(1)), via: nil), now: now + .milliseconds(20), random: &random)
        #expect(witness.members[Topology.pkiID(0, 0)]?.isAlive == true)
        #expect(witness.declaredDead == 0)
    }

    /// A starting peer introduces itself with the alive message it then gossips: no older
    /// version of it exists for a slow start to be suspected at.
    @Test mutating func introductionsCarryTheVersionThatIsGossiped() throws {
        var membership = Membership(configuration: topology.configuration(0, 0), incarnation: 1)
        let effects = membership.handle(.start, now: .zero, random: &random)
        let introductions = effects.compactMap { effect -> AliveMessage? in
            if case let .send(.request(sender, _, _), _) = effect { return sender } else { return nil }
        }
        #expect(!introductions.isEmpty)
        #expect(introductions.allSatisfy { $0.time == membership.selfAlive.time }, "\(introductions.map(\.time)) vs \(membership.selfAlive.time)")
        #expect(membership.selfAlive.time == PeerTime(incarnation: 1, sequence: 1))
    }

    /// The suspicion timeout scales smoothly with log10 of the view (as memberlist's): at 100
    /// peers it is 2 × the expiration whether this peer knows 99 others or 98 (⌊log10 N⌋ halved it
    /// for a peer that had not yet heard of one), and 1 × below 10 peers.
    @Test mutating func theSuspicionTimeoutDoesNotHalveWhenTheViewLacksOnePeer() {
        let big = Topology(orgs: 1, peersPerOrg: 100)
        func minimum(knowing others: Int) -> Duration {
            var membership = Membership(configuration: big.configuration(0, 0), incarnation: 1)
            _ = membership.handle(.start, now: .zero, random: &random)
            let response = MembershipMessage.response(alive: (1...others).map { alive($0) }, dead: [])
            _ = membership.handle(.received(Verified(value: response, signer: signer(1)), via: nil), now: .zero, random: &random)
            #expect(membership.members.count == others)
            return membership.minimumSuspicionTimeout
        }
        let expiration = big.settings.aliveExpirationTimeout
        #expect(minimum(knowing: 99) == expiration * 2)
        #expect(minimum(knowing: 98) > expiration * 1.99)
        #expect(minimum(knowing: 49) > expiration * 1.69 && minimum(knowing: 49) < expiration * 1.7)
        #expect(minimum(knowing: 3) == expiration)
    }

    /// The probe timer follows the view's size as the suspicion timeout does: every
    /// `aliveTimeInterval` below 10 peers, every 2 × at 100 (one probe a second, memberlist's
    /// default), so 100 peers send half the probes 100 peers at 500 ms did.
    @Test mutating func theProbeIntervalScalesWithLog10OfTheView() {
        let big = Topology(orgs: 1, peersPerOrg: 100)
        func nextProbe(knowing others: Int) -> Duration? {
            var membership = Membership(configuration: big.configuration(0, 0), incarnation: 1)
            _ = membership.handle(.start, now: .zero, random: &random)
            let response = MembershipMessage.response(alive: (1...others).map { alive($0) }, dead: [])
            _ = membership.handle(.received(Verified(value: response, signer: signer(1)), via: nil), now: .zero, random: &random)
            // When the first probe is due (a later one would count as a stall and stretch it).
            let start = GossipTime.zero + big.settings.aliveTimeInterval
            let effects = membership.handle(.timer(.probe), now: start, random: &random)
            return effects.lazy.compactMap { effect -> Duration? in
                if case .schedule(.probe, let at) = effect { return at - start } else { return nil }
            }.first
        }
        let interval = big.settings.aliveTimeInterval
        #expect(nextProbe(knowing: 3) == interval)
        #expect(nextProbe(knowing: 99) == interval * 2)
        let fifty = nextProbe(knowing: 49)
        #expect(fifty.map { $0 > interval * 1.69 && $0 < interval * 1.7 } == true, "\(String(describing: fifty))")
    }

    /// A starting peer asks its first contact (here its org's anchor) for its view and pings the
    /// others (other orgs' anchors), which it asks one by one as answers come, naming what it
    /// holds; with no answer by the first probe, it asks all that are left.
    @Test mutating func aStartingPeerAsksItsFirstContactThenTheOthersNamingWhatItHolds() throws {
        let topology = Topology(orgs: 3, peersPerOrg: 2)
        let anchors = (0..<3).map { Topology.externalEndpoint($0, 0) }
        func requests(_ effects: [Membership.Effect]) -> [Endpoint: KnownVersions] {
            var found: [Endpoint: KnownVersions] = [:]
            for effect in effects {
                if case let .send(.request(_, _, known), .endpoint(endpoint)) = effect { found[endpoint] = known }
            }
            return found
        }
        func introductionPings(_ effects: [Membership.Effect]) -> [Endpoint] {
            effects.compactMap { effect in
                if case let .send(.ping(0, sender?, []), .endpoint(endpoint)) = effect, sender.pkiID == Topology.pkiID(0, 1) { return endpoint }
                return nil
            }
        }
        var membership = Membership(configuration: topology.configuration(0, 1), incarnation: 1)
        let start = membership.handle(.start, now: .zero, random: &random)
        #expect(requests(start).keys.sorted() == [anchors[0]])
        #expect(requests(start)[anchors[0]]?.count == 0)
        #expect(introductionPings(start).sorted() == [anchors[1], anchors[2]])
        // The anchor's view arrives: the other anchors are asked, told what is held.
        let other = AliveMessage(pkiID: Topology.pkiID(1, 1), mspID: Topology.mspID(1), externalEndpoint: Topology.externalEndpoint(1, 1),
                                 internalEndpoint: nil, time: PeerTime(incarnation: 1, sequence: 1))
        let response = MembershipMessage.response(alive: [alive(0), other], dead: [])
        let answered = membership.handle(.received(Verified(value: response, signer: signer(0)), via: nil), now: .zero + .milliseconds(3),
                                         random: &random)
        let asked = requests(answered)
        #expect(asked.keys.sorted() == [anchors[1]])
        #expect(asked[anchors[1]].map { $0.knows(Topology.pkiID(0, 0), at: alive(0).time) && $0.knows(Topology.pkiID(1, 1), at: other.time) } == true)
        // The next answer asks the last contact, naming what came since.
        let third = AliveMessage(pkiID: Topology.pkiID(2, 1), mspID: Topology.mspID(2), externalEndpoint: Topology.externalEndpoint(2, 1),
                                 internalEndpoint: nil, time: PeerTime(incarnation: 1, sequence: 1))
        let next = membership.handle(.received(Verified(value: .response(alive: [third], dead: []), signer: signer(0)), via: nil),
                                     now: .zero + .milliseconds(6), random: &random)
        #expect(requests(next).keys.sorted() == [anchors[2]])
        #expect(requests(next)[anchors[2]].map { $0.knows(Topology.pkiID(2, 1), at: third.time) } == true)
        // Each asked once: a later answer or probe asks no one again.
        #expect(requests(membership.handle(.received(Verified(value: response, signer: signer(0)), via: nil), now: .zero + .milliseconds(8),
                                           random: &random)).isEmpty)
        #expect(requests(membership.handle(.timer(.probe), now: .zero + .milliseconds(500), random: &random)).isEmpty)
        // No answer at all: the first probe asks the others.
        var unanswered = Membership(configuration: topology.configuration(0, 1), incarnation: 1)
        _ = unanswered.handle(.start, now: .zero, random: &random)
        #expect(requests(unanswered.handle(.timer(.probe), now: .zero + .milliseconds(500), random: &random)).keys.sorted() == [anchors[1], anchors[2]])
    }

    /// SWIM's pull sends the version digest only; a neighbour with the same versions stays
    /// silent, one with others asks for what is held, and only the neighbour pulled from gets the
    /// request naming it, once; its answer holds only what the requester lacked.
    @Test mutating func aPullNamesWhatItHoldsOnlyWhenTheNeighbourSeesOtherVersions() throws {
        var requester = started()
        let pull = requester.handle(.timer(.pull), now: .zero + .seconds(1), random: &random)
        let digests = pull.compactMap { effect -> (UInt64, PKIID)? in
            if case let .send(.versionDigest(sender, digest), .peer(id, _)) = effect, sender.pkiID == Topology.pkiID(0, 0) { return (digest, id) }
            return nil
        }
        #expect(digests.count == 1, "\(pull)")
        #expect(!pull.contains { if case .send(.request, _) = $0 { return true } else { return false } }, "no list with the digest")
        let (digest, neighbour) = try #require(digests.first)
        #expect(digest == requester.versionDigest)
        let responderIndex = try #require((1..<4).first { Topology.pkiID(0, $0) == neighbour })

        // A responder holding the same versions: nothing to say.
        var responder = Membership(configuration: topology.configuration(0, responderIndex), incarnation: 1)
        _ = responder.handle(.start, now: .zero, random: &random)
        let others = (1..<4).filter { $0 != responderIndex }.map { alive($0) }
        _ = responder.handle(.received(Verified(value: .response(alive: [requester.selfAlive] + others, dead: []), signer: signer(0)), via: nil),
                             now: .zero, random: &random)
        #expect(responder.versionDigest == requester.versionDigest)
        let asDigest = Verified(value: MembershipMessage.versionDigest(sender: requester.selfAlive, digest: digest), signer: signer(0))
        let silent = responder.handle(.received(asDigest, via: nil), now: .zero + .seconds(1), random: &random)
        #expect(!silent.contains { if case .send = $0 { return true } else { return false } }, "\(silent)")

        // The responder hears of a newer version of a third peer: the digests differ.
        let third = (1..<4).first { $0 != responderIndex }!
        _ = responder.handle(.received(Verified(value: .ping(nonce: 0, sender: nil, updates: [.alive(alive(third, sequence: 2))]), signer: signer(third)),
                                       via: nil), now: .zero + .seconds(1), random: &random)
        let wanted = responder.handle(.received(asDigest, via: nil), now: .zero + .seconds(1), random: &random)
        #expect(wanted.contains { if case .send(.versionsWanted, .peer(Topology.pkiID(0, 0), _)) = $0 { return true } else { return false } }, "\(wanted)")

        // Only the neighbour pulled from gets the list, and once.
        let fromOther = Verified(value: MembershipMessage.versionsWanted, signer: signer((1..<4).first { $0 != responderIndex }!))
        #expect(requester.handle(.received(fromOther, via: nil), now: .zero + .seconds(1), random: &random).isEmpty)
        let asked = requester.handle(.received(Verified(value: .versionsWanted, signer: signer(responderIndex)), via: nil),
                                     now: .zero + .seconds(1), random: &random)
        let requests = asked.compactMap { effect -> KnownVersions? in
            if case let .send(.request(_, 0, known), .peer(id, _)) = effect, id == neighbour { return known }
            return nil
        }
        #expect(requests.count == 1, "\(asked)")
        let known = try #require(requests.first)
        #expect(known.count == 4 && known.knows(Topology.pkiID(0, third), at: alive(third).time))
        #expect(requester.handle(.received(Verified(value: .versionsWanted, signer: signer(responderIndex)), via: nil),
                                 now: .zero + .seconds(1), random: &random).isEmpty)

        // The answer: only the newer version.
        let answer = responder.handle(.received(Verified(value: .request(sender: requester.selfAlive, viewDigest: 0, known: known), signer: signer(0)),
                                                via: nil), now: .zero + .seconds(1), random: &random)
        let sent = answer.compactMap { effect -> [AliveMessage]? in
            if case let .send(.response(alive, _), _) = effect { return alive } else { return nil }
        }
        #expect(sent == [[alive(third, sequence: 2)]], "\(answer)")
    }

    /// A suspicion or death claimed of a version older than the one held here is answered: the
    /// sender gets the newer alive message whole (peers holding it do not gossip it again, so
    /// those that suspect the old version would not hear of it); a current claim gets nothing.
    @Test mutating func aStaleClaimIsAnsweredWithTheNewerAliveMessage() throws {
        func answers(_ effects: [Membership.Effect], to peer: Int) -> [MembershipUpdate] {
            effects.flatMap { effect -> [MembershipUpdate] in
                if case let .send(.ping(0, nil, updates), .peer(id, _)) = effect, id == Topology.pkiID(0, peer) { return updates }
                return []
            }
        }
        var membership = started()
        let now = GossipTime.zero + .seconds(1)
        // Peer 3 refuted once: this peer holds its sequence 2; peer 1 passes on a suspicion of sequence 1.
        _ = membership.handle(.received(Verified(value: .ping(nonce: 0, sender: nil, updates: [.alive(alive(3, sequence: 2))]), signer: signer(2)), via: nil),
                              now: now, random: &random)
        let stale = membership.handle(.received(Verified(value: .ping(nonce: 0, sender: alive(1), updates: [
            .suspect(Topology.pkiID(0, 3), time: alive(3).time, accuser: Topology.pkiID(0, 2))]), signer: signer(1)), via: nil), now: now, random: &random)
        #expect(answers(stale, to: 1) == [.alive(alive(3, sequence: 2))], "\(stale)")
        #expect(membership.members[Topology.pkiID(0, 3)]?.suspectedSince == nil)
        let dead = membership.handle(.received(Verified(value: .ping(nonce: 0, sender: alive(1), updates: [
            .dead(Topology.pkiID(0, 3), time: alive(3).time)]), signer: signer(1)), via: nil), now: now, random: &random)
        #expect(answers(dead, to: 1) == [.alive(alive(3, sequence: 2))])
        #expect(membership.members[Topology.pkiID(0, 3)]?.isAlive == true)
        // A claim of the version held is not answered (it is taken).
        let current = membership.handle(.received(Verified(value: .ping(nonce: 0, sender: alive(1), updates: [
            .suspect(Topology.pkiID(0, 2), time: alive(2).time, accuser: Topology.pkiID(0, 1))]), signer: signer(1)), via: nil), now: now, random: &random)
        #expect(answers(current, to: 1).isEmpty)
        #expect(membership.members[Topology.pkiID(0, 2)]?.suspectedSince != nil)
        // The suspected peer itself answers a claim of its older version with its own.
        let own = membership.selfAlive
        let claim = PeerTime(incarnation: 1, sequence: own.time.sequence - 1)
        let mine = membership.handle(.received(Verified(value: .ping(nonce: 0, sender: alive(2), updates: [
            .suspect(Topology.pkiID(0, 0), time: claim, accuser: Topology.pkiID(0, 1))]), signer: signer(2)), via: nil), now: now, random: &random)
        #expect(answers(mine, to: 2) == [.alive(own)], "\(mine)")
        #expect(membership.selfAlive.time == own.time, "an older claim needs no new sequence")
    }

    /// Lifeguard's dynamic suspicion: one accuser gives the member 6 × the minimum to refute;
    /// independent accusers shorten it; the same accuser relayed twice counts once.
    @Test mutating func independentAccusersConfirmASuspicionAndShortenIt() {
        var membership = started()
        let suspect = Topology.pkiID(0, 3)
        let now = GossipTime.zero + .seconds(1)
        func tell(_ update: MembershipUpdate, via peer: Int, at time: GossipTime) {
            _ = membership.handle(.received(Verified(value: .ping(nonce: 0, sender: alive(peer), updates: [update]), signer: signer(peer)), via: nil),
                                  now: time, random: &random)
        }
        tell(.suspect(suspect, time: alive(3).time, accuser: Topology.pkiID(0, 1)), via: 1, at: now)
        tell(.suspect(suspect, time: alive(3).time, accuser: Topology.pkiID(0, 1)), via: 2, at: now)
        #expect(membership.members[suspect]?.accusers == [Topology.pkiID(0, 1)])
        // Past the minimum but within 6 ×: still alive with one accuser.
        _ = membership.heartbeats(through: now + membership.minimumSuspicionTimeout * 2, random: &random)
        #expect(membership.members[suspect]?.isAlive == true)
        tell(.suspect(suspect, time: alive(3).time, accuser: Topology.pkiID(0, 2)), via: 2, at: now)
        tell(.suspect(suspect, time: alive(3).time, accuser: Topology.pkiID(0, 0)), via: 2, at: now)
        let later = now + membership.suspicionTimeout(accusers: 3) + .milliseconds(1)
        let effects = membership.heartbeats(through: later, random: &random)
        #expect(effects.contains(.memberDead(suspect, mspID: Topology.mspID(0))))
    }

    @Test func theRingBoundsWhomAPeerProbesAndEveryMemberIsProbed() {
        let ids = (0..<200).map { PKIID([UInt8($0 / 100), UInt8($0 % 100)]) }
        var probedBy: [PKIID: Int] = [:]
        for id in ids {
            let ring = ProbeRing(of: id, ownOrg: ids, crossOrg: ids)
            #expect(ring.subjects.count <= ProbeRing.orgRings + 1 && !ring.subjects.isEmpty)
            #expect(ring.neighbours.count <= 2 * (ProbeRing.orgRings + 1))
            for subject in ring.subjects { probedBy[subject, default: 0] += 1 }
        }
        #expect(ids.allSatisfy { probedBy[$0, default: 0] >= 1 }, "every member has a predecessor probing it")
    }

    /// Members placed one at a time, in any order, give the ring computed from all of them.
    @Test func aRingKeptUpAsMembersComeEqualsTheRingOfAllOfThem() {
        let ids = (0..<120).map { PKIID([UInt8($0 / 60), UInt8($0 % 60), 7]) }
        var random = SeededGenerator(seed: 5)
        for own in ids.prefix(10) {
            let ownOrg = ids.filter { $0.bytes[0] == own.bytes[0] && $0 != own }
            var grown = ProbeRing(of: own, ownOrg: [], crossOrg: [])
            for member in ids.shuffled(using: &random) where member != own {
                grown.consider(member, ownOrg: ownOrg.contains(member), crossOrg: true)
            }
            let whole = ProbeRing(of: own, ownOrg: ownOrg, crossOrg: ids)
            #expect(grown.subjects == whole.subjects && grown.neighbours == whole.neighbours)
            #expect(whole.neighbours.allSatisfy { whole.isAdjacent($0) } && !whole.isAdjacent(own))
        }
    }

    /// 2 orgs × 25 peers for 20 simulated seconds: full views, no false deaths, and no
    /// periodic alive messages (a peer's own alive message keeps its first time).
    @Test func aSteadyNetworkHasFullViewsAndNoFalseDeaths() {
        let topology = Topology(orgs: 2, peersPerOrg: 25)
        var network = topology.network(seed: 11, channels: ["alpha"], mode: .dynamic)
        network.run(until: GossipTime.zero + .seconds(20))
        for index in network.peers.indices {
            #expect(network.aliveView(of: index).count == 49, "peer \(index) sees \(network.aliveView(of: index).count)")
            #expect(network.peers[index].membership.selfAlive.time.sequence == 1, "peer \(index) refuted a suspicion")
        }
        #expect(network.peers.reduce(0) { $0 + $1.membership.declaredDead } == 0)
        #expect(network.leaders(of: "alpha").values.allSatisfy { $0.count == 1 })
        // Every update reached every neighbour and left the queues (no forward timer forever).
        #expect(network.peers.allSatisfy { $0.membership.swim.updates.isEmpty })
    }

    /// Lazy push: a relayed alive message travels as a 50-byte announcement, the creator's own
    /// whole. A peer that lacks an announced one asks the announcer once (`want`), not again
    /// within a probe interval for another announcer's copy; one that holds it asks nothing. The
    /// announcer answers with the message whole, and the asker learns it and gossips it on,
    /// announced again.
    @Test mutating func relayedAliveMessagesAreAnnouncedAndFetchedOnlyByPeersThatLackThem() throws {
        let newcomer = Topology.pkiID(0, 3)
        let joined = alive(3, sequence: 2)
        var relay = started()
        // Peer 3 restarted: its newer alive message reaches peer 0 in a request (a join).
        _ = relay.handle(.received(Verified(value: .request(sender: joined, viewDigest: 0), signer: signer(3)), via: nil),
                         now: .zero + .milliseconds(10), random: &random)
        let pushed = relay.handle(.timer(.forward), now: .zero + .milliseconds(200), random: &random)
        let carried = pushed.flatMap { effect -> [MembershipUpdate] in
            if case let .send(.ping(_, _, updates), _) = effect { return updates } else { return [] }
        }
        #expect(carried.contains(.announce(newcomer, time: joined.time)), "\(carried)")
        #expect(carried.aliveMessages.allSatisfy { $0.pkiID == Topology.pkiID(0, 0) }, "only its own goes whole")

        var asker = Membership(configuration: topology.configuration(0, 1), incarnation: 1)
        _ = asker.handle(.start, now: .zero, random: &random)
        _ = asker.handle(.received(Verified(value: .response(alive: [alive(0), alive(2), alive(3)], dead: []), signer: signer(0)), via: nil),
                         now: .zero, random: &random)
        func wants(_ effects: [Membership.Effect]) -> [[PKIID]] {
            effects.compactMap { if case let .send(.want(ids), _) = $0 { return ids } else { return nil } }
        }
        let announcement = MembershipMessage.ping(nonce: 0, sender: nil, updates: [.announce(newcomer, time: joined.time)])
        var now = GossipTime.zero + .milliseconds(300)
        #expect(wants(asker.handle(.received(Verified(value: announcement, signer: signer(0)), via: nil), now: now, random: &random)) == [[newcomer]])
        #expect(wants(asker.handle(.received(Verified(value: announcement, signer: signer(2)), via: nil), now: now, random: &random)).isEmpty,
                "asked already")
        let held = MembershipMessage.ping(nonce: 0, sender: nil, updates: [.announce(Topology.pkiID(0, 2), time: alive(2).time)])
        #expect(wants(asker.handle(.received(Verified(value: held, signer: signer(0)), via: nil), now: now, random: &random)).isEmpty, "held already")

        // Peer 0 answers the want with the message whole; peer 1 learns it and announces it on.
        let answer = relay.handle(.received(Verified(value: .want([newcomer]), signer: signer(1)), via: nil), now: now, random: &random)
        let delivered = try #require(answer.compactMap { effect -> MembershipMessage? in
            if case let .send(message, .peer(id, _)) = effect, id == Topology.pkiID(0, 1) { return message } else { return nil }
        }.first)
        #expect(delivered == .ping(nonce: 0, sender: nil, updates: [.alive(joined)]))
        now = now + .milliseconds(5)
        _ = asker.handle(.received(Verified(value: delivered, signer: signer(0)), via: nil), now: now, random: &random)
        #expect(asker.members[newcomer]?.alive.time == joined.time)
        let onward = asker.handle(.timer(.forward), now: now + .milliseconds(200), random: &random).flatMap { effect -> [MembershipUpdate] in
            if case let .send(.ping(_, _, updates), _) = effect { return updates } else { return [] }
        }
        #expect(onward.contains(.announce(newcomer, time: joined.time)), "\(onward)")
    }

    /// Holders: an update is never sent back to the peer it came from, nor twice to one peer,
    /// and it leaves the queue once every neighbour has it.
    @Test func anUpdateGoesOnceToEachPeerThatLacksItAndRetiresWhenAllHaveIt() {
        let (a, b, c) = (Topology.pkiID(0, 1), Topology.pkiID(0, 2), Topology.pkiID(0, 3))
        var queue = UpdateQueue()
        queue.enqueue(.alive(alive(0)), from: a)
        #expect(queue.take(8, limit: 9, for: a) { $0 }.isEmpty, "sent back to the peer it came from")
        #expect(queue.take(8, limit: 9, for: b) { $0 }.count == 1)
        #expect(queue.take(8, limit: 9, for: b) { $0 }.isEmpty, "sent twice to one peer")
        queue.held(.alive(alive(0)), by: c)
        #expect(queue.take(8, limit: 9, for: c) { $0 }.isEmpty, "sent to a peer that sent it to us")
        queue.held(.alive(alive(0, sequence: 2)), by: Topology.pkiID(0, 0))
        queue.retire(doneBy: [a, b, c, Topology.pkiID(0, 0)])
        #expect(!queue.isEmpty, "a copy of another time does not make its sender a holder")
        queue.retire(doneBy: [a, b, c])
        #expect(queue.isEmpty)
    }

    /// `take` hands out the least-sent updates first, then the oldest; one the recipient may not
    /// see is done for it without counting as sent; one sent `limit` times leaves the queue.
    @Test func updatesAreTakenLeastSentFirstOverSeveralRounds() {
        var queue = UpdateQueue()
        for peer in 1...5 { queue.enqueue(.alive(alive(peer))) }
        let (r1, r2, r3) = (Topology.pkiID(1, 1), Topology.pkiID(1, 2), Topology.pkiID(1, 3))
        let hidden = Topology.pkiID(0, 2)
        let subjects = { (updates: [MembershipUpdate]) in updates.map(\.subject) }
        // Peer 2's update is hidden from r1: skipped, and not counted as a transmission.
        let first = queue.take(3, limit: 2, for: r1) { $0.subject == hidden ? nil : $0 }
        #expect(subjects(first) == [1, 3, 4].map { Topology.pkiID(0, $0) })
        #expect(subjects(queue.take(3, limit: 2, for: r1) { $0 }) == [Topology.pkiID(0, 5)], "r1 gets only what it has not had")
        // Sent once so far: 1, 3, 4 and 5; never: 2 (it was hidden from r1).
        #expect(subjects(queue.take(3, limit: 2, for: r2) { $0 }) == [2, 1, 3].map { Topology.pkiID(0, $0) })
        // 1 and 3 reached the limit of 2 and left; 2, 4 and 5 were sent once each.
        #expect(subjects(queue.take(5, limit: 2, for: r3) { $0 }) == [2, 4, 5].map { Topology.pkiID(0, $0) })
        #expect(queue.isEmpty)
    }

    @Test func aCrashedPeerIsDeclaredDeadEverywhereAndReturnsWhenRestarted() {
        let topology = Topology(orgs: 2, peersPerOrg: 5)
        var network = topology.network(seed: 4, channels: ["alpha"], mode: .dynamic)
        network.run(until: GossipTime.zero + .seconds(5))
        let victim = topology.index(1, 3)
        network.crash(victim)
        network.run(for: .seconds(10))
        let id = Topology.pkiID(1, 3)
        for index in network.peers.indices where index != victim {
            #expect(network.deadView(of: index).contains(id), "peer \(index) still holds peer (1,3) alive")
        }
        network.start(victim)
        network.run(for: .seconds(5))
        for index in network.peers.indices where index != victim {
            #expect(network.aliveView(of: index).contains(id), "peer \(index) did not see peer (1,3) return")
        }
    }
}
