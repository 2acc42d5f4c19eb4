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
            case let .reply(message, id):
                if let target = peers.firstIndex(where: { $0.pkiID == id }), running[target], group[target] == group[index] {
                    enqueue(.received(message), to: target, at: now + .milliseconds(2))
                }
            case let .schedule(timer, time):
                enqueue(.timer(timer), to: index, at: time)
            case .startPulling:
                pulling.insert(index)
            case .stopPulling:
                pulling.remove(index)
            case .log, .askForMissingPeers:
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

/// One `LeaderElection` driven by hand: what a leader sends, and when.
@Suite struct LeaderMessagesTests {
    let settings = GossipSettings.fabnetDefaults
    let others: Set<PKIID> = [PKIID([5]), PKIID([6])]

    /// A peer with the lowest PKI-ID, elected alone at `start` (stable view, one election).
    func electedLeader(at start: GossipTime) -> (LeaderElection, GossipTime) {
        var election = LeaderElection(pkiID: PKIID([1]), mode: .dynamic, settings: settings, incarnation: 1)
        _ = election.handle(.view(others), now: start)
        _ = election.handle(.start, now: start)
        var now = start + settings.election.membershipSampleInterval
        _ = election.handle(.timer(.sample), now: now)
        now = now + settings.election.leaderElectionDuration
        _ = election.handle(.timer(.electionEnd), now: now)
        #expect(election.isLeader)
        return (election, now)
    }

    func declarations(_ effects: [LeaderElection.Effect]) -> Int {
        effects.filter { if case .broadcast(let message) = $0 { return message.isDeclaration } else { return false } }.count
    }

    @Test func aLeaderAnswersAProposalToItsProposerOnly() {
        var (election, now) = electedLeader(at: .zero)
        let proposal = LeadershipMessage(pkiID: PKIID([6]), isDeclaration: false, ledgerHeight: 0, time: PeerTime(incarnation: 1, sequence: 1))
        now = now + .milliseconds(10)
        let effects = election.handle(.received(proposal), now: now)
        #expect(declarations(effects) == 0, "a proposal made the leader broadcast: N messages per proposal")
        #expect(effects.contains { if case .reply(let message, let to) = $0 { return message.isDeclaration && to == PKIID([6]) } else { return false } })
    }

    /// A leader that hears a lower-ranked leader's declaration declares to its view, and to that
    /// leader directly when it is not in the view: while a big org starts, views fill in for
    /// seconds, and a second leader missing from the first's view led on (each of its blocks a
    /// duplicate copy for its whole tree) until the views met.
    @Test func aLeaderAnswersALowerRankedLeaderItDoesNotKnowDirectly() {
        var (election, now) = electedLeader(at: .zero)  // peer 1; view: 5 and 6
        func declaration(from id: UInt8) -> LeadershipMessage {
            LeadershipMessage(pkiID: PKIID([id]), isDeclaration: true, ledgerHeight: 0, time: PeerTime(incarnation: 1, sequence: 1))
        }
        now = now + .milliseconds(10)
        let unknown = election.handle(.received(declaration(from: 9)), now: now)
        #expect(election.isLeader)
        #expect(declarations(unknown) == 1)
        #expect(unknown.contains { if case .reply(let message, let to) = $0 { return message.isDeclaration && message.pkiID == PKIID([1]) && to == PKIID([9]) } else { return false } })
        let known = election.handle(.received(declaration(from: 6)), now: now)
        #expect(declarations(known) == 1)
        #expect(!known.contains { if case .reply = $0 { return true } else { return false } }, "one in the view hears the broadcast")
        // Peer 9 yielded, but still is not in the view: the periodic declarations reach it too
        // (else it would hear none, elect itself again, and the two would flap).
        func repliedTo(_ effects: [LeaderElection.Effect]) -> [PKIID] {
            effects.compactMap { if case .reply(let message, let to) = $0, message.isDeclaration { return to } else { return nil } }
        }
        now = now + settings.election.leaderAliveThreshold / 2
        #expect(repliedTo(election.handle(.timer(.declare), now: now)) == [PKIID([9])])
        _ = election.handle(.view(others.union([PKIID([9])])), now: now)
        now = now + settings.election.leaderAliveThreshold / 2
        let inView = election.handle(.timer(.declare), now: now)
        #expect(repliedTo(inView).isEmpty && declarations(inView) == 1, "once in the view, the broadcast reaches it")
        // One that never joins the view (it died, or left) is dropped after four thresholds.
        _ = election.handle(.received(declaration(from: 8)), now: now)
        now = now + settings.election.leaderAliveThreshold / 2
        #expect(repliedTo(election.handle(.timer(.declare), now: now)) == [PKIID([8])])
        now = now + settings.election.leaderAliveThreshold * 4
        #expect(repliedTo(election.handle(.timer(.declare), now: now)).isEmpty)
    }

    /// A peer in its election, proposal sent (`others` in view), at the returned time.
    func electing(_ id: UInt8, view: Set<PKIID>) -> (LeaderElection, GossipTime) {
        var election = LeaderElection(pkiID: PKIID([id]), mode: .dynamic, settings: settings, incarnation: 1)
        _ = election.handle(.view(view), now: .zero)
        _ = election.handle(.start, now: .zero)
        var now = GossipTime.zero
        // Samples until it proposes (with lower PKI-IDs in its view it first gives their
        // declarations `leaderAliveThreshold` to come).
        repeat {
            now = now + settings.election.membershipSampleInterval
            _ = election.handle(.timer(.sample), now: now)
        } while election.awaitsOutrankers
        return (election, now)
    }

    /// A proposal of peer `id` at `height`.
    func proposal(from id: UInt8, height: UInt64 = 0) -> LeadershipMessage {
        LeadershipMessage(pkiID: PKIID([id]), isDeclaration: false, ledgerHeight: height, time: PeerTime(incarnation: 1, sequence: 1))
    }

    @Test func aPeerWaitingForItsFirstElectionTellsALowerRankedProposerItRanksHigher() {
        // Peer 5 at height 9 waits for peer 2 (a lower PKI-ID in its view) to show leading.
        var election = LeaderElection(pkiID: PKIID([5]), mode: .dynamic, settings: settings, incarnation: 1)
        _ = election.handle(.view([PKIID([2]), PKIID([7])]), now: .zero)
        _ = election.handle(.height(9), now: .zero)
        _ = election.handle(.start, now: .zero)
        _ = election.handle(.timer(.sample), now: .zero + .milliseconds(100))
        #expect(election.awaitsOutrankers)
        // Peer 2 proposes at height 3: peer 5 outranks it and says so, without starting its election.
        let lower = election.handle(.received(proposal(from: 2, height: 3)), now: .zero + .milliseconds(150))
        #expect(lower.count == 1 && lower.contains { if case .reply(let message, let to) = $0 { return !message.isDeclaration && message.ledgerHeight == 9 && to == PKIID([2]) } else { return false } }, "\(lower)")
        #expect(election.awaitsOutrankers)
        // Peer 7 at height 10 outranks it: no answer.
        #expect(election.handle(.received(proposal(from: 7, height: 10)), now: .zero + .milliseconds(160)).isEmpty)
    }

    @Test func anElectingPeerTellsALowerRankedProposerItRanksHigher() {
        var (election, now) = electing(1, view: others)
        now = now + .milliseconds(10)
        // Peer 9 is not in the view yet (a big org still filling in): it hears of peer 1 by a reply.
        let effects = election.handle(.received(proposal(from: 9)), now: now)
        #expect(effects.contains { if case .reply(let message, let to) = $0 { return !message.isDeclaration && message.pkiID == PKIID([1]) && to == PKIID([9]) } else { return false } })
        #expect(!effects.contains { if case .broadcast = $0 { return true } else { return false } })
        // A higher-ranked proposer gets no reply.
        let higher = election.handle(.received(proposal(from: 0)), now: now)
        #expect(!higher.contains { if case .reply = $0 { return true } else { return false } })
    }

    @Test func aProposalFromAPeerNotYetInTheViewStillOutranks() {
        var (election, now) = electing(5, view: [PKIID([6])])
        // Peer 2 ranks higher but this peer's view has not learnt of it yet.
        _ = election.handle(.received(proposal(from: 2)), now: now + .milliseconds(5))
        now = now + settings.election.leaderElectionDuration
        let effects = election.handle(.timer(.electionEnd), now: now)
        #expect(!election.isLeader, "a peer led though a higher-ranked org peer proposed in the same election")
        #expect(!effects.contains(.startPulling))
    }

    @Test func aPeerThatExpectsToLoseDoesNotAnswer() {
        var (election, now) = electing(3, view: others)
        now = now + .milliseconds(10)
        _ = election.handle(.received(proposal(from: 1)), now: now)  // outranks this peer
        let effects = election.handle(.received(proposal(from: 9)), now: now)
        #expect(!effects.contains { if case .reply = $0 { return true } else { return false } }, "only the expected winner answers")
    }

    @Test func anElectionRanksThePeerAtTheHeightItReachedMeanwhile() {
        // This peer proposed at height 5, then reached 7; peer 2 proposed at 6. Its answer said 7,
        // so it must also rank itself at 7, or both follow each other and nobody leads.
        var election = LeaderElection(pkiID: PKIID([1]), mode: .dynamic, settings: settings, incarnation: 1)
        _ = election.handle(.view([PKIID([2])]), now: .zero)
        _ = election.handle(.height(5), now: .zero)
        _ = election.handle(.start, now: .zero)
        var now = GossipTime.zero + settings.election.membershipSampleInterval
        _ = election.handle(.timer(.sample), now: now)
        _ = election.handle(.height(7), now: now + .milliseconds(1))
        let answer = election.handle(.received(proposal(from: 2, height: 6)), now: now + .milliseconds(2))
        #expect(answer.contains { if case .reply(let message, _) = $0 { return message.ledgerHeight == 7 } else { return false } })
        now = now + settings.election.leaderElectionDuration
        _ = election.handle(.timer(.electionEnd), now: now)
        #expect(election.isLeader)
    }

    @Test func aProposerThatLeftTheViewNoLongerCounts() {
        var (election, now) = electing(5, view: [PKIID([2]), PKIID([6])])
        _ = election.handle(.received(proposal(from: 2)), now: now + .milliseconds(5))
        // Peer 2 died: the view drops it before the election ends.
        _ = election.handle(.view([PKIID([6])]), now: now + .milliseconds(10))
        now = now + settings.election.leaderElectionDuration
        _ = election.handle(.timer(.electionEnd), now: now)
        #expect(election.isLeader, "a dead proposer kept the org without a leader until the next election")
    }

    @Test func aLeaderElectedAgainKeepsOneDeclarationChain() {
        var (election, now) = electedLeader(at: .zero)
        let firstDue = now + settings.election.leaderAliveThreshold / 2
        // A higher-ranked leader's declaration: this one yields, then leads again in a new election.
        let higher = LeadershipMessage(pkiID: PKIID([0]), isDeclaration: true, ledgerHeight: 9, time: PeerTime(incarnation: 1, sequence: 1))
        now = now + .milliseconds(50)
        _ = election.handle(.received(higher), now: now)
        #expect(!election.isLeader)
        now = now + settings.election.leaderAliveThreshold
        _ = election.handle(.timer(.leaderCheck), now: now)
        now = now + settings.election.leaderElectionDuration
        _ = election.handle(.timer(.electionEnd), now: now)
        #expect(election.isLeader)
        // The first term's timer fires (if it had been left pending): dropped, not a second chain.
        #expect(firstDue < now)
        #expect(election.handle(.timer(.declare), now: now + .milliseconds(1)).isEmpty)
        let effects = election.handle(.timer(.declare), now: now + settings.election.leaderAliveThreshold / 2)
        #expect(declarations(effects) == 1)
        #expect(effects.contains { if case .schedule(.declare, _) = $0 { return true } else { return false } })
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

/// When a starting peer's view counts as settled: under SWIM as soon as it holds every live org
/// member (none unconfirmed), else after two equal samples, as in Fabric.
@Suite struct SettledViewTests {
    /// Whether peer 1, seeing peer 2 in its view and `unconfirmed` lacking state info, proposes
    /// at its first sample.
    func proposesAtTheFirstSample(settings: GossipSettings, unconfirmed: Set<PKIID>) -> Bool {
        var election = LeaderElection(pkiID: PKIID([1]), mode: .dynamic, settings: settings, incarnation: 1)
        _ = election.handle(.start, now: .zero)
        _ = election.handle(.view([PKIID([2])]), now: .zero)
        _ = election.handle(.unconfirmed(unconfirmed), now: .zero)
        let effects = election.handle(.timer(.sample), now: .zero + settings.election.membershipSampleInterval)
        return effects.contains { if case .schedule(.electionEnd, _) = $0 { return true } else { return false } }
    }

    @Test func aCompleteViewSettlesAtTheFirstSampleUnderSwimOnly() {
        #expect(proposesAtTheFirstSample(settings: .fabnetDefaults, unconfirmed: []), "every live org member is in the view")
        #expect(!proposesAtTheFirstSample(settings: .fabnetDefaults, unconfirmed: [PKIID([3])]), "peer 3 may still show up")
        var fabric = GossipSettings.fabnetDefaults
        fabric.membership = .fabric
        #expect(!proposesAtTheFirstSample(settings: fabric, unconfirmed: []), "Fabric's algorithm waits for two equal samples")
    }
}
