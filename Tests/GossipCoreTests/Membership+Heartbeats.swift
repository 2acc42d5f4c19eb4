import FabnetModel
@testable import GossipCore

extension Membership {
    /// Fires the heartbeat at each time it is due before `end`, then at `end`, as a running
    /// shell does (a heartbeat that fires late is a stall of the peer, which postpones its
    /// suspicions), returning every effect.
    mutating func heartbeats(through end: GossipTime, random: inout some RandomNumberGenerator) -> [Effect] {
        var effects: [Effect] = []
        while let due = swim.stall.heartbeatDue, due < end {
            effects += handle(.timer(.heartbeat), now: due, random: &random)
        }
        return effects + handle(.timer(.heartbeat), now: end, random: &random)
    }
}
