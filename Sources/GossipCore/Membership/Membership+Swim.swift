import FabnetModel
#if canImport(Glibc)
import Glibc  // log10
#elseif canImport(Darwin)
import Darwin
#endif

/// SWIM membership (`peer.gossip.membership: swim`), with Lifeguard's local health, on the same
/// members, disclosure rules and effects as Fabric's algorithm.
///
/// What it guarantees:
/// - Liveness by probes: every probe interval (`aliveTimeInterval` × max(1, log10 N) × (1 +
///   health)) the peer pings its next ring subject (`ProbeRing`); no ack within 2/5 of the
///   interval → it asks up to 3 neighbours to ping the target; still no ack when the next probe
///   is due → the target is suspected. A suspected member that does not refute within the
///   suspicion timeout is declared dead, logged "is dead" once, and the death is gossiped. The
///   timeout (Lifeguard's dynamic suspicion) is 6 × `aliveExpirationTimeout` × max(1, log10 N)
///   with one accuser and falls to 1 × as two independent accusers confirm it
///   (`suspicionTimeout(accusers:)`).
/// - Refutation: a peer that hears itself suspected or declared dead signs a newer alive message
///   (next sequence) and gossips it; a newer alive message clears suspicion and death everywhere.
///   A claim of an older version than the live one held here is answered to its sender with
///   the newer alive message (`correct`), as peers holding it do not gossip it again.
/// - Only changes travel: alive messages on join, on change and on refutation, suspicions and
///   deaths, each sent `3 × ⌈log10(N + 1)⌉` times by each peer that queues it, piggybacked on
///   probes and pushed to ring neighbours while new. No periodic signed heartbeats: a peer's
///   own alive message keeps its signature until it changes.
/// - Messages go only to the bounded ring neighbourhood (plus helpers' targets, members that
///   asked, and dead members probed every `reconnectInterval`); views stay full through the
///   gossip of changes and the digest-checked pull from one neighbour every `pullInterval`.
/// - Fabric's identity rules hold: every alive message is signed by its creator; suspect and
///   dead claims come on authenticated connections and cannot outlive a newer alive message.
extension Membership {
    mutating func handleSwim(_ event: Event, now: GossipTime, random: inout some RandomNumberGenerator) -> [Effect] {
        switch event {
        case .start:
            // The first alive message is made before the introductions, so they carry the same
            // version as what is gossiped: an introduction one sequence older spread through
            // the contacts' views, and a suspicion of that old version (while the starting peer
            // was slow) could not be refuted where the new one had already passed.
            time = PeerTime(incarnation: time.incarnation, sequence: time.sequence + 1)
            var effects = stagedIntroductions(now: now)
            effects.removeAll {
                switch $0 {
                case .schedule(.heartbeat, _), .schedule(.pull, _): return true
                default: return false
                }
            }
            // The first pull at a random phase: peers started together (a simulator's network,
            // a script's `up`) would all pull in the same instant, every request naming every
            // member (O(N²) bytes in flight at once).
            effects.append(.schedule(.pull, at: now + settings.pullInterval * Double.random(in: 0.5..<1.5, using: &random)))
            swim.updates.enqueue(.alive(selfAlive))
            swim.stall.heartbeatDue = now + settings.aliveTimeInterval
            swim.stall.probeDue = now + settings.aliveTimeInterval
            effects.append(.schedule(.heartbeat, at: now + settings.aliveTimeInterval))
            effects.append(.schedule(.probe, at: now + settings.aliveTimeInterval))
            return effects
        case .timer(.heartbeat):
            return (stall(due: swim.stall.heartbeatDue, now: now) ?? []) + expireSuspicions(now: now)
        case .timer(.pull):
            return pullFromNeighbour(now: now, random: &random)
        case .timer(.reconnect):
            return reconnect(now: now)
        case .timer(.forward):
            return pushUpdates(now: now, random: &random)
        case .timer(.probe):
            let stalled = stall(due: swim.stall.probeDue, now: now)
            return (stalled ?? []) + askPendingContacts(all: true) + probeNext(now: now, stalled: stalled != nil, random: &random)
        case .timer(.probeTimeout(let nonce)):
            return probeIndirectly(nonce: nonce, now: now, random: &random)
        case let .received(message, via):
            return receiveSwim(message, via: via, now: now, random: &random)
        }
    }

    // MARK: timers

    /// How often this peer probes: `aliveTimeInterval` × max(1, log10 N) × (1 + health), N the
    /// peers of the view (this one included). Each member is still probed by someone about once
    /// per interval whatever N, but all of them together send N probes (and acks) per interval:
    /// at 100 peers on two cores, probing every 500 ms while the network started kept the
    /// machine so busy that acks came late, and the late acks raised 18–78 suspicions per
    /// start (4–21 at 1 s), with their indirect probes and new connections. Networks under 10
    /// peers keep `aliveTimeInterval`; 100 peers probe every second, memberlist's default.
    var probeInterval: Duration { settings.aliveTimeInterval * (viewScale * Double(1 + swim.health)) }

    /// max(1, log10 N) for the N peers of the view (this one included), the scale of the probe
    /// interval and of the suspicion timeout.
    var viewScale: Double { Swift.max(1, log10(Double(members.count + 1))) }

    /// The shortest suspicion timeout, `aliveExpirationTimeout` × max(1, log10 N) for the N
    /// peers of the view (this one included): longer in bigger networks, where a suspicion takes
    /// longer to reach the suspected peer and its refutation to come back. A continuous scale, as
    /// memberlist's: with ⌊log10 N⌋ a peer of a 100-peer network that had not yet heard of one
    /// other (N = 99) had half the timeout of the others, and declared a peer starved for 2.7 s
    /// dead, 2 s after the network was ready.
    var minimumSuspicionTimeout: Duration { settings.aliveExpirationTimeout * viewScale }

    /// Lifeguard's dynamic suspicion timeout for a member `accusers` peers suspect: 6 × the
    /// minimum with one accuser, falling as log(confirmations + 1) to the minimum at 3 accusers
    /// (2 independent confirmations, as memberlist), × (1 + health) while this peer itself is
    /// starved. A peer that is slow under load is usually suspected by one prober only, and has
    /// time to refute; a dead one is suspected by its observers on every ring, and declared dead
    /// sooner.
    func suspicionTimeout(accusers: Int) -> Duration {
        // 1 − log(c + 1) / log(3) for c = 0, 1, 2 confirmations beyond the first accuser.
        let remaining = [1.0, 0.369, 0.0][min(2, max(0, accusers - 1))]
        return minimumSuspicionTimeout * ((1 + 5 * remaining) * Double(1 + swim.health))
    }

    /// Each peer that queues an update sends it this many times: 3 × ⌈log10(N + 1)⌉.
    var retransmitLimit: Int { 3 * (members.count + 1).decimalDigits }

    private mutating func probeNext(now: GossipTime, stalled: Bool, random: inout some RandomNumberGenerator) -> [Effect] {
        var effects: [Effect] = []
        if stalled, swim.probe != nil {
            // Inconclusive: this peer was not running and the ack may wait unread, so the target
            // is not suspected (one suspected quietly before stays so, and is probed again).
            swim.probe = nil
        } else if let missed = swim.probe {
            swim.probe = nil
            swim.health = min(SwimState.maximumHealth, swim.health + 1)
            if swim.unconfirmed.contains(missed.target) {
                // Missed twice: now the others hear of it (and the member, which refutes).
                swim.unconfirmed.removeAll { $0 == missed.target }
                effects += publishSuspicion(of: missed.target, now: now)
            } else {
                effects += suspect(missed.target, now: now)
            }
        }
        // A member suspected quietly after one miss is probed again before the ring moves on.
        swim.unconfirmed.removeAll { members[$0]?.suspectedSince == nil }
        let retry = swim.unconfirmed.first
        let subjects = ring.subjects
        if retry != nil || !subjects.isEmpty {
            let target = retry ?? subjects[swim.cursor % subjects.count]
            if retry == nil { swim.cursor &+= 1 }
            if let member = members[target] {
                let nonce = Self.nonce(&random)
                swim.probe = SwimState.Probe(target: target, nonce: nonce)
                if let ping = ping(nonce: nonce, to: member.alive) { effects.append(.send(ping, to: destination(of: member.alive))) }
                effects.append(.schedule(.probeTimeout(nonce), at: now + probeInterval * 0.4))
            }
        }
        swim.stall.probeDue = now + probeInterval
        effects.append(.schedule(.probe, at: now + probeInterval))
        return effects
    }

    private mutating func probeIndirectly(nonce: UInt64, now: GossipTime, random: inout some RandomNumberGenerator) -> [Effect] {
        guard var probe = swim.probe, probe.nonce == nonce, !probe.indirect, let target = members[probe.target] else { return [] }
        probe.indirect = true
        swim.probe = probe
        // It may have lost us (restarted between our probes): the next ping carries our alive message.
        members[probe.target]?.knowsOurAlive = nil
        var helpers = ring.neighbours.filter { $0 != probe.target && members[$0]?.isAlive == true && members[$0]?.suspectedSince == nil }
        if helpers.count < SwimState.indirectProbes {
            let extra = sample(SwimState.indirectProbes - helpers.count, from: reachableAliveIDs(), excluding: Set(helpers + [probe.target]), random: &random)
            helpers += extra
        }
        var effects: [Effect] = []
        for id in helpers.prefix(SwimState.indirectProbes) {
            guard let helper = members[id], Disclosure.view(of: target.alive, for: helper.alive.mspID, sharing: configuration.sharing) != nil,
                  let sender = Disclosure.view(of: selfAlive, for: helper.alive.mspID, sharing: configuration.sharing) else { continue }
            let updates = piggyback(for: helper.alive)
            effects.append(.send(.pingRequest(nonce: nonce, target: probe.target, sender: sender, updates: updates), to: destination(of: helper.alive)))
        }
        return effects
    }

    /// Declares dead the suspects whose time ran out; purges long-dead members; drops old relays.
    private mutating func expireSuspicions(now: GossipTime) -> [Effect] {
        var effects: [Effect] = []
        let purgeAfter = settings.aliveExpirationTimeout * settings.msgExpirationFactor
        // One pass reading fields in place (a filtered copy of the members, twice a heartbeat,
        // was most of a big simulation's reference counting).
        var expired: [PKIID] = [], purgeable: [PKIID] = []
        for index in members.indices {
            if members.isAlive(at: index) {
                guard members.hasDetails(at: index) else { continue }  // only a suspect has a `suspectedSince`
                let member = members[at: index]
                if let since = member.suspectedSince, now - since > suspicionTimeout(accusers: member.accusers.count) {
                    expired.append(member.alive.pkiID)
                }
            } else if now - members.lastHeard(at: index) > purgeAfter {
                purgeable.append(members.alive(at: index).pkiID)
            }
        }
        expired.sort()
        for id in expired {
            guard let member = members[id] else { continue }
            effects += declareDead(id, time: member.alive.time, now: now,
                                   why: "suspected for \(now - member.suspectedSince!) by \(member.accusers.count) peer(s) without refuting")
        }
        purgeable.sort()
        let permanent = configuration.permanentEndpoints
        for id in purgeable {
            guard let member = members[id], permanent.isDisjoint(with: endpoints(of: member.alive)) else { continue }
            members[id] = nil
            viewChanged(id)
            purged[id] = member.alive.time
            effects.append(.memberPurged(id, mspID: member.alive.mspID))
            effects.append(.log("\(Self.name(of: member.alive)) purged after \(now - member.lastHeard) without news"))
        }
        swim.relays = swim.relays.filter { $0.value.expires > now }
        swim.asked = swim.asked.filter { now - $0.value.at < probeInterval }
        swim.stall.heartbeatDue = now + settings.aliveTimeInterval
        effects.append(.schedule(.heartbeat, at: now + settings.aliveTimeInterval))
        return effects
    }

    /// Pushes queued updates to up to `propagatePeerNum` ring neighbours while any are queued.
    private mutating func pushUpdates(now: GossipTime, random: inout some RandomNumberGenerator) -> [Effect] {
        forwardScheduled = false
        var neighbours = ring.neighbours.filter { members[$0]?.isAlive == true }
        swim.updates.retire(doneBy: Set(neighbours))
        neighbours.shuffle(using: &random)
        var effects: [Effect] = []
        for id in neighbours.prefix(max(1, settings.propagatePeerNum)) {
            guard let member = members[id], let ping = ping(nonce: 0, to: member.alive, updates: SwimState.piggyback * 4) else { continue }
            if case .ping(_, _, let updates) = ping, updates.isEmpty { continue }
            effects.append(.send(ping, to: destination(of: member.alive)))
        }
        effects += scheduleForward(now: now)
        return effects
    }

    private mutating func scheduleForward(now: GossipTime) -> [Effect] {
        guard !forwardScheduled, !swim.updates.isEmpty else { return [] }
        forwardScheduled = true
        return [.schedule(.forward, at: now + forwardInterval)]
    }

    // MARK: messages

    private mutating func receiveSwim(_ message: Verified<MembershipMessage>, via: Endpoint?, now: GossipTime,
                                      random: inout some RandomNumberGenerator) -> [Effect] {
        let from = message.signer.pkiID
        switch message.value {
        case let .ping(nonce, sender, updates):
            if let sender, sender.pkiID != from || sender.mspID != message.signer.mspID {
                return [.log("ping from \(from) carries the alive message of \(sender.pkiID); ignored")]
            }
            // A peer we hold suspected or dead learns it, and refutes (for the others).
            let held = claim(about: from)
            var effects: [Effect] = []
            if let sender { effects = hearFrom(sender, now: now) } else { heard(from, now: now) }
            effects += apply(updates, from: from, now: now)
            if nonce != 0, let member = members[from] {
                var answer = piggyback(for: member.alive)
                if let held { answer.insert(held, at: 0) }
                effects.append(.send(.ack(nonce: nonce, updates: answer), to: destination(of: member.alive)))
            }
            return effects + scheduleForward(now: now)
        case let .ack(nonce, updates):
            var effects = apply(updates, from: from, now: now)
            heard(from, now: now)
            if let index = members.index(forKey: from), let sent = members[at: index].aliveSent, sent.nonce == nonce {
                members[at: index].knowsOurAlive = (sent.time, members[at: index].alive.time.incarnation)
            }
            if let probe = swim.probe, probe.nonce == nonce {
                swim.probe = nil
                swim.health = max(0, swim.health - 1)
                // Acked, directly or through a helper: the target is alive (a quiet suspicion ends).
                heard(probe.target, now: now)
            } else if let relay = swim.relays.removeValue(forKey: nonce), let requester = members[relay.requester] {
                effects.append(.send(.ack(nonce: relay.nonce, updates: piggyback(for: requester.alive)), to: destination(of: requester.alive)))
            }
            return effects + scheduleForward(now: now)
        case let .pingRequest(nonce, target, sender, updates):
            guard sender.pkiID == from, sender.mspID == message.signer.mspID else { return [] }
            var effects = hearFrom(sender, now: now)
            effects += apply(updates, from: from, now: now)
            if let member = members[target], isReachable(member.alive), from != target {
                let own = Self.nonce(&random)
                swim.relays[own] = SwimState.Relay(requester: from, nonce: nonce, expires: now + probeInterval * 2)
                if let ping = ping(nonce: own, to: member.alive) { effects.append(.send(ping, to: destination(of: member.alive))) }
            }
            return effects + scheduleForward(now: now)
        case let .request(sender, _, _):
            let wasKnown = members[sender.pkiID].map { $0.alive.time >= sender.time } ?? false
            return receive(message, via: via, now: now, random: &random) + gossipIfLearned(sender, wasKnown: wasKnown, now: now)
        case let .versionDigest(sender, digest):
            guard sender.pkiID == from, sender.mspID == message.signer.mspID else {
                return [.log("version digest from \(from) carries the alive message of \(sender.pkiID); not answered")]
            }
            let wasKnown = members[sender.pkiID].map { $0.alive.time >= sender.time } ?? false
            var effects = learn(sender, now: now) + gossipIfLearned(sender, wasKnown: wasKnown, now: now)
            guard configuration.organizationsSharingAChannel.contains(sender.mspID), digest != versionDigest else { return effects }
            effects.append(.send(.versionsWanted, to: destination(of: sender)))
            return effects
        case .versionsWanted:
            return askForNews(from: from)
        case let .response(_, dead):
            // A responder that holds this peer dead (after a partition, say) is answered with a
            // newer alive message, which the next request carries to it.
            var effects = receive(message, via: via, now: now, random: &random)
            effects += askPendingContacts()
            if let claim = dead.first(where: { $0.pkiID == configuration.pkiID }) { effects += refute(claim.time, now: now) }
            return effects
        case .alive:
            return receive(message, via: via, now: now, random: &random)
        case .want(let ids):
            return answerWant(ids, from: from)
        }
    }

    /// Gossips a requester's alive message when its request taught it to this peer (it was not
    /// `wasKnown` before): a joining peer's contacts spread it.
    private mutating func gossipIfLearned(_ sender: AliveMessage, wasKnown: Bool, now: GossipTime) -> [Effect] {
        guard !wasKnown, let member = members[sender.pkiID], member.alive.time == sender.time else { return [] }
        swim.updates.enqueue(.alive(member.alive), from: sender.pkiID)
        return scheduleForward(now: now)
    }

    /// Sends a peer the alive messages it asked for (announced to it, lacking there).
    private mutating func answerWant(_ ids: [PKIID], from requester: PKIID) -> [Effect] {
        let alives = ids.prefix(SwimState.piggyback * 4).compactMap { id in id == configuration.pkiID ? selfAlive : members[id]?.alive }
        return sendWhole(alives, to: requester)
    }

    /// Sends `sender`, which passed on a suspicion or death of `id` at `claimed`, the newer alive
    /// message of `id` held here; nothing when none is newer. Peers that hold the newer message
    /// do not gossip it again, so without this answer a peer that suspects an old version learns
    /// the new one only by its next pull, and a suspicion spread among such peers ran out before
    /// the refutation reached them (false deaths in a 100-peer start). One answer per claim
    /// received; claims are retransmitted a bounded number of times.
    private mutating func correct(_ sender: PKIID, about id: PKIID, claimed: PeerTime) -> [Effect] {
        guard sender != id else { return [] }
        let alive = id == configuration.pkiID ? selfAlive : members[id].flatMap { $0.isAlive ? $0.alive : nil }
        guard let alive, alive.time > claimed else { return [] }
        return sendWhole([alive], to: sender)
    }

    /// Sends member `requester` those of `alives` it may see, whole, in one nonce-0 ping; it now
    /// holds them (they are not gossiped to it again).
    private mutating func sendWhole(_ alives: [AliveMessage], to requester: PKIID) -> [Effect] {
        guard let member = members[requester] else { return [] }
        let partners = configuration.sharing.partners(of: member.alive.mspID)
        var updates: [MembershipUpdate] = []
        for alive in alives {
            guard let view = Disclosure.view(of: alive, for: member.alive.mspID, partners: partners) else { continue }
            updates.append(.alive(view))
            swim.updates.held(.alive(alive), by: requester)
        }
        guard !updates.isEmpty else { return [] }
        return [.send(.ping(nonce: 0, sender: nil, updates: updates), to: destination(of: member.alive))]
    }

    /// A claim against this peer: of its current version, refuted with a newer one (gossiped,
    /// and piggybacked on the answer to a probe); of an older version, the sender is told the
    /// current one directly.
    private mutating func refuteOrCorrect(_ claimed: PeerTime, from sender: PKIID, now: GossipTime) -> [Effect] {
        let stale = claimed < time
        return refute(claimed, now: now) + (stale ? correct(sender, about: configuration.pkiID, claimed: claimed) : [])
    }

    /// A peer spoke to us with its own alive message: learn it if it is news (and gossip it).
    private mutating func hearFrom(_ sender: AliveMessage, now: GossipTime) -> [Effect] {
        guard isNewer(sender) else {
            swim.updates.held(.alive(sender), by: sender.pkiID)
            heard(sender.pkiID, now: now)
            return []
        }
        let effects = learn(sender, now: now)
        if let member = members[sender.pkiID], member.alive.time == sender.time { swim.updates.enqueue(.alive(member.alive), from: sender.pkiID) }
        return effects
    }

    /// A live member spoke to us on its own authenticated connection: whatever we suspected, it
    /// is there (it still learns of the suspicion, and refutes it for the others).
    private mutating func heard(_ id: PKIID, now: GossipTime) {
        guard let index = members.index(forKey: id), members[at: index].isAlive else { return }
        members[at: index].lastHeard = now
        members[at: index].suspectedSince = nil
        members[at: index].accusers = []
    }

    /// Applies gossiped updates in order; what is news is queued to be gossiped on, and never
    /// back to `sender`, which holds it (as it holds a copy of what is queued already).
    private mutating func apply(_ updates: [MembershipUpdate], from sender: PKIID, now: GossipTime) -> [Effect] {
        var effects: [Effect] = []
        var wanted: [PKIID] = []
        let announcerKnown = members[sender] != nil
        for update in updates {
            if case let .announce(id, time) = update {
                if announcerKnown, wants(id, at: time, now: now) { wanted.append(id) }
            } else {
                effects += apply(update, from: sender, now: now)
            }
            swim.updates.held(update, by: sender)
        }
        if !wanted.isEmpty, let member = members[sender] {
            effects.append(.send(.want(wanted), to: destination(of: member.alive)))
        }
        return effects
    }

    /// Whether to ask for the announced alive message of `id` at `time`: it is news here, and
    /// the same version was not asked for within a probe interval (another announcer's copy may
    /// be coming; past that, the ask is taken as lost). Only the same time is held back, so an
    /// announcement of a time no one holds cannot block the real one; what a lost or unanswered
    /// ask misses, the anti-entropy pull brings.
    private mutating func wants(_ id: PKIID, at time: PeerTime, now: GossipTime) -> Bool {
        guard id != configuration.pkiID else { return false }
        if let tombstone = purged[id], time <= tombstone { return false }
        if let index = members.index(forKey: id), members[at: index].alive.time >= time { return false }
        if let asked = swim.asked[id], asked.time == time, now - asked.at < probeInterval { return false }
        swim.asked[id] = (time, now)
        return true
    }

    private mutating func apply(_ update: MembershipUpdate, from sender: PKIID, now: GossipTime) -> [Effect] {
        switch update {
        case .announce:
            return []  // handled with its message (`apply(_:from:now:)`)
        case .alive(let alive):
            if swim.asked[alive.pkiID]?.time == alive.time { swim.asked[alive.pkiID] = nil }
            guard alive.pkiID != configuration.pkiID, isNewer(alive) else { return [] }
            let effects = learn(alive, now: now)
            if let member = members[alive.pkiID], member.alive.time == alive.time { swim.updates.enqueue(.alive(member.alive), from: sender) }
            return effects
        case let .suspect(id, time, accuser):
            if id == configuration.pkiID { return refuteOrCorrect(time, from: sender, now: now) }
            return suspect(id, at: time, by: accuser, now: now) + correct(sender, about: id, claimed: time)
        case let .dead(id, time):
            if id == configuration.pkiID { return refuteOrCorrect(time, from: sender, now: now) }
            guard let member = members[id], member.isAlive, member.alive.time <= time else { return correct(sender, about: id, claimed: time) }
            return declareDead(id, time: time, now: now, why: "declared dead by \(members[sender].map { Self.name(of: $0.alive) } ?? "\(sender)")")
        }
    }

    /// Suspects `id` because `accuser`'s probes missed it (nil: ours), unless its alive message
    /// is newer than the claim. Another accuser of a member already suspected is a
    /// confirmation: counted, and gossiped on.
    private mutating func suspect(_ id: PKIID, at claimed: PeerTime? = nil, by accuser: PKIID? = nil, now: GossipTime) -> [Effect] {
        guard let index = members.index(forKey: id), members[at: index].isAlive else { return [] }
        let time = members[at: index].alive.time
        if let claimed, time > claimed { return [] }
        let own = accuser == nil
        let accuser = accuser ?? configuration.pkiID
        guard !members[at: index].accusers.contains(accuser) else { return [] }
        if members[at: index].suspectedSince == nil { members[at: index].suspectedSince = now }
        members[at: index].accusers.append(accuser)
        if own { suspicionsRaised += 1 }
        if own, members[at: index].accusers.count == 1 {
            swim.unconfirmed.append(id)  // told to no one until a second probe misses
            return []
        }
        swim.updates.enqueue(.suspect(id, time: time, accuser: accuser))
        return scheduleForward(now: now)
    }

    /// Gossips this peer's own suspicion of `id` (kept quiet after the first miss).
    private mutating func publishSuspicion(of id: PKIID, now: GossipTime) -> [Effect] {
        guard let member = members[id], member.isAlive, member.suspectedSince != nil else { return [] }
        swim.updates.enqueue(.suspect(id, time: member.alive.time, accuser: configuration.pkiID))
        return scheduleForward(now: now)
    }

    private mutating func declareDead(_ id: PKIID, time: PeerTime, now: GossipTime, why: String) -> [Effect] {
        guard let index = members.index(forKey: id), members[at: index].isAlive else { return [] }
        let alive = members[at: index].alive
        members[at: index].isAlive = false
        members[at: index].suspectedSince = nil
        members[at: index].accusers = []
        members[at: index].lastHeard = now
        declaredDead += 1
        viewChanged(id)
        swim.updates.enqueue(.dead(id, time: time))
        return [.memberDead(id, mspID: alive.mspID), .log("\(Self.name(of: alive)) is dead: \(why)")] + scheduleForward(now: now)
    }

    /// Someone suspects this peer or declared it dead at `claimed`: a newer signed alive
    /// message answers it (Lifeguard: being suspected also means this peer may be slow).
    private mutating func refute(_ claimed: PeerTime, now: GossipTime) -> [Effect] {
        if claimed >= time {
            refutations += 1
            time = PeerTime(incarnation: time.incarnation, sequence: max(time.sequence, claimed.sequence) + 1)
            swim.health = min(SwimState.maximumHealth, swim.health + 1)
            swim.updates.enqueue(.alive(selfAlive))
        } else if swim.updates.update(about: configuration.pkiID) == nil {
            swim.updates.enqueue(.alive(selfAlive))
        }
        return scheduleForward(now: now)
    }

    // MARK: helpers

    /// Under SWIM, the ring neighbours other parts prefer when they pick peers at random (state
    /// info, pull), so a peer keeps connections to a bounded set; nil under Fabric's algorithm.
    public mutating func neighbourhood() -> Set<PKIID>? {
        settings.membership == .swim ? Set(ring.neighbours) : nil
    }

    /// The alive messages this peer holds, own included (for a pull's `known`).
    var aliveVersions: KnownVersions {
        var entries: [(key: UInt64, time: PeerTime)] = [(KnownVersions.key(configuration.pkiID), time)]
        entries.reserveCapacity(members.count + 1)
        for index in members.indices where members.isAlive(at: index) {
            let alive = members.alive(at: index)
            entries.append((KnownVersions.key(alive.pkiID), alive.time))
        }
        return KnownVersions(entries: entries)
    }

    /// Keeps the cached ring true to the view after `id` changed: a live member is placed on it
    /// (O(1)); a change to one of this peer's ring neighbours (it died, left, or changed its
    /// endpoints) makes it recomputed before its next use.
    mutating func updateRing(after id: PKIID) {
        guard var ring = swim.ring else { return }
        guard !ring.isAdjacent(id) else {
            swim.ring = nil
            return
        }
        guard let index = members.index(forKey: id) else { return }
        let alive = members[at: index].alive
        guard members[at: index].isAlive else { return }
        let ownOrg = alive.mspID == configuration.mspID
        let crossOrg = configuration.externalEndpoint != nil && alive.externalEndpoint != nil && isReachable(alive)
        guard ownOrg || crossOrg else { return }
        swim.ring = nil  // not a second copy of the ring while it is changed
        ring.consider(id, ownOrg: ownOrg, crossOrg: crossOrg)
        swim.ring = ring
    }

    /// The ring of the current view (recomputed after a change to a neighbour).
    var ring: ProbeRing {
        mutating get {
            if let ring = swim.ring { return ring }
            let live = members.indices.filter { members.isAlive(at: $0) }.map { members.alive(at: $0) }
            let ownOrg = live.filter { $0.mspID == configuration.mspID }.map(\.pkiID)
            let crossOrg = configuration.externalEndpoint == nil ? nil
                : live.filter { $0.externalEndpoint != nil && isReachable($0) }.map(\.pkiID)
            let ring = ProbeRing(of: configuration.pkiID, ownOrg: ownOrg, crossOrg: crossOrg)
            swim.ring = ring
            return ring
        }
    }

    /// A ping to `target` with this peer's alive message and the updates it may see; nil when
    /// the disclosure rules hide this peer from the target's org.
    private mutating func ping(nonce: UInt64, to target: AliveMessage, updates maximum: Int = SwimState.piggyback) -> MembershipMessage? {
        guard let view = Disclosure.view(of: selfAlive, for: target.mspID, sharing: configuration.sharing) else { return nil }
        var updates = piggyback(for: target, maximum: maximum)
        if nonce != 0, let claim = claim(about: target.pkiID) { updates.insert(claim, at: 0) }
        guard let index = members.index(forKey: target.pkiID) else { return .ping(nonce: nonce, sender: view, updates: updates) }
        if let known = members[at: index].knowsOurAlive, known.ours == time, known.incarnation == members[at: index].alive.time.incarnation {
            return .ping(nonce: nonce, sender: nil, updates: updates)
        }
        if nonce != 0 { members[at: index].aliveSent = (time, nonce) }  // its ack confirms it
        return .ping(nonce: nonce, sender: view, updates: updates)
    }

    /// Queued updates `target` may see (none about itself being alive), each counted as sent.
    private mutating func piggyback(for target: AliveMessage, maximum: Int = SwimState.piggyback) -> [MembershipUpdate] {
        let partners = configuration.sharing.partners(of: target.mspID)
        let members = self.members
        let ownID = configuration.pkiID
        return swim.updates.take(maximum, limit: retransmitLimit, for: target.pkiID) { update in
            switch update {
            case .alive(let alive):
                guard alive.pkiID != target.pkiID, let view = Disclosure.view(of: alive, for: target.mspID, partners: partners) else { return nil }
                // Whole from its creator; announced by relays (lazy push: most receivers hold it).
                return alive.pkiID == ownID ? .alive(view) : .announce(alive.pkiID, time: alive.time)
            case .announce:
                return nil  // never queued: announcements are made from queued alive messages
            case .suspect(let id, _, _), .dead(let id, _):
                guard let member = members[id], Disclosure.view(of: member.alive, for: target.mspID, partners: partners) != nil else { return nil }
                return update
            }
        }
    }

    /// What this peer holds against `id` (suspected or dead), to tell it so it refutes.
    private func claim(about id: PKIID) -> MembershipUpdate? {
        guard let member = members[id], !swim.unconfirmed.contains(id) else { return nil }
        if !member.isAlive { return .dead(id, time: member.alive.time) }
        return member.suspectedSince == nil ? nil : .suspect(id, time: member.alive.time, accuser: member.accusers.first ?? configuration.pkiID)
    }

    private static func nonce(_ random: inout some RandomNumberGenerator) -> UInt64 { max(1, random.next()) }
}

extension Int {
    /// Decimal digits of a positive number: ⌈log10(self + 1)⌉, without floating point.
    fileprivate var decimalDigits: Int {
        var value = self, digits = 1
        while value >= 10 { value /= 10; digits += 1 }
        return digits
    }
}
