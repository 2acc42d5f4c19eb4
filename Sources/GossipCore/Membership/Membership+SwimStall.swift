import FabnetModel

/// SWIM's view of this peer's own stalls: a periodic timer that fires well after it was due
/// means the peer was not running (a starved or throttled machine, a debugger, a long pause),
/// and what it did not hear meanwhile says nothing about the others.
///
/// Guarantees:
/// - A probe or heartbeat timer that fires more than `stallThreshold` after its due time is a
///   stall (`SwimState.Stall`). The threshold is 1/5 of the probe interval, which stretches with
///   the health score: under lasting overload the score rises until timers are late by less
///   than that, and probes decide again, so a peer that really stopped is still found (at
///   health 8: lateness up to 900 ms tolerated, probes every 4.5 s).
/// - A stall is counted once however many timers report it (`stalls`,
///   `fabnet_membership_stalls_total`), and raises Lifeguard's local health by one, so probes
///   and suspicion timeouts stretch while the peer is starved.
/// - A probe whose next timer fired stalled is inconclusive: its unanswered target is not
///   suspected (the ack may sit unread in this peer's own queue).
/// - Suspicions this peer holds wait out every lateness beyond `suspicionPauseThreshold`
///   (`aliveTimeInterval` / 5, not stretched by health): each one's start moves later by the
///   part not yet absorbed (never past now), so time in which this peer could not hear a
///   refutation does not count against the suspect. Cassandra's failure detector likewise
///   convicts no one right after a local pause. A suspect still dies once this peer runs.
/// Under a whole machine starved (every peer stalled by turns) this keeps live peers from
/// being declared dead; a peer that really stopped is still suspected by the peers that run.
/// The simulator fires timers on time, so there this changes nothing.
extension Membership {
    /// Lateness beyond which a timer firing marks a stall of this peer: 1/5 of the probe interval.
    var stallThreshold: Duration { probeInterval / 5 }

    /// Lateness beyond which suspicions wait: 1/5 of the unstretched interval, whatever the
    /// health score (waiting delays a conviction, it never prevents one).
    var suspicionPauseThreshold: Duration { settings.aliveTimeInterval / 5 }

    /// Whether a periodic SWIM timer due at `due` that fired at `now` marks a stall: `nil` when
    /// it fired on time, else what the stall logs. The stall is absorbed here (the count, health,
    /// suspicions); a lateness between `suspicionPauseThreshold` and `stallThreshold` only makes
    /// suspicions wait.
    mutating func stall(due: GossipTime?, now: GossipTime) -> [Effect]? {
        guard let due, now - due > suspicionPauseThreshold else { return nil }
        // Only the part after what an earlier timer already absorbed is new.
        let fresh = now - max(due, swim.stall.absorbedThrough)
        if fresh > .zero {
            swim.stall.absorbedThrough = now
            for index in members.indices where members.hasDetails(at: index) {
                guard let since = members[at: index].suspectedSince else { continue }
                members[at: index].suspectedSince = min(since + fresh, now)
            }
        }
        guard now - due > stallThreshold else { return nil }
        guard fresh > stallThreshold else { return [] }
        stalls += 1
        let wasHealthy = swim.health == 0
        swim.health = min(SwimState.maximumHealth, swim.health + 1)
        guard wasHealthy else { return [] }
        return [.log("this peer stalled for \(now - due) (a starved machine?): probes and suspicion timeouts stretch until probes are answered on time again")]
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
