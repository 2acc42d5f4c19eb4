@_spi(Verification) import FabnetModel
@testable import GossipCore
import Testing

/// SWIM under a stall of the peer itself (`Membership+SwimStall.swift`): its own timers fire
/// late, and what it could not hear meanwhile is held against no one.
extension SwimMembershipTests {
    /// Peer 0 after start, with peer 3 suspected by three accusers at `at` (the shortest timeout).
    mutating func suspectingPeer3(at time: GossipTime) -> Membership {
        var membership = started()
        for accuser in [1, 2, 0] {
            let claim = MembershipUpdate.suspect(Topology.pkiID(0, 3), time: alive(3).time, accuser: Topology.pkiID(0, accuser))
            _ = membership.handle(.received(Verified(value: .ping(nonce: 0, sender: alive(1), updates: [claim]), signer: signer(1)), via: nil),
                                  now: time, random: &random)
        }
        return membership
    }

    @Test mutating func aProbeUnansweredWhileThisPeerStalledSuspectsNoOne() throws {
        var membership = started()
        let probe = membership.handle(.timer(.probe), now: .zero + .milliseconds(500), random: &random)
        let target = try #require(pings(probe).first(where: { $0.nonce != 0 })?.to)
        // The next probe was due at 1 s; it fires 1 s late, and no ack was read meanwhile.
        let late = membership.handle(.timer(.probe), now: .zero + .seconds(2), random: &random)
        #expect(membership.members[target]?.suspectedSince == nil)
        #expect(membership.suspicionsRaised == 0)
        #expect(membership.stalls == 1)
        #expect(membership.swim.health == 1, "a stall stretches probes and timeouts, as a missed probe does")
        #expect(late.contains { if case .log(let line) = $0 { return line.contains("stalled") }; return false }, "\(late)")
        // On time, the same silence suspects the next target.
        let next = try #require(pings(late).first(where: { $0.nonce != 0 })?.to)
        _ = membership.handle(.timer(.probe), now: .zero + .seconds(2) + membership.probeInterval, random: &random)
        #expect(membership.members[next]?.suspectedSince != nil)
        #expect(membership.stalls == 1)
    }

    /// Under lasting overload the health score rises and the tolerated lateness with it, so a
    /// peer whose timers are always somewhat late still suspects (and finds a stopped peer).
    @Test mutating func aPeerLateByLessThanItsStretchedThresholdStillSuspects() throws {
        var membership = started()
        membership.swim.health = 4  // probes every 2.5 s; a stall is lateness beyond 500 ms
        let start = GossipTime.zero + .milliseconds(500)
        let probe = membership.handle(.timer(.probe), now: start, random: &random)
        let target = try #require(pings(probe).first(where: { $0.nonce != 0 })?.to)
        _ = membership.handle(.timer(.probe), now: start + membership.probeInterval + .milliseconds(300), random: &random)
        #expect(membership.stalls == 0)
        #expect(membership.members[target]?.suspectedSince != nil)
    }

    @Test mutating func aStallDoesNotCountAgainstASuspect() {
        let since = GossipTime.zero + .seconds(1)
        var membership = suspectingPeer3(at: since)
        let suspect = Topology.pkiID(0, 3)
        _ = membership.heartbeats(through: .zero + .seconds(2), random: &random)
        // The heartbeat due at 2.5 s fires 3 s late: the suspicion's clock stops for those 3 s.
        _ = membership.handle(.timer(.heartbeat), now: .zero + .milliseconds(5_500), random: &random)
        #expect(membership.stalls == 1)
        #expect(membership.members[suspect]?.suspectedSince == since + .seconds(3))
        let expiry = since + .seconds(3) + membership.suspicionTimeout(accusers: 3)
        _ = membership.heartbeats(through: expiry + .milliseconds(-1), random: &random)
        #expect(membership.members[suspect]?.isAlive == true, "without the stall it was dead \(Duration.seconds(3)) earlier")
        let effects = membership.heartbeats(through: expiry + .milliseconds(1), random: &random)
        #expect(effects.contains(.memberDead(suspect, mspID: Topology.mspID(0))))
    }

    /// A lateness the stretched threshold tolerates is no stall, but suspicions still wait it out.
    @Test mutating func aLatenessBelowTheStretchedThresholdStillMakesSuspicionsWait() throws {
        let since = GossipTime.zero + .seconds(1)
        var membership = suspectingPeer3(at: since)
        membership.swim.health = 4
        _ = membership.heartbeats(through: .zero + .seconds(2), random: &random)
        let due = try #require(membership.swim.stall.heartbeatDue)
        _ = membership.handle(.timer(.heartbeat), now: due + .milliseconds(300), random: &random)
        #expect(membership.stalls == 0)
        #expect(membership.members[Topology.pkiID(0, 3)]?.suspectedSince == since + .milliseconds(300))
    }

    @Test mutating func aStallSeenByBothTimersCountsOnce() {
        var membership = started()
        _ = membership.handle(.timer(.probe), now: .zero + .milliseconds(500), random: &random)
        // Probe due at 1 s and heartbeat due at 0.5 s both fire at 3 s: one stall.
        _ = membership.handle(.timer(.probe), now: .zero + .seconds(3), random: &random)
        _ = membership.handle(.timer(.heartbeat), now: .zero + .seconds(3), random: &random)
        #expect(membership.stalls == 1)
        #expect(membership.swim.health == 1)
        // A timer that fires on time is no stall.
        _ = membership.heartbeats(through: .zero + .seconds(5), random: &random)
        #expect(membership.stalls == 1)
    }
}
