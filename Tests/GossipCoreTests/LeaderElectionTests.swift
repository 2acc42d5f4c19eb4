import FabnetModel
import GossipCore
import Testing

/// Drives a group of `LeaderElection`s (one org, one channel) on a virtual clock: broadcasts
/// reach every running peer of the same partition after 2 ms. Deterministic; no sockets, no sleeps.
struct ElectionHarness {
    var peers: [LeaderElection]
    var running: [Bool]
    var group: [Int]
    var pulling: Set<Int> = []
    var now = GossipTime.zero
    private var queue: [(time: GossipTime, order: Int, peer: Int, event: LeaderElection.Event)] = []
    private var order = 0

    init(count: Int, mode: LeaderElection.Mode = .dynamic, settings: GossipSettings = .fabnetDefaults) {
        peers = (0..<count).map { LeaderElection(pkiID: PKIID([UInt8($0)]), mode: mode, settings: settings, incarnation: 1) }
        running = Array(repeating: false, count: count)
        group = Array(repeating: 0, count: count)
    }

    var leaders: Set<Int> { pulling }

    mutating func start(_ index: Int, height: UInt64 = 0) {
        peers[index] = LeaderElection(pkiID: peers[index].pkiID, mode: peers[index].mode, settings: .fabnetDefaults, incarnation: UInt64(now.nanoseconds + 1))
        running[index] = true
        _ = peers[index].handle(.height(height), now: now)
        refreshViews()
        apply(peers[index].handle(.start, now: now), from: index)
    }

    mutating func crash(_ index: Int) {
        running[index] = false
        pulling.remove(index)
        refreshViews()
    }

    mutating func partition(_ groups: [[Int]]) {
        for (number, members) in groups.enumerated() { for member in members { group[member] = number } }
        refreshViews()
    }

    mutating func run(for duration: Duration) {
        let end = now + duration
        while let next = queue.min(by: { ($0.time, $0.order) < ($1.time, $1.order) }), next.time <= end {
            queue.removeAll { $0.order == next.order }
            now = next.time
            guard running[next.peer] else { continue }
            apply(peers[next.peer].handle(next.event, now: now), from: next.peer)
        }
        now = end
    }

    private mutating func refreshViews() {
        for index in peers.indices where running[index] {
            let view = Set(peers.indices.filter { running[$0] && group[$0] == group[index] }.map { peers[$0].pkiID })
            _ = peers[index].handle(.view(view), now: now)
        }
    }

    private mutating func enqueue(_ event: LeaderElection.Event, to peer: Int, at time: GossipTime) {
        order += 1
        queue.append((time, order, peer, event))
    }

    private mutating func apply(_ effects: [LeaderElection.Effect], from index: Int) {
        for effect in effects {
            switch effect {
            case .broadcast(let message):
                for target in peers.indices where target != index && running[target] && group[target] == group[index] {
                    enqueue(.received(message), to: target, at: now + .milliseconds(2))
                }
            case let .schedule(timer, time):
                enqueue(.timer(timer), to: index, at: time)
            case .startPulling:
                pulling.insert(index)
            case .stopPulling:
                pulling.remove(index)
            case .log:
                break
            }
        }
    }
}

@Suite struct LeaderElectionTests {
    @Test func tenPeersStartedTogetherElectExactlyOne() {
        var harness = ElectionHarness(count: 10)
        for index in 0..<10 { harness.start(index) }
        harness.run(for: .seconds(3))
        #expect(harness.leaders == [0])
        #expect(harness.peers.allSatisfy { $0.leader == PKIID([0]) })
    }

    @Test func staggeredStartsKeepTheFirstLeader() {
        var harness = ElectionHarness(count: 6)
        harness.start(5)
        harness.run(for: .seconds(2))
        #expect(harness.leaders == [5])
        for index in 0..<5 { harness.start(index) }
        harness.run(for: .seconds(5))
        #expect(harness.leaders == [5], "a running leader is not pre-empted by a newcomer")
    }

    @Test func splitOrgGetsTwoLeadersAndOneAfterHealing() {
        var harness = ElectionHarness(count: 8)
        for index in 0..<8 { harness.start(index) }
        harness.run(for: .seconds(2))
        #expect(harness.leaders == [0])
        harness.partition([[0, 1, 2, 3], [4, 5, 6, 7]])
        harness.run(for: .seconds(4))
        #expect(harness.leaders == [0, 4])
        harness.partition([[0, 1, 2, 3, 4, 5, 6, 7]])
        harness.run(for: .seconds(3))
        #expect(harness.leaders == [0])
    }

    @Test func highestLedgerHeightLeadsBeforeLowestID() {
        var harness = ElectionHarness(count: 5)
        for index in 0..<5 { harness.start(index, height: index == 3 ? 100 : 10) }
        harness.run(for: .seconds(3))
        #expect(harness.leaders == [3])
    }

    @Test func aDeadLeaderIsReplaced() {
        var harness = ElectionHarness(count: 4)
        for index in 0..<4 { harness.start(index) }
        harness.run(for: .seconds(2))
        #expect(harness.leaders == [0])
        harness.crash(0)
        // leaderAliveThreshold (1 s) + an election (200 ms) with fabnet's defaults.
        harness.run(for: .seconds(2))
        #expect(harness.leaders == [1])
    }

    @Test func staticAndStandbyModes() {
        var statics = ElectionHarness(count: 3, mode: .staticLeader)
        for index in 0..<3 { statics.start(index) }
        statics.run(for: .seconds(2))
        #expect(statics.leaders == [0, 1, 2])
        var standby = ElectionHarness(count: 3, mode: .standby)
        for index in 0..<3 { standby.start(index) }
        standby.run(for: .seconds(2))
        #expect(standby.leaders.isEmpty)
    }
}

@Suite struct ElectionModeTests {
    @Test func modesFromSettingsAndTheConflictIsRefused() throws {
        var settings = GossipSettings.fabnetDefaults
        #expect(try LeaderElection.Mode(settings: settings) == .dynamic)
        settings.useLeaderElection = false
        settings.orgLeader = true
        #expect(try LeaderElection.Mode(settings: settings) == .staticLeader)
        settings.orgLeader = false
        #expect(try LeaderElection.Mode(settings: settings) == .standby)
        settings.useLeaderElection = true
        settings.orgLeader = true
        #expect(throws: GossipConfigurationError.conflictingLeaderSettings) { try LeaderElection.Mode(settings: settings) }
    }
}
