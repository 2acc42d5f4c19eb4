import FabnetModel

/// A change in membership that SWIM gossips (piggybacked on probes, and pushed to neighbours
/// while it is new): only changes travel, never periodic heartbeats. A relayed `alive` travels
/// as an `announce` (lazy push), fetched whole by a receiver that lacks it.
///
/// `alive` is its creator's signed message (on join, on an endpoint change, on refutation); a
/// newer one refutes any suspicion or death of an older time. `suspect` and `dead` are claims
/// of the sender, which its authenticated connection names; they apply only to a member whose
/// known alive message is not newer than `time`, so a refutation always wins.
public enum MembershipUpdate: Hashable, Sendable {
    case alive(AliveMessage)
    /// `accuser`: the peer whose probes failed (relays keep it), so independent suspicions of
    /// one member count as confirmations (Lifeguard's dynamic suspicion).
    case suspect(PKIID, time: PeerTime, accuser: PKIID)
    case dead(PKIID, time: PeerTime)
    /// "I hold this member's alive message of `time`": how a relayed alive message travels (lazy
    /// push). A receiver that lacks it asks the sender for it (`MembershipMessage.want`); one
    /// that holds it spent 50 bytes instead of a 210-byte signed copy. A peer's own alive
    /// message (join, refutation) goes whole from its creator.
    case announce(PKIID, time: PeerTime)

    /// The member the update is about.
    public var subject: PKIID {
        switch self {
        case .alive(let alive): return alive.pkiID
        case .suspect(let id, _, _), .dead(let id, _), .announce(let id, _): return id
        }
    }
}

/// The updates a peer still gossips, one per member (a newer update replaces the older), each
/// sent at most `limit` times (SWIM's λ·log N retransmissions), and never to a peer known to
/// hold it already: the peer it came from, a peer that sent it too, a peer it was sent to.
///
/// Guarantees: `take` returns the least-sent updates first, ties in the order they were queued
/// (deterministic, so a seeded run repeats), and none to one of its holders; an update leaves
/// once sent `limit` times, or when `retire` finds every given neighbour done with it (a holder,
/// or a peer that may not see it), so a queue whose neighbours all have its updates empties.
/// Holding costs a copy nothing on a reliable connection: a second copy to the same peer only
/// made every mass join cost N² messages of about 1 KB (at 100 peers, 2.4 MB per peer).
struct UpdateQueue: Sendable {
    private struct Entry: Sendable {
        var update: MembershipUpdate
        var transmits: Int
        var order: UInt64
        /// Peers that have the update or may not see it: it is not sent to them.
        var done: Set<PKIID>
    }

    private var entries: [PKIID: Entry] = [:]
    private var counter: UInt64 = 0

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }

    /// Queues `update`, replacing what was queued about the same member; `from` (the peer it
    /// came from) already holds it.
    mutating func enqueue(_ update: MembershipUpdate, from: PKIID? = nil) {
        counter += 1
        entries[update.subject] = Entry(update: update, transmits: 0, order: counter, done: from.map { [$0] } ?? [])
    }

    /// What is queued about `id`, if anything.
    func update(about id: PKIID) -> MembershipUpdate? { entries[id]?.update }

    /// `peer` sent `update` (news or not): if it is what is queued about its member, `peer` holds it.
    mutating func held(_ update: MembershipUpdate, by peer: PKIID) {
        guard let entry = entries[update.subject], entry.update.claimsTheSame(as: update) else { return }
        entries[update.subject]?.done.insert(peer)
    }

    /// Up to `maximum` updates for `recipient`: `view` maps each to what the recipient may see
    /// (nil: nothing, and the recipient is done with it). Each one taken counts as sent once.
    mutating func take(_ maximum: Int, limit: Int, for recipient: PKIID, view: (MembershipUpdate) -> MembershipUpdate?) -> [MembershipUpdate] {
        guard maximum > 0, !entries.isEmpty else { return [] }
        var taken: [MembershipUpdate] = []
        // The least-sent entries first (then the oldest), found a batch at a time: a pass over
        // the queue keeps the `maximum` best in a small sorted array, with no copy of the queue
        // (a starting peer's queue holds an update per member, and every ping takes from it).
        while taken.count < maximum {
            var best: [(rank: (Int, UInt64), id: PKIID)] = []
            // An entry taken below is done for the recipient (or gone): the next pass skips it.
            for (id, entry) in entries where !entry.done.contains(recipient) {
                let rank = (entry.transmits, entry.order)
                guard best.count < maximum || rank < best[best.count - 1].rank else { continue }
                let position = best.firstIndex { rank < $0.rank } ?? best.count
                best.insert((rank, id), at: position)
                if best.count > maximum { best.removeLast() }
            }
            guard !best.isEmpty else { break }
            for (_, id) in best where taken.count < maximum {
                guard let entry = entries[id] else { continue }
                entries[id]?.done.insert(recipient)
                guard let shown = view(entry.update) else { continue }
                taken.append(shown)
                if entry.transmits + 1 >= limit { entries[id] = nil } else { entries[id]?.transmits += 1 }
            }
        }
        return taken
    }

    /// Drops the updates every one of `neighbours` is done with (none when `neighbours` is empty).
    mutating func retire(doneBy neighbours: Set<PKIID>) {
        guard !neighbours.isEmpty else { return }
        // In place: most calls retire nothing, and a filtered copy of the queue each time was
        // the simulator's largest allocation after the members themselves.
        var finished: [PKIID] = []
        for index in entries.indices where neighbours.isSubset(of: entries.values[index].done) { finished.append(entries.keys[index]) }
        for id in finished { entries[id] = nil }
    }
}

extension MembershipUpdate {
    /// Whether both make the same claim about the same member at the same time (an alive message
    /// with or without its internal endpoint makes the same claim).
    func claimsTheSame(as other: MembershipUpdate) -> Bool {
        switch (self, other) {
        case let (.alive(a), .alive(b)): return a.pkiID == b.pkiID && a.time == b.time
        case let (.alive(a), .announce(id, time)), let (.announce(id, time), .alive(a)): return a.pkiID == id && a.time == time
        case let (.announce(a, t), .announce(b, u)): return a == b && t == u
        case let (.suspect(a, t, x), .suspect(b, u, y)): return a == b && t == u && x == y
        case let (.dead(a, t), .dead(b, u)): return a == b && t == u
        default: return false
        }
    }
}

extension MembershipMessage {
    /// Every alive message the message carries (for the simulator's disclosure checks).
    public var carriedAliveMessages: [AliveMessage] {
        switch self {
        case .alive(let batch): return batch
        case .request(let sender, _, _), .versionDigest(let sender, _): return [sender]
        case let .response(alive, dead): return alive + dead
        case let .ping(_, sender, updates): return (sender.map { [$0] } ?? []) + updates.aliveMessages
        case let .pingRequest(_, _, sender, updates): return [sender] + updates.aliveMessages
        case let .ack(_, updates): return updates.aliveMessages
        case .want, .versionsWanted: return []
        }
    }
}

extension [MembershipUpdate] {
    /// The alive messages among the updates.
    public var aliveMessages: [AliveMessage] {
        compactMap { if case .alive(let alive) = $0 { return alive }; return nil }
    }
}
