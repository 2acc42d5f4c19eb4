import FabnetModel

/// One peer's gossip as a single pure state machine: membership, and per channel the org's
/// leader election, block push and pull, state info (heights) and state transfer. It routes
/// events to its parts and turns their effects into sends, timers and ledger work the shell
/// performs (`handle(event, now, random)` → effects; no sockets, no clocks).
///
/// Channel rules it enforces: a channel message is accepted only when its MAC names a channel
/// this peer is in and its sender's org is a member of that channel; blocks, pull and leadership
/// only from the own org; a peer is a channel peer once its state info for the channel arrived,
/// and only channel peers get the channel's blocks, heights and leadership messages, but for one
/// introduction on joining: its own height, to one peer of each other org of the channel.
public struct GossipPeer: Sendable {
    public enum Timer: Hashable, Sendable {
        case membership(Membership.Timer)
        case election(channel: String, LeaderElection.Timer)
        case emit(channel: String)
        case pull(channel: String)
        case digestWait(channel: String, nonce: UInt64)
        case gap(channel: String)
        case publishStateInfo(channel: String)
        case pullStateInfo(channel: String)
        case stateCheck(channel: String)
        case stateTimeout(channel: String, nonce: UInt64)
    }

    /// What a shell tells the core. The contract between the core and its shells (the peer
    /// process and the simulator) is written here and at `Effect`: both shells perform every
    /// effect in the order returned, and answer with the events named there.
    public enum Event: Sendable {
        /// Once, first: membership, and each channel's election, pull, state info and state transfer start.
        case start
        /// A timer the core scheduled is due (see `Effect.schedule`).
        case timer(Timer)
        /// A verified gossip message. `via` says which connection it came on: the endpoint this
        /// peer dialled (the connection it opened) when the message came back on that
        /// connection, or nil when it came on a connection the sender opened; for the latter
        /// the core answers `Effect.peerIsBack(sender)` first. A fabnet peer sends back on a
        /// connection it accepted while it has none of its own to the sender (the shell's
        /// return path). Membership uses a non-nil `via` to refuse a bootstrap endpoint that
        /// proves to be a peer of another org. The simulator has no connections: `via` is nil.
        case received(Verified<GossipMessage>, via: Endpoint?)
        /// A block this peer pulled from the orderer (as leader), already checked.
        case blockFromOrderer(channel: String, GossipBlock)
        /// The answer to `Effect.commit`: the block is written to the ledger. Only the oldest
        /// block in flight (the confirmed height) may be confirmed; any other confirmation is a
        /// contract violation, answered with a `log` effect and otherwise ignored.
        case committed(channel: String, number: UInt64)
        /// The answer to `Effect.commit` when the block could not be written (the shell may retry
        /// the append before it reports this). The channel halts: `Effect.channelHalted`.
        case commitFailed(channel: String, number: UInt64, reason: String)
    }

    /// What the core asks of its shell; performed in the order returned.
    public enum Effect: Hashable, Sendable {
        /// Send `message` to `destination`; loss is tolerated (pull and state transfer repair it).
        case send(GossipMessage, to: Destination)
        /// Fire `Event.timer(timer)` at `time` or later. The same timer may be scheduled again
        /// before it fired (e.g. `.emit`, the election's `.leaderCheck`): both shells fire every
        /// schedule, and the core takes a stale one (its phase, nonce or round is over, or its
        /// queue is empty) as a no-op. A shell must never drop the newest schedule of a timer.
        case schedule(Timer, at: GossipTime)
        /// This peer became the one that pulls `channel`'s blocks from the orderer: deliver from
        /// `height(of: channel)` on (after a lost stream, again from there) and hand each block
        /// in as `Event.blockFromOrderer`.
        case startPulling(channel: String)
        /// This peer no longer pulls `channel`: stop its deliver stream (a block already on its
        /// way may still be handed in; the core takes it like any other copy).
        case stopPulling(channel: String)
        /// Append `block` to the channel's ledger. Commits come in block order, each block once;
        /// the shell answers each, in the same order, exactly once, with `Event.committed` or
        /// `Event.commitFailed` (it may retry a failed append first). Both shells answer at once,
        /// before the next effect; a later answer is allowed (other events may come between).
        /// Until the answer the block is in flight: not asked for again (a copy is a duplicate),
        /// offered and served to pull requests, but not counted in `height(of:)`, the published
        /// state info, the election's rank, the blocks state transfer serves or the deliver
        /// restart point. Commits of a channel already halted (see `haltedChannels()`) are
        /// skipped by the shell; answers for them are refused with a log line.
        case commit(channel: String, GossipBlock)
        /// A commit failed: `channel` stopped until the peer restarts: no further commits, its
        /// incoming blocks dropped, no pull or state transfer requests, its height (and published
        /// state info) frozen at the last written block, and its election turned standby (a
        /// `stopPulling` follows if it led). Once per channel. The shell reports it: health check
        /// failing with the channel named, a metric, an error log line.
        case channelHalted(channel: String, reason: String)
        /// Read the written blocks `numbers` of `channel` from the ledger (they are older than the
        /// recent window) and send `stateResponse(channel:nonce:numbers:read:)` to `destination`,
        /// if it returns a message.
        case serveBlocks(channel: String, numbers: Range<UInt64>, nonce: UInt64, to: Destination)
        /// `peer` reached this peer over a connection it opened itself: it is up (again). The
        /// shell forgets its recent dial failures and drops queued dials to it that still back
        /// off (stale). Comes before the effects of the message that showed it.
        case peerIsBack(PKIID)
        /// Open a connection to `destination` now if there is none, sending nothing: the peer
        /// will send to it on every block (its tree-push neighbours), and a first contact on a
        /// block's path costs a TLS handshake there. A shell without connections ignores it.
        /// Only when `prepareConnections` is on.
        case connect(Destination)
        /// Write the line to the node's log (gossip module); it names the channel when it is about one.
        case log(String)
        /// A message refused for what it claims (another org's block, a channel this peer or the
        /// sender's org is not in, …), maybe from a hostile peer: the shell counts it and logs
        /// the line at most once a minute per kind, so such a sender cannot flood the log.
        case dropped(String)
    }

    /// The most block bytes one state response carries (its frame must stay below the
    /// transport's limit); the requester asks again from where the answer ended.
    public static let maximumStateResponseBytes = 16 << 20

    public internal(set) var membership: Membership
    public internal(set) var elections: [String: LeaderElection]
    public internal(set) var blocks: [String: BlockDissemination]
    public internal(set) var states: [String: ChannelStateInfo]
    public internal(set) var transfers: [String: StateTransfer]
    /// The orgs of each channel; a channel absent here admits every org this peer shares a channel with.
    var channelOrganizations: [String: Set<String>]
    /// Whether `.start` was handled (channels joined later start at once).
    var started = false
    var resolver: ChannelMACResolver
    /// Per channel: the live own-org peers whose state info arrived, with their endpoints (the
    /// org view of election, push and pull; recomputed by `refreshViewsIfNeeded`).
    var orgChannelPeers: [String: EndpointDirectory] = [:]
    /// Per channel, the live own-org members whose state info in it has not come yet (they may
    /// be in the channel): a leader asks them for it (`askForMissingStateInfo`), and tree relays
    /// forward to them (`BlockDissemination.setOrgMembers`).
    var orgMembersWithoutStateInfo: [String: EndpointDirectory] = [:]
    /// Per channel, when this peer as leader asks each org member without state info next and how
    /// long it waits after that ask (dropped when it stops leading).
    var stateInfoAskedByLeader: [String: [PKIID: (due: GossipTime, wait: Duration)]] = [:]
    /// Per channel, the outranking org members this peer introduced itself to while its first
    /// election waited (`introduceToOutrankers`; dropped once it stops waiting).
    var outrankersIntroduced: [String: Set<PKIID>] = [:]
    /// The longest wait between two asks of a member that does not answer (one not in the
    /// channel never does): 32 × `reconnectInterval`, 80 s with fabnet's defaults.
    static let stateInfoAskBackoff = 32
    /// The most org members a leader asks for their state info with one declaration: a big
    /// org's view fills over a few declarations instead of a burst of requests (and answers)
    /// from every peer that leads for a moment while elections start.
    static let stateInfoAsksPerDeclaration = 256
    var viewsDirty = false
    /// Whether the core asks its shell to open connections to tree-push neighbours ahead of the
    /// first block (`Effect.connect`). The peer process does; the simulator, whose messages
    /// need no connection, turns it off and saves the work.
    public var prepareConnections = true
    /// Per channel: the tree-push neighbours `connect` effects were given for (`prepareTree`).
    var preparedNeighbours: [String: Set<PKIID>] = [:]
    /// Per channel: the leader `prepareTree` last saw and since when (it waits for a stable one).
    var treeLeaders: [String: (leader: PKIID, since: GossipTime)] = [:]
    /// Per channel: the other orgs whose first state info this peer relayed to its own org
    /// (`relayFirstOfOrganizations`); each is relayed once per channel.
    var relayedOrganizations: [String: Set<String>] = [:]
    /// Per channel: how many cross-org snapshot requests were sent (whose org is next).
    var crossOrganizationTurns: [String: Int] = [:]
    /// Per channel: how soon the next state-info pull comes (SWIM only; Fabric's pace is fixed).
    var stateInfoPullPaces: [String: StateInfoPullPace] = [:]
    /// The most state infos a snapshot answer to another org's peer holds.
    public static let crossOrganizationSnapshotLimit = 16

    /// `channels`: the channels this peer is in; `channelOrganizations`: each channel's member
    /// orgs; election `mode` from its settings; `heights`: each channel's ledger height at start
    /// (a restart continues from its ledger).
    public init(configuration: MembershipConfiguration, channels: [String], channelOrganizations: [String: Set<String>] = [:],
                mode: LeaderElection.Mode, incarnation: UInt64, heights: [String: UInt64] = [:]) {
        membership = Membership(configuration: configuration, incarnation: incarnation)
        self.channelOrganizations = channelOrganizations
        resolver = ChannelMACResolver(channels: channels)
        elections = [:]
        blocks = [:]
        states = [:]
        transfers = [:]
        self.mode = mode
        self.incarnation = incarnation
        for channel in channels { addChannel(channel, height: heights[channel] ?? 0) }
    }

    let mode: LeaderElection.Mode
    let incarnation: UInt64

    private mutating func addChannel(_ channel: String, height: UInt64) {
        var election = LeaderElection(pkiID: configuration.pkiID, mode: mode, settings: configuration.settings, incarnation: incarnation)
        _ = election.handle(.height(height), now: .zero)
        elections[channel] = election
        blocks[channel] = BlockDissemination(settings: configuration.settings, height: height)
        states[channel] = ChannelStateInfo(channel: channel, pkiID: configuration.pkiID, incarnation: incarnation, height: height)
        transfers[channel] = StateTransfer(settings: configuration.settings.state, pullWindow: configuration.settings.maxBlockCountToStore)
    }

    /// Joins `channel` (of `organizations`) at ledger `height` while running: the channel's
    /// election, push, pull, state info and state transfer start now (or with `.start` if the
    /// peer has not started). It sends its own org's known peers its state info and asks for
    /// theirs, and introduces itself to one peer of each other org (`introduce`). Joining a channel the
    /// peer is in changes nothing.
    public mutating func join(channel: String, organizations: Set<String>, height: UInt64, now: GossipTime,
                              random: inout some RandomNumberGenerator) -> [Effect] {
        guard elections[channel] == nil else { return [] }
        channelOrganizations[channel] = organizations
        resolver = ChannelMACResolver(channels: channels + [channel])
        addChannel(channel, height: height)
        viewsDirty = true
        guard started else { return [] }
        var effects = startChannel(channel, now: now, random: &random)
        // Own-org members already known are sent this peer's state info and asked for theirs in
        // the new channel: all of them under Fabric's membership, the ring neighbours under SWIM
        // (snapshot pulls bring the rest without a connection to each). Both ways: a member that
        // joined a moment before had asked this peer while it was not yet in the channel (the
        // request was dropped), and would otherwise learn of it only at the next publish or
        // pull, half a second on: in 5 of 12 restarts of the 4-peer network the leader-to-be
        // waited that long for its first view.
        let ownOrg = membership.aliveMembers.filter { $0.alive.mspID == configuration.mspID }.map(\.alive.pkiID)
        let asked = preferringNeighbours(ownOrg) { _ in true }
        let state = states[channel]!
        for id in asked {
            guard let member = membership.members[id] else { continue }
            let destination = membership.destination(of: member.alive)
            effects.append(.send(.channel(state.ownMAC, .stateInfo(state.own)), to: destination))
            effects.append(.send(.channel(state.ownMAC, .stateInfoRequest(digest: nil)), to: destination))
        }
        return effects + introduce(channel, random: &random)
    }

    private mutating func startChannel(_ channel: String, now: GossipTime, random: inout some RandomNumberGenerator) -> [Effect] {
        var effects = elect(channel, .start, now: now)
        effects.append(.schedule(.pull(channel: channel), at: now + settings.pullInterval))
        effects.append(.schedule(.publishStateInfo(channel: channel), at: now + settings.publishStateInfoInterval))
        // Under SWIM the first state-info pull comes at a random phase, as the membership pull.
        let phase = settings.membership == .swim ? Double.random(in: 0.5..<1.5, using: &random) : 1
        effects.append(.schedule(.pullStateInfo(channel: channel), at: now + settings.requestStateInfoInterval * phase))
        effects += transfer(channel, transfers[channel]!.start(now: now))
        return effects
    }

    public var configuration: MembershipConfiguration { membership.configuration }
    var settings: GossipSettings { configuration.settings }
    public var channels: [String] { resolver.channels }

    /// The confirmed ledger height of `channel`: the next block the ledger expects (blocks in
    /// flight, handed out by `commit` and not yet confirmed, do not count).
    public func height(of channel: String) -> UInt64? { blocks[channel]?.height }

    /// The next block of `channel` to hand out for commit: the confirmed height plus the blocks in flight.
    public func nextToCommit(of channel: String) -> UInt64? { blocks[channel]?.issued }

    /// The halted channels, each with why (a commit failed).
    public func haltedChannels() -> [String: String] {
        var halted: [String: String] = [:]
        for (channel, flow) in blocks { if let reason = flow.haltReason { halted[channel] = reason } }
        return halted
    }

    /// Own-org peers of `channel` this peer currently sees (leadership, push and pull go to them).
    public func orgPeers(of channel: String) -> Set<PKIID> { Set(currentOrgPeers(of: channel).ids) }

    /// Alive own-org members whose state info for `channel` arrived, with their endpoints.
    func currentOrgPeers(of channel: String) -> EndpointDirectory {
        var peers: [AliveMessage] = []
        for id in states[channel]?.ownOrgPeerIDs ?? [] {
            guard let index = membership.members.index(forKey: id), membership.members.isAlive(at: index) else { continue }
            peers.append(membership.members.alive(at: index))
        }
        return EndpointDirectory(peers)
    }

    public mutating func handle(_ event: Event, now: GossipTime, random: inout some RandomNumberGenerator) -> [Effect] {
        dispatch(event, now: now, random: &random)
    }

    private mutating func dispatch(_ event: Event, now: GossipTime, random: inout some RandomNumberGenerator) -> [Effect] {
        switch event {
        case .start:
            started = true
            var effects = lift(membership.handle(.start, now: now, random: &random), now: now, random: &random)
            for channel in channels { effects += startChannel(channel, now: now, random: &random) }
            return effects
        case .timer(.membership(let timer)):
            return lift(membership.handle(.timer(timer), now: now, random: &random), now: now, random: &random)
        case let .timer(.election(channel, timer)):
            return elect(channel, .timer(timer), now: now)
        case .timer(.emit(let channel)):
            return disseminate(channel, .emitTimer, now: now, random: &random)
        case .timer(.pull(let channel)):
            refreshViewsIfNeeded(now: now)
            if let state = states[channel] {
                let heights = (orgChannelPeers[channel]?.ids ?? []).compactMap { state.height(of: $0) }
                blocks[channel]?.setKnownOrgHeight(heights.max() ?? 0)
            }
            return disseminate(channel, .pullTimer, now: now, random: &random)
        case .timer(.gap(let channel)):
            return disseminate(channel, .gapTimer, now: now, random: &random)
        case let .timer(.digestWait(channel, nonce)):
            return disseminate(channel, .digestWaitOver(nonce: nonce), now: now, random: &random)
        case .timer(.publishStateInfo(let channel)):
            return publishStateInfo(channel, now: now, random: &random)
        case .timer(.pullStateInfo(let channel)):
            return pullStateInfo(channel, now: now, random: &random)
        case .timer(.stateCheck(let channel)):
            return checkState(channel, now: now, random: &random)
        case let .timer(.stateTimeout(channel, nonce)):
            return stateTimedOut(channel, nonce: nonce, now: now, random: &random)
        case let .blockFromOrderer(channel, block):
            return disseminate(channel, .fromOrderer(block), now: now, random: &random)
        case let .committed(channel, number):
            return disseminate(channel, .committed(number), now: now, random: &random)
        case let .commitFailed(channel, number, reason):
            return disseminate(channel, .commitFailed(number, reason: reason), now: now, random: &random)
        case let .received(message, via):
            // The sender opened the connection: it is up. Said first, so what this message
            // makes the core send to it goes on a fresh dial, not a stale one.
            let back: [Effect] = via == nil ? [.peerIsBack(message.signer.pkiID)] : []
            switch message.value {
            case .membership(let inner):
                return back + lift(membership.handle(.received(message.map { _ in inner }, via: via), now: now, random: &random), now: now, random: &random)
            case let .channel(mac, inner):
                return back + receive(inner, channelMAC: mac, signer: message.signer, now: now, random: &random)
            }
        }
    }

    /// Membership effects. A member of the own org coming alive is asked for its state info in
    /// each channel (it answers only if it is in the channel), so channel views fill at once,
    /// and, when it is known to be in the channel (its state info is here, e.g. from before a
    /// restart), is sent this peer's own: a restarted peer learns the heights it is behind
    /// without waiting for its next state-info pull.
    private mutating func lift(_ effects: [Membership.Effect], now: GossipTime, random: inout some RandomNumberGenerator) -> [Effect] {
        var result: [Effect] = []
        for effect in effects {
            switch effect {
            case let .send(message, destination): result.append(.send(.membership(message), to: destination))
            case let .schedule(timer, time): result.append(.schedule(.membership(timer), at: time))
            case .log(let line): result.append(.log(line))
            case let .memberAlive(id, mspID):
                guard mspID == configuration.mspID else { continue }
                viewsDirty = true
                guard let member = membership.members[id] else { continue }
                // Under SWIM only ring neighbours are asked (a bounded set of connections; a
                // restart of 100 peers asked each other all at once); snapshots bring the rest.
                if let neighbourhood = membership.neighbourhood(), !neighbourhood.contains(id) { continue }
                for channel in channels {
                    guard let state = states[channel] else { continue }
                    let destination = membership.destination(of: member.alive)
                    result.append(.send(.channel(state.ownMAC, .stateInfoRequest(digest: nil)), to: destination))
                    if state.infos[id] != nil { result.append(.send(.channel(state.ownMAC, .stateInfo(state.own)), to: destination)) }
                }
            case .memberDead(_, let mspID), .memberMoved(_, let mspID):
                if mspID == configuration.mspID { viewsDirty = true }
            case .memberPurged(let id, _):
                for channel in channels {
                    states[channel]?.forget(id)
                }
                viewsDirty = true
            }
        }
        return result
    }

    /// Recomputes each channel's own-org peers and hands them to its election and block flow.
    /// Lazy: membership and state info only mark the views dirty; the parts that use them
    /// (`elect`, `disseminate`) refresh first, so a burst of arrivals costs one recomputation.
    private mutating func refreshViewsIfNeeded(now: GossipTime) {
        guard viewsDirty else { return }
        viewsDirty = false
        let neighbourhood = membership.neighbourhood()
        var members: [AliveMessage] = []
        for index in membership.members.indices where membership.members.isAlive(at: index) {
            let alive = membership.members.alive(at: index)
            if alive.mspID == configuration.mspID { members.append(alive) }
        }
        for channel in channels {
            let peers = currentOrgPeers(of: channel)
            blocks[channel]?.setPreferredPeers(neighbourhood)
            // Only the members the org view lacks: the flow looks there after the org view, and
            // both lists held the same peers once the channel's state infos were in.
            let withoutStateInfo = EndpointDirectory(members.lazy.filter { peers[$0.pkiID] == nil })
            blocks[channel]?.setOrgMembers(withoutStateInfo)
            orgMembersWithoutStateInfo[channel] = withoutStateInfo
            guard peers != orgChannelPeers[channel] else { continue }
            orgChannelPeers[channel] = peers
            _ = elections[channel]?.handle(.view(Set(peers.ids)), now: now)
            blocks[channel]?.setOrgPeers(peers)
        }
    }

    /// The orgs of `channel`.
    func organizations(of channel: String) -> Set<String> {
        channelOrganizations[channel] ?? configuration.organizationsSharingAChannel
    }

    func isMember(org: String, of channel: String) -> Bool { organizations(of: channel).contains(org) }

    mutating func disseminate(_ channel: String, _ event: BlockDissemination.Event, now: GossipTime,
                              random: inout some RandomNumberGenerator) -> [Effect] {
        refreshViewsIfNeeded(now: now)
        guard blocks[channel] != nil, let mac = states[channel]?.ownMAC else {
            return [.log("\(channel): \(event.summary) for a channel this peer is not in; dropped")]
        }
        // Taken out while it changes, so its block store is not copied on every event.
        var flow = blocks.removeValue(forKey: channel)!
        let effects = flow.handle(event, now: now, random: &random)
        blocks[channel] = flow
        var result: [Effect] = []
        result.reserveCapacity(effects.count)
        if case .pullTimer = event { result += prepareTree(channel, now: now, all: true) }
        for effect in effects {
            switch effect {
            case let .push(block, relay, peer, endpoint): result.append(.send(.channel(mac, .block(block, relay: relay)), to: .peer(peer, endpoint)))
            case .commit(let block):
                result.append(.commit(channel: channel, block))
            case .confirmed(let height):
                // Only a written block counts: the election ranks and the state info publishes it.
                _ = elections[channel]?.handle(.height(height), now: now)
                states[channel]?.setHeight(height)
            case .halted(let reason):
                result.append(.channelHalted(channel: channel, reason: reason))
                result += leaveElection(channel)
            case .log(let line):
                result.append(.log("\(channel): \(line)"))
            case .scheduleEmit(let time): result.append(.schedule(.emit(channel: channel), at: time))
            case let .sendPull(message, peer, endpoint): result.append(.send(.channel(mac, .pull(message)), to: .peer(peer, endpoint)))
            case .schedulePull(let time): result.append(.schedule(.pull(channel: channel), at: time))
            case let .scheduleDigestWait(nonce, time): result.append(.schedule(.digestWait(channel: channel, nonce: nonce), at: time))
            case .scheduleGap(let time): result.append(.schedule(.gap(channel: channel), at: time))
            }
        }
        return result
    }

    /// A halted channel can commit nothing, so it must not lead its org: its election turns
    /// standby (never proposes, declares or follows) and stops pulling if it led; its org
    /// mates, hearing no declaration, elect another leader.
    private mutating func leaveElection(_ channel: String) -> [Effect] {
        guard let election = elections[channel], election.mode != .standby else { return [] }
        stateInfoAskedByLeader[channel] = nil
        elections[channel] = LeaderElection(pkiID: configuration.pkiID, mode: .standby, settings: settings, incarnation: incarnation)
        return election.isLeader ? [.stopPulling(channel: channel), .log("\(channel): halted: no longer a leader candidate")] : []
    }

    /// `connect` effects for the tree-push neighbours of `channel` under its current leader
    /// (`BlockDissemination.treeNeighbours`), once this peer has known that leader for half
    /// `leaderAliveThreshold` (one declaration interval): while a big org starts, leaders change
    /// dozens of times in a few seconds, and dialling each one's tree would cost a TLS handshake
    /// per edge each time. The first election event after that gives them; a pull timer
    /// (`all`) gives every one again (the view may have changed), as a dial can fail, be cut or the connection close later
    /// (the shell's `connect` does nothing for a connection that exists or is being dialled).
    /// Nothing when `prepareConnections` is off or no leader is known.
    mutating func prepareTree(_ channel: String, now: GossipTime, all: Bool = false) -> [Effect] {
        guard prepareConnections, let leader = elections[channel]?.leader else {
            treeLeaders[channel] = nil
            return []
        }
        guard let seen = treeLeaders[channel], seen.leader == leader else {
            treeLeaders[channel] = (leader, now)
            preparedNeighbours[channel] = nil
            return []
        }
        // An election event computes the tree once per leader; pull timers keep it current.
        guard all || preparedNeighbours[channel] == nil else { return [] }
        guard now - seen.since >= settings.election.leaderAliveThreshold / 2, var flow = blocks.removeValue(forKey: channel) else { return [] }
        let neighbours = flow.treeNeighbours(of: configuration.pkiID, leader: leader)
        blocks[channel] = flow
        let ids = Set(neighbours.map(\.peer))
        let known = preparedNeighbours[channel] ?? []
        preparedNeighbours[channel] = ids
        return neighbours.filter { all || !known.contains($0.peer) }.map { .connect(.peer($0.peer, $0.endpoint)) }
    }

    /// A leader's declarations go only to org peers whose state info shows them in the channel
    /// (as Fabric's: nothing of a channel reaches a peer outside it). With each periodic
    /// declaration once it has led for `leaderAliveThreshold` (see
    /// `LeaderElection.Effect.askForMissingPeers`) it asks the live org members whose state info
    /// it lacks for it (a request carries nothing of the channel; only a member of the channel
    /// answers), at most `stateInfoAsksPerDeclaration` at a time, so its view of the channel
    /// fills about as soon as its membership does. A member that does not answer (it is not in
    /// the channel) is asked again after `reconnectInterval`, then after twice as long each time,
    /// up to `stateInfoAskBackoff` × `reconnectInterval`. Snapshots from ring neighbours alone
    /// took 2 s longer at 2,000 simulated peers: followers the leader did not count heard none of
    /// its declarations, elected themselves and pushed the first blocks again (778 leader
    /// changes; a tenth of all block copies were duplicates).
    private mutating func askForMissingStateInfo(_ channel: String, mac: ChannelMAC, now: GossipTime) -> [Effect] {
        guard let lacking = orgMembersWithoutStateInfo[channel], !lacking.isEmpty else {
            stateInfoAskedByLeader[channel] = nil
            return []
        }
        var asked = stateInfoAskedByLeader[channel] ?? [:]
        var effects: [Effect] = []
        for (id, endpoint) in lacking.pairs where effects.count < Self.stateInfoAsksPerDeclaration {
            if let last = asked[id], now < last.due { continue }
            let wait = asked[id].map { min($0.wait * 2, settings.reconnectInterval * Self.stateInfoAskBackoff) } ?? settings.reconnectInterval
            asked[id] = (now + wait, wait)
            effects.append(.send(.channel(mac, .stateInfoRequest(digest: nil)), to: .peer(id, endpoint)))
        }
        let current = Set(lacking.ids)
        stateInfoAskedByLeader[channel] = asked.filter { current.contains($0.key) }
        return effects
    }

    mutating func elect(_ channel: String, _ event: LeaderElection.Event, now: GossipTime) -> [Effect] {
        refreshViewsIfNeeded(now: now)
        guard var election = elections[channel], let mac = states[channel]?.ownMAC else { return [] }
        var introductions: [Effect] = []
        if election.awaitsOutrankers {
            _ = election.handle(.unconfirmed(Set(orgMembersWithoutStateInfo[channel]?.ids ?? [])), now: now)
            introductions = introduceToOutrankers(channel)
        }
        let effects = election.handle(event, now: now)
        elections[channel] = election
        if !election.awaitsOutrankers { outrankersIntroduced[channel] = nil }
        if !election.isLeader { stateInfoAskedByLeader[channel] = nil }
        let prepared = prepareTree(channel, now: now)
        return introductions + prepared + effects.flatMap { effect -> [Effect] in
            switch effect {
            case .broadcast(let message):
                return (orgChannelPeers[channel] ?? [:]).pairs.map { Effect.send(.channel(mac, .leadership(message)), to: .peer($0.0, $0.1)) }
            case .askForMissingPeers:
                return askForMissingStateInfo(channel, mac: mac, now: now)
            case let .reply(message, id):
                guard let endpoint = orgChannelPeers[channel]?[id] ?? membership.members[id].map({ membership.destination(of: $0.alive).endpoint }) else { return [] }
                return [.send(.channel(mac, .leadership(message)), to: .peer(id, endpoint))]
            case let .schedule(timer, time): return [.schedule(.election(channel: channel, timer), at: time)]
            case .startPulling: return [.startPulling(channel: channel)]
            case .stopPulling: return [.stopPulling(channel: channel)]
            case .log(let line): return [.log("\(channel): \(line)")]
            }
        }
    }
}
