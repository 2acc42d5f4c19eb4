import FabnetModel

/// SWIM's view of this peer's own stalls: a periodic timer that fires well after it was due
/// means the peer was not running (a starved or throttled machine, a debugger, a long pause),
/// and what it did not hear meanwhile says nothing about the others.
///
/// Guarantees:
/// - A probe or heartbeat timer that fires more than `stallThreshold` (`aliveTimeInterval` / 5)
///   after its due time is a stall (`SwimState.Stall`).
/// - A stall is counted once however many timers report it (`stalls`,
///   `fabnet_membership_stalls_total`), and raises Lifeguard's local health by one, so probes
///   and suspicion timeouts stretch while the peer is starved.
/// - A probe whose next timer fired stalled is inconclusive: its unanswered target is not
///   suspected (the ack may sit unread in this peer's own queue).
/// - Suspicions this peer holds wait the stall out: each one's start moves later by the part
///   of the stall not yet absorbed (never past now), so time in which this peer could not hear
///   a refutation does not count against the suspect. Cassandra's failure detector likewise
///   convicts no one right after a local pause.
/// Under a whole machine starved (every peer stalled by turns) this keeps live peers from
/// being declared dead; a peer that really stopped is still suspected by the peers that run.
/// The simulator fires timers on time, so there this changes nothing.
extension Membership {
    /// Lateness beyond which a timer firing marks a stall of this peer.
    var stallThreshold: Duration { settings.aliveTimeInterval / 5 }

    /// How late a periodic SWIM timer due at `due` fired at `now`, when that is a stall; the
    /// stall is absorbed here (health, suspicions, the count). `nil`: on time.
    mutating func stall(due: GossipTime?, now: GossipTime) -> (lateness: Duration, effects: [Effect])? {
        guard let due, now - due > stallThreshold else { return nil }
        let lateness = now - due
        // Only the part after what an earlier timer already absorbed is new.
        let fresh = now - max(due, swim.stall.absorbedThrough)
        guard fresh > .zero else { return (lateness, []) }
        swim.stall.absorbedThrough = now
        for index in members.indices where members.hasDetails(at: index) {
            guard let since = members[at: index].suspectedSince else { continue }
            members[at: index].suspectedSince = min(since + fresh, now)
        }
        guard fresh > stallThreshold else { return (lateness, []) }
        stalls += 1
        let wasHealthy = swim.health == 0
        swim.health = min(SwimState.maximumHealth, swim.health + 1)
        guard wasHealthy else { return (lateness, []) }
        return (lateness, [.log("this peer stalled for \(lateness) (a starved machine?): probes and suspicion timeouts stretch until probes are answered on time again")])
    }
}

extension SwimState {
    /// When the periodic SWIM timers are due, and how far stalls were absorbed.
    struct Stall: Sendable {
        var probeDue: GossipTime?
        var heartbeatDue: GossipTime?
        var absorbedThrough = GossipTime.zero
    }
}
