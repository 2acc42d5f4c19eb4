import FabnetModel

/// A change in membership that SWIM gossips (piggybacked on probes, and pushed to neighbours
/// while it is new): only changes travel, never periodic heartbeats.
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

    /// The member the update is about.
    public var subject: PKIID {
        switch self {
        case .alive(let alive): return alive.pkiID
        case .suspect(let id, _, _), .dead(let id, _): return id
        }
    }
}

/// The updates a peer still gossips, one per member (a newer update replaces the older), each
/// sent at most `limit` times (SWIM's λ·log N retransmissions).
///
/// Guarantees: `take` returns the least-sent updates first, ties in the order they were queued
/// (deterministic, so a seeded run repeats); an update leaves once sent `limit` times.
struct UpdateQueue: Sendable {
    private struct Entry: Sendable {
        var update: MembershipUpdate
        var transmits: Int
        var order: UInt64
    }

    private var entries: [PKIID: Entry] = [:]
    private var counter: UInt64 = 0

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }

    /// Queues `update`, replacing what was queued about the same member.
    mutating func enqueue(_ update: MembershipUpdate) {
        counter += 1
        entries[update.subject] = Entry(update: update, transmits: 0, order: counter)
    }

    /// What is queued about `id`, if anything.
    func update(about id: PKIID) -> MembershipUpdate? { entries[id]?.update }

    /// Up to `maximum` updates for one recipient: `view` maps each to what the recipient may see
    /// (nil: nothing, and it is not counted as sent). Each one taken counts as sent once.
    mutating func take(_ maximum: Int, limit: Int, view: (MembershipUpdate) -> MembershipUpdate?) -> [MembershipUpdate] {
        guard maximum > 0, !entries.isEmpty else { return [] }
        let candidates = entries.sorted { ($0.value.transmits, $0.value.order) < ($1.value.transmits, $1.value.order) }
        var taken: [MembershipUpdate] = []
        for (id, entry) in candidates {
            guard taken.count < maximum else { break }
            guard let shown = view(entry.update) else { continue }
            taken.append(shown)
            if entry.transmits + 1 >= limit { entries[id] = nil } else { entries[id]?.transmits += 1 }
        }
        return taken
    }
}

extension MembershipMessage {
    /// Every alive message the message carries (for the simulator's disclosure checks).
    public var carriedAliveMessages: [AliveMessage] {
        switch self {
        case .alive(let batch): return batch
        case .request(let sender, _): return [sender]
        case let .response(alive, dead): return alive + dead
        case let .ping(_, sender, updates), let .pingRequest(_, _, sender, updates): return [sender] + updates.aliveMessages
        case let .ack(_, updates): return updates.aliveMessages
        }
    }
}

extension [MembershipUpdate] {
    /// The alive messages among the updates.
    public var aliveMessages: [AliveMessage] {
        compactMap { if case .alive(let alive) = $0 { return alive }; return nil }
    }
}
