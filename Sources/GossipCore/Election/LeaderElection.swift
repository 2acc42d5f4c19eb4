import FabnetModel

/// A leadership message: a proposal ("I could lead") or a declaration ("I lead"), with the
/// sender's ledger height for the channel.
public struct LeadershipMessage: Hashable, Sendable {
    public let pkiID: PKIID
    public let isDeclaration: Bool
    public let ledgerHeight: UInt64
    public let time: PeerTime

    public init(pkiID: PKIID, isDeclaration: Bool, ledgerHeight: UInt64, time: PeerTime) {
        self.pkiID = pkiID
        self.isDeclaration = isDeclaration
        self.ledgerHeight = ledgerHeight
        self.time = time
    }
}

/// Leader election among one org's peers of one channel, as a pure state machine. The elected
/// leader is the one peer that pulls blocks from the orderer (effects `startPulling` and
/// `stopPulling`).
///
/// Modes: `orgLeader` (static: leader from the start, never elects), `useLeaderElection`
/// (dynamic, below), neither (standby: never leads).
///
/// Dynamic election, as Fabric with one change:
/// - After start the peer waits until its view of the org is stable (unchanged between two
///   samples `membershipSampleInterval` apart; under SWIM also as soon as it holds every live
///   org member, `viewIsComplete`) or `startupGracePeriod` passes.
/// - **Waiting for outrankers** (fabnet's change, SWIM membership only): it also waits while
///   one of the `loudProposers` lowest PKI-IDs below its own among the org's live members (from
///   membership: `unconfirmed` ones have shown no state info for the channel yet) is not in
///   its view, and then `leaderAliveThreshold` more (a running leader's declarations reach it,
///   and it follows); at most `outrankerWait` after start. While it waits it answers a proposer
///   it outranks. Peers that join a channel together saw few of the others at first, and a
///   100-peer start had 25–40 leaders for a moment, each declaring to its view and pulling
///   from the orderer.
/// - If it has heard a declaration within `leaderAliveThreshold` it follows that leader: a
///   running leader is not pre-empted by a newcomer.
/// - Otherwise it proposes to its org peers and collects proposals for `leaderElectionDuration`;
///   it declares itself leader if no declaration came and it ranks first among the proposers
///   (every proposal heard counts, also one from a peer its view does not hold yet). A peer in
///   its election that outranks a proposer answers it with its own proposal, and a leader
///   answers with a declaration: in a big org whose views are still filling in, a proposer
///   learns of the peers that outrank it instead of leading for a moment.
/// - **Rank** (fabnet's change, for the starvation problem in the reference §5): the highest
///   ledger height first, then the lowest PKI-ID (Fabric uses the lowest PKI-ID only, so a lagging
///   peer can lead and starve the others).
/// - A leader declares every `leaderAliveThreshold / 2`. A leader that hears another leader's
///   declaration yields if the other ranks higher (after a partition heals, one leader remains).
/// - A follower that hears no declaration for `leaderAliveThreshold` starts a new election.
/// - **Quiet proposals** (fabnet's change, for big orgs): a peer with at least `loudProposers`
///   lower PKI-IDs in its view collects proposals without broadcasting its own, so an election
///   costs about `loudProposers` × N messages instead of N² (and as many new connections). It
///   still leads if it outranks every proposal it heard (a higher ledger height); if it heard
///   none (those peers are gone), it proposes aloud at once. Answers to proposals add at most
///   one message per proposal (only a peer that expects to win answers). Known gap: when the
///   lowest PKI-IDs lag, every quiet peer at the top height outranks what it heard and leads for
///   a moment, until their declarations make all but one yield.
public struct LeaderElection: Sendable {
    public enum Mode: Sendable, Equatable { case dynamic, staticLeader, standby }

    public enum Event: Sendable {
        case start
        case timer(Timer)
        /// A leadership message whose signer the shell checked to be `message.pkiID`, of this org and channel.
        case received(LeadershipMessage)
        /// The org's live peers in this channel changed (from membership and state info).
        case view(Set<PKIID>)
        /// This peer's ledger height for the channel changed.
        case height(UInt64)
        /// The org's live members (from membership) whose state info for the channel has not
        /// arrived: channel peers this peer may not see yet, or members outside the channel.
        /// Needed only while `awaitsOutrankers`.
        case unconfirmed(Set<PKIID>)
    }

    public enum Timer: Hashable, Sendable { case sample, electionEnd, declare, leaderCheck }

    public enum Effect: Hashable, Sendable {
        /// Send to every live org peer of the channel.
        case broadcast(LeadershipMessage)
        /// Send to one org peer of the channel (a leader, or a peer in its election that
        /// expects to win, answering a proposer it outranks).
        case reply(LeadershipMessage, to: PKIID)
        case schedule(Timer, at: GossipTime)
        case startPulling
        case stopPulling
        /// A leader's periodic declaration is out and it has led for `leaderAliveThreshold`: the
        /// org members missing from its channel view should be asked to show themselves, since
        /// its declarations reach only that view. Not sooner, nor on answering a rival: while a
        /// big org starts, many peers lead for a moment, and each asking its whole org cost 100
        /// real peers a connection each (ready in 11 s became 17–20 s).
        case askForMissingPeers
        case log(String)
    }

    enum Phase: Equatable { case idle, waitingForStableView(started: GossipTime, lastView: Set<PKIID>), electing(proposals: [PKIID: UInt64]), follower, leader }

    public let pkiID: PKIID
    public let mode: Mode
    let settings: GossipSettings
    var phase: Phase = .idle
    var view: Set<PKIID> = []
    var height: UInt64 = 0
    var sequence: UInt64 = 0
    let incarnation: UInt64
    /// Peers that propose aloud in an election: the lowest PKI-IDs of the view.
    static let loudProposers = 3
    /// See `Event.unconfirmed`.
    var unconfirmed: Set<PKIID> = []
    /// Since when the likely leaders are in the view (see `outrankersShown`).
    var outrankersShownAt: GossipTime?
    /// The longest a starting peer waits for the org members that outrank it to show up:
    /// `startupGracePeriod` + 2 × `leaderAliveThreshold` (2.5 s with fabnet's settings).
    var outrankerWait: Duration { settings.election.startupGracePeriod + settings.election.leaderAliveThreshold * 2 }
    /// Whether this peer's current election proposal was kept quiet.
    var proposedQuietly = false
    /// The leader this peer follows, and when it last heard from it.
    public private(set) var leader: PKIID?
    var lastDeclaration: GossipTime?
    /// When this leader's next periodic declaration is due: a `declare` timer left from an
    /// earlier term (the peer led, yielded and leads again) fires early and is dropped, so a
    /// leader keeps one declaration chain however often it was elected.
    var nextDeclaration: GossipTime?
    /// When this peer's current term as leader began.
    var ledSince: GossipTime?
    /// Lower-ranked leaders this leader answered that are not in its view, and since when: each
    /// periodic declaration goes to them too until they are (else one that yielded hears no
    /// declaration, elects itself again, and the two flap), for at most `outsiderTerm`
    /// (leaderAliveThreshold × 4: views meet sooner; a peer that died or left is dropped then),
    /// and at most `maximumOutsiders` at once.
    var outsiders: [(id: PKIID, since: GossipTime)] = []
    static let maximumOutsiders = 16
    var outsiderTerm: Duration { settings.election.leaderAliveThreshold * 4 }

    public init(pkiID: PKIID, mode: Mode, settings: GossipSettings, incarnation: UInt64) {
        self.pkiID = pkiID
        self.mode = mode
        self.settings = settings
        self.incarnation = incarnation
    }

    public var isLeader: Bool { phase == .leader }

    /// Whether the election waits for outrankers now (SWIM membership, dynamic mode, before its
    /// first election): only then does it use `Event.unconfirmed`.
    public var awaitsOutrankers: Bool {
        guard settings.membership == .swim, case .waitingForStableView = phase else { return false }
        return true
    }

    /// Whether the org members most likely to lead have been in the view long enough: the
    /// `loudProposers` lowest PKI-IDs below this peer's among the view and the unconfirmed
    /// members (at one height the leader is the lowest of the channel's peers), in the view for
    /// `leaderAliveThreshold` (a leader declares twice in that time, to a view that now holds
    /// this peer, so a newcomer follows a running leader instead of proposing). Their state
    /// info was asked for (`GossipPeer.introduceToOutrankers`); one outside the channel never
    /// shows, and the peer then waits `outrankerWait`. Records when they showed.
    mutating func outrankersShown(now: GossipTime) -> Bool {
        guard settings.membership == .swim else { return true }
        let own = pkiID
        let lowest = view.union(unconfirmed).filter { $0 < own }.sorted().prefix(Self.loudProposers)
        guard lowest.allSatisfy({ view.contains($0) }) else {
            outrankersShownAt = nil
            return false
        }
        if lowest.isEmpty { return true }
        let since = outrankersShownAt ?? now
        outrankersShownAt = since
        return now - since >= settings.election.leaderAliveThreshold
    }

    /// Under SWIM, whether the view already holds every live org member the membership knows
    /// (none is `unconfirmed`): it cannot grow until a member joins, so there is nothing to
    /// wait for a second sample for. A 4-peer network's first leader came one sample (100 ms)
    /// sooner. Fabric's algorithm always waits for two equal samples.
    var viewIsComplete: Bool {
        settings.membership == .swim && !view.isEmpty && unconfirmed.isEmpty
    }

    public mutating func handle(_ event: Event, now: GossipTime) -> [Effect] {
        switch (event, mode) {
        case (.start, .staticLeader):
            phase = .leader
            leader = pkiID
            return [.startPulling, .log("static org leader: pulling blocks from the orderer")]
        case (_, .staticLeader), (_, .standby):
            return []
        case (.start, .dynamic):
            phase = .waitingForStableView(started: now, lastView: view)
            return [.schedule(.sample, at: now + settings.election.membershipSampleInterval)]
        case (.view(let newView), .dynamic):
            let newView = newView.subtracting([pkiID])
            // A proposer that left the view (dead) no longer counts in this election; one not in
            // it yet still does (see `receive`).
            if case .electing(var proposals) = phase {
                for gone in view.subtracting(newView) { proposals[gone] = nil }
                phase = .electing(proposals: proposals)
            }
            view = newView
            return []
        case (.unconfirmed(let members), .dynamic):
            unconfirmed = members.subtracting([pkiID])
            return []
        case (.height(let newHeight), .dynamic):
            height = newHeight
            // This election ranks the peer at the height it now has, as its replies say.
            if case .electing(var proposals) = phase {
                proposals[pkiID] = newHeight
                phase = .electing(proposals: proposals)
            }
            return []
        case (.timer(let timer), .dynamic):
            return fire(timer, now: now)
        case (.received(let message), .dynamic):
            return receive(message, now: now)
        }
    }

    private mutating func fire(_ timer: Timer, now: GossipTime) -> [Effect] {
        switch (timer, phase) {
        case let (.sample, .waitingForStableView(started, lastView)):
            if leaderIsAlive(now: now) { return follow(now: now) }
            let waited = now - started
            let shown = outrankersShown(now: now)
            let settled = lastView == view && !view.isEmpty || viewIsComplete || waited >= settings.election.startupGracePeriod
            if settled && shown || waited >= outrankerWait {
                unconfirmed = []
                outrankersShownAt = nil
                return propose(now: now)
            }
            phase = .waitingForStableView(started: started, lastView: view)
            return [.schedule(.sample, at: now + settings.election.membershipSampleInterval)]
        case let (.electionEnd, .electing(proposals)):
            if leaderIsAlive(now: now) { return follow(now: now) }
            if proposedQuietly, proposals.count == 1 { return propose(now: now, aloud: true) }
            // Every proposal heard counts, also one from a peer not yet in the view: it is
            // signed by an org peer of the channel, and no older than this election.
            let best = proposals.map { (id: $0.key, height: $0.value) }.min { Self.ranksHigher($0, $1) }
            if best?.id == pkiID { return becomeLeader(now: now) }
            // Someone else should lead: wait for its declaration, then elect again if none comes.
            phase = .follower
            return [.schedule(.leaderCheck, at: now + settings.election.leaderAliveThreshold)]
        case (.declare, .leader):
            guard let due = nextDeclaration, now >= due else { return [] }
            let declaration = message(declaration: true)
            let (view, term) = (view, outsiderTerm)
            outsiders.removeAll { view.contains($0.id) || now - $0.since > term }
            let settled = ledSince.map { now - $0 >= settings.election.leaderAliveThreshold } ?? false
            return [.broadcast(declaration)] + (settled ? [.askForMissingPeers] : []) + outsiders.map { .reply(declaration, to: $0.id) } + scheduleDeclaration(now: now)
        case (.leaderCheck, .follower):
            if leaderIsAlive(now: now) {
                return [.schedule(.leaderCheck, at: (lastDeclaration ?? now) + settings.election.leaderAliveThreshold)]
            }
            leader = nil
            return [.log("no declaration from the leader for \(settings.election.leaderAliveThreshold): electing")] + propose(now: now)
        default:
            return []  // a timer of a phase the peer has left
        }
    }

    private mutating func receive(_ incoming: LeadershipMessage, now: GossipTime) -> [Effect] {
        guard incoming.pkiID != pkiID else { return [] }
        if incoming.isDeclaration {
            if phase == .leader {
                // Two leaders (a healed partition): the lower-ranked one yields.
                guard Self.ranksHigher((incoming.pkiID, incoming.ledgerHeight), (pkiID, height)) else {
                    // A leader not in this peer's view (views of a big org fill in for seconds)
                    // would miss the broadcast and lead on: it is answered directly too.
                    let declaration = message(declaration: true)
                    guard !view.contains(incoming.pkiID) else { return [.broadcast(declaration)] }
                    if !outsiders.contains(where: { $0.id == incoming.pkiID }), outsiders.count < Self.maximumOutsiders {
                        outsiders.append((incoming.pkiID, now))
                    }
                    return [.broadcast(declaration), .reply(declaration, to: incoming.pkiID)]
                }
                leader = incoming.pkiID
                lastDeclaration = now
                phase = .follower
                return [.stopPulling, .log("yielding leadership to \(incoming.pkiID)"),
                        .schedule(.leaderCheck, at: now + settings.election.leaderAliveThreshold)]
            }
            leader = incoming.pkiID
            lastDeclaration = now
            if case .electing = phase { return follow(now: now) }
            if case .waitingForStableView = phase { return follow(now: now) }
            return []
        }
        // A proposal.
        switch phase {
        case .electing(var proposals):
            proposals[incoming.pkiID] = incoming.ledgerHeight
            phase = .electing(proposals: proposals)
            // A proposer that ranks below this peer may not know it yet (views fill in while a
            // big org starts): tell it, so it follows instead of leading for a moment. Only a
            // peer that expects to win answers (none of its proposals outranks it), so a
            // proposal draws about one answer, not one from every peer above it.
            let expectsToWin = !proposals.contains { $0.key != pkiID && Self.ranksHigher(($0.key, $0.value), (pkiID, height)) }
            guard expectsToWin else { return [] }
            return [.reply(message(declaration: false), to: incoming.pkiID)]
        case .waitingForStableView:
            // A peer still waiting for its first election (for the peers it expects to lead, see
            // `outrankersShown`) that outranks the proposer says so: at different heights the
            // proposer may be lower-ranked than those it waits for.
            guard Self.ranksHigher((pkiID, height), (incoming.pkiID, incoming.ledgerHeight)) else { return [] }
            return [.reply(message(declaration: false), to: incoming.pkiID)]
        case .leader:
            // Tell the proposer who leads; the others know (a broadcast per proposal cost
            // N messages each, N² when a big org starts).
            return [.reply(message(declaration: true), to: incoming.pkiID)]
        default:
            return []
        }
    }

    private mutating func propose(now: GossipTime, aloud: Bool = false) -> [Effect] {
        phase = .electing(proposals: [pkiID: height])
        let own = pkiID
        proposedQuietly = !aloud && view.lazy.filter { $0 < own }.prefix(Self.loudProposers).count == Self.loudProposers
        let end = Effect.schedule(.electionEnd, at: now + settings.election.leaderElectionDuration)
        return proposedQuietly ? [end] : [.broadcast(message(declaration: false)), end]
    }

    private mutating func follow(now: GossipTime) -> [Effect] {
        phase = .follower
        return [.schedule(.leaderCheck, at: (lastDeclaration ?? now) + settings.election.leaderAliveThreshold)]
    }

    private mutating func becomeLeader(now: GossipTime) -> [Effect] {
        phase = .leader
        leader = pkiID
        ledSince = now
        outsiders = []
        return [.startPulling, .log("elected leader: pulling blocks from the orderer"), .broadcast(message(declaration: true))]
            + scheduleDeclaration(now: now)
    }

    private mutating func scheduleDeclaration(now: GossipTime) -> [Effect] {
        let due = now + settings.election.leaderAliveThreshold / 2
        nextDeclaration = due
        return [.schedule(.declare, at: due)]
    }

    private func leaderIsAlive(now: GossipTime) -> Bool {
        guard leader != nil, let lastDeclaration else { return false }
        return now - lastDeclaration < settings.election.leaderAliveThreshold
    }

    private mutating func message(declaration: Bool) -> LeadershipMessage {
        sequence += 1
        return LeadershipMessage(pkiID: pkiID, isDeclaration: declaration, ledgerHeight: height,
                                 time: PeerTime(incarnation: incarnation, sequence: sequence))
    }

    /// Whether `a` ranks above `b`: higher ledger height first, then lower PKI-ID.
    static func ranksHigher(_ a: (id: PKIID, height: UInt64), _ b: (id: PKIID, height: UInt64)) -> Bool {
        a.height != b.height ? a.height > b.height : a.id < b.id
    }
}

extension LeaderElection.Mode {
    /// The mode `peer.gossip.useLeaderElection` and `peer.gossip.orgLeader` select.
    /// Both true is refused, naming both keys (as the configuration loader does).
    public init(settings: GossipSettings) throws {
        switch (settings.useLeaderElection, settings.orgLeader) {
        case (true, true): throw GossipConfigurationError.conflictingLeaderSettings
        case (true, false): self = .dynamic
        case (false, true): self = .staticLeader
        case (false, false): self = .standby
        }
    }
}

/// A gossip configuration the core cannot run with.
public enum GossipConfigurationError: Error, Equatable, CustomStringConvertible {
    case conflictingLeaderSettings

    public var description: String {
        "peer.gossip.useLeaderElection and peer.gossip.orgLeader are both true; set one of them to false"
    }
}
