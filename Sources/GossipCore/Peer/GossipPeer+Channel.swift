import FabnetModel

/// Channel traffic: state info (heights) and state transfer, and the checks every channel
/// message passes before it reaches a part.
extension GossipPeer {
    mutating func receive(_ message: ChannelMessage, channelMAC: ChannelMAC, signer: VerifiedSigner, now: GossipTime,
                          random: inout some RandomNumberGenerator) -> [Effect] {
        guard let channel = resolver.channel(for: channelMAC, sender: signer.pkiID) else {
            // Not a channel of ours: we learn nothing and answer nothing; the shell counts it.
            return [.dropped("a channel message from \(signer.mspID) \(signer.pkiID) for a channel this peer is not in, dropped")]
        }
        guard isMember(org: signer.mspID, of: channel) else {
            return [.dropped("\(channel): message from \(signer.mspID), which is not a member of the channel, dropped")]
        }
        let ownOrg = signer.mspID == configuration.mspID
        switch message {
        case .leadership(let inner):
            guard ownOrg, signer.pkiID == inner.pkiID else {
                return [.dropped("\(channel): leadership message from \(signer.mspID) \(signer.pkiID) dropped")]
            }
            return elect(channel, .received(inner), now: now)
        case let .block(block, relay):
            guard ownOrg else { return [.dropped("\(channel): block \(block.number) from another org (\(signer.mspID)) dropped")] }
            return disseminate(channel, .received(block, from: signer.pkiID, relay: relay), now: now, random: &random)
        case .pull(let inner):
            guard ownOrg else { return [.dropped("\(channel): pull message from another org (\(signer.mspID)) dropped")] }
            return disseminate(channel, .pull(inner, from: signer.pkiID), now: now, random: &random)
        case .stateInfo(let info):
            guard info.pkiID == signer.pkiID, info.channelMAC == channelMAC else {
                return [.dropped("\(channel): state info of \(info.pkiID) sent as its own by \(signer.pkiID) dropped")]
            }
            record(info, org: signer.mspID, in: channel)
            return relayFirstOfOrganizations([info], in: channel, random: &random) + heardHeights(channel, now: now, random: &random)
        case .stateInfoSnapshot(let infos):
            // Each entry: news, from a live member of an org in the channel, for this channel.
            let organizations = organizations(of: channel)
            // The channel's state is taken out for the loop (one lookup per snapshot, not per entry).
            guard var state = states.removeValue(forKey: channel) else { return [] }
            var newOwnOrgPeers = false
            var foreignNews: [StateInfo] = []
            for info in infos where state.isNewer(info) {
                guard let org = membership.liveOrg(of: info.pkiID), organizations.contains(org),
                      resolver.channel(for: info.channelMAC, sender: info.pkiID) == channel else { continue }
                let (isNewer, isNewPeer) = state.record(info, ownOrg: org == configuration.mspID)
                newOwnOrgPeers = newOwnOrgPeers || (isNewPeer && org == configuration.mspID)
                if isNewPeer, org == configuration.mspID { viewsDirty = true }
                // Any news of an org not relayed yet (not only a new peer): a peer that knew no
                // own-org channel peer when the org's first state info came relays a later one.
                if isNewer, org != configuration.mspID, relayedOrganizations[channel]?.contains(org) != true { foreignNews.append(info) }
            }
            states[channel] = state
            var effects = relayFirstOfOrganizations(foreignNews, in: channel, random: &random)
            effects += heardHeights(channel, now: now, random: &random)
            // SWIM asks only ring neighbours when members come alive; while snapshots bring own-org
            // peers new to the channel view (a start, a restart), the next one is asked at once
            // instead of at the next interval. Newer heights alone do not: they change with every
            // block, and a chain on them never ends (measured: 64 peers saturated 2 cores).
            if newOwnOrgPeers, membership.neighbourhood() != nil { effects += requestSnapshot(channel, random: &random) }
            return effects
        case .stateInfoHeights(let claims):
            // Only from a channel peer (its signed state info is here), about peers of its own
            // org (it vouches for its org's heights).
            guard states[channel]?.infos[signer.pkiID] != nil else { return [] }
            // Taken out while changed: a copy left in `states` made every claim copy the table.
            var state = states.removeValue(forKey: channel)!
            let membership = self.membership
            var recorded = false
            for claim in claims where state.record(claim, where: { membership.liveOrg(of: $0) == signer.mspID }) != nil { recorded = true }
            states[channel] = state
            return recorded ? heardHeights(channel, now: now, random: &random) : []
        case let .stateInfoRequest(digest, known):
            return answerStateInfoRequest(channel, from: signer, digest: digest, known: known)
        case let .stateRequest(nonce, first, count):
            return serve(channel, nonce: nonce, first: first, count: count, to: signer)
        case let .stateResponse(nonce, blocks):
            return stateResponse(channel, nonce: nonce, blocks: blocks, from: signer.pkiID, now: now, random: &random)
        }
    }

    /// The state response to send for a `serveBlocks` effect (and for requests the recent window
    /// answers): blocks `numbers` read in order with `read` until one cannot be read or the next
    /// would take the bytes above `maximumBytes` (the first block always goes, whatever its
    /// size: the requester asks again from where the answer ended). Nil when the channel is
    /// unknown or not even the first block could be read: then nothing is sent, and the
    /// requester's timeout makes it ask another peer.
    public func stateResponse(channel: String, nonce: UInt64, numbers: Range<UInt64>,
                              maximumBytes: Int = GossipPeer.maximumStateResponseBytes,
                              read: (UInt64) -> GossipBlock?) -> GossipMessage? {
        guard let mac = states[channel]?.ownMAC else { return nil }
        let blocks = Self.servedBlocks(numbers, maximumBytes: maximumBytes, read: read)
        guard !blocks.isEmpty else { return nil }
        return .channel(mac, .stateResponse(nonce: nonce, blocks: blocks))
    }

    /// The blocks of one state response (see `stateResponse`).
    static func servedBlocks(_ numbers: Range<UInt64>, maximumBytes: Int, read: (UInt64) -> GossipBlock?) -> [GossipBlock] {
        var blocks: [GossipBlock] = []
        var bytes = 0
        for number in numbers {
            guard let block = read(number), block.number == number else { break }
            guard blocks.isEmpty || bytes + block.data.count <= maximumBytes else { break }
            blocks.append(block)
            bytes += block.data.count
        }
        return blocks
    }

    /// The reachable channel peers of any org with their heights (state transfer sources).
    public func channelPeerHeights(_ channel: String) -> [PKIID: UInt64] {
        guard let state = states[channel] else { return [:] }
        var heights: [PKIID: UInt64] = [:]
        for id in state.infos.keys {
            guard let member = membership.members[id], member.isAlive, membership.isReachable(member.alive),
                  isMember(org: member.alive.mspID, of: channel) else { continue }
            heights[id] = state.height(of: id)
        }
        return heights
    }

    // MARK: state info

    /// Records `info` of a peer of `org`; a new own-org channel peer joins the channel's org view.
    private mutating func record(_ info: StateInfo, org: String, in channel: String) {
        let ownOrg = org == configuration.mspID
        guard let (_, isNewPeer) = states[channel]?.record(info, ownOrg: ownOrg), isNewPeer, ownOrg else { return }
        viewsDirty = true
    }

    /// The first state info this peer holds of another org's peer in `channel` is relayed (as a
    /// one-entry snapshot) to `propagatePeerNum` own-org channel peers, once per org and channel.
    /// A peer's gateway plans endorsements only with orgs whose heights it knows, and state info
    /// is otherwise pulled from one peer per interval: at 100 peers the last gateways waited
    /// about 3 s (seven pull rounds) to hear of the other org after the channel was joined. The
    /// relay spreads the first such height through the org in a few hops, at most
    /// `propagatePeerNum` messages per peer for each other org. `infos`: newly recorded state
    /// infos of other orgs' peers. An org counts as relayed once the relay reached a peer.
    mutating func relayFirstOfOrganizations(_ infos: [StateInfo], in channel: String,
                                            random: inout some RandomNumberGenerator) -> [Effect] {
        var effects: [Effect] = []
        for info in infos {
            // As snapshot answers: another org's peer only with an external endpoint.
            guard let member = membership.members[info.pkiID], member.isAlive, member.alive.externalEndpoint != nil,
                  case let org = member.alive.mspID, org != configuration.mspID,
                  relayedOrganizations[channel]?.contains(org) != true, let mac = states[channel]?.ownMAC else { continue }
            let membership = self.membership
            let reachable = { (member: Membership.Member) in member.isAlive && membership.isReachable(member.alive) }
            let ownOrg = preferringNeighbours(states[channel]?.ownOrgPeerIDs ?? [], where: reachable)
            let targets = draw(settings.propagatePeerNum, from: ownOrg, random: &random, where: reachable)
            // Relayed once it reached someone: a peer that knows no own-org channel peer yet
            // relays the next such state info instead.
            guard !targets.isEmpty else { continue }
            relayedOrganizations[channel, default: []].insert(org)
            for member in targets {
                effects.append(.send(.channel(mac, .stateInfoSnapshot([info])), to: membership.destination(of: member.alive)))
            }
        }
        return effects
    }

    /// On joining `channel`: one reachable peer of each other org of the channel (a ring
    /// neighbour under SWIM when one qualifies) is sent this peer's state info and asked for its
    /// own. A peer of an org whose peers joined earlier learns of this org at once and relays it
    /// to its org (`relayFirstOfOrganizations`); one that has not joined yet drops both, and
    /// the periodic pulls carry the heights later.
    mutating func introduce(_ channel: String, random: inout some RandomNumberGenerator) -> [Effect] {
        guard let state = states[channel] else { return [] }
        var effects: [Effect] = []
        let membership = self.membership
        let reachable = membership.reachableAliveIDs()
        for org in organizations(of: channel).sorted() where org != configuration.mspID {
            let inOrg = { (member: Membership.Member) in member.isAlive && member.alive.mspID == org && membership.isReachable(member.alive) }
            let candidates = preferringNeighbours(reachable.filter { membership.members[$0].map(inOrg) == true }, where: inOrg)
            guard let member = draw(1, from: candidates, random: &random, where: inOrg).first else { continue }
            let destination = membership.destination(of: member.alive)
            effects.append(.send(.channel(state.ownMAC, .stateInfo(state.own)), to: destination))
            effects.append(.send(.channel(state.ownMAC, .stateInfoRequest(digest: nil)), to: destination))
        }
        return effects
    }

    /// Answers a snapshot request with the heights of this peer's own org: an own-org requester
    /// gets every own-org state info it lacks (`known`), a requester of another org this peer's
    /// own and at most `crossOrganizationSnapshotLimit` − 1 more of its org's peers (those with
    /// an external endpoint, the first with news in the order this peer learned them). Each
    /// org's heights thus come from its own peers, and an answer to another org costs O(1)
    /// however big the org. An own-org requester without an external endpoint cannot pull from
    /// other orgs: it also gets, signed, up to that limit of each other org's peers this peer
    /// holds newer than it does.
    private func answerStateInfoRequest(_ channel: String, from signer: VerifiedSigner, digest: UInt64?, known: KnownVersions) -> [Effect] {
        // A known member counts even while it is still dead here: a restarted peer's request can
        // arrive before its new alive message (the request itself is signed by it).
        guard let state = states[channel], let requester = membership.members[signer.pkiID] else { return [] }
        let destination = membership.destination(of: requester.alive)
        guard let digest else { return [.send(.channel(state.ownMAC, .stateInfo(state.own)), to: destination)] }
        guard digest != state.digest else { return [] }
        let ownOrg = signer.mspID == configuration.mspID
        // Another org hears of this org's peers only when it is a partner and they are visible to it.
        guard ownOrg || configuration.sharing.partners(of: signer.mspID).contains(configuration.mspID) else { return [] }
        let limit = ownOrg ? Int.max : GossipPeer.crossOrganizationSnapshotLimit
        // Only what the requester lacks (at 100 peers a full snapshot was 57 KB, and snapshots
        // were most of the bytes a network received while it started), and as a 20-byte claim
        // where the requester holds the peer's signed state info of the same incarnation.
        var infos: [StateInfo] = [], claims: [HeightClaim] = []
        var told = 0
        func tell(_ id: PKIID) {
            let (info, claim) = state.news(of: id, for: known)
            if let info { infos.append(info) }
            if let claim { claims.append(claim) }
            if info != nil || claim != nil { told += 1 }
        }
        tell(state.own.pkiID)
        // In the order own-org peers' state infos came, but for forgotten peers' places (receivers
        // record new peers in that order).
        for id in state.ownOrgPeerIDs where id != signer.pkiID && told < limit {
            guard let member = membership.members[id], member.isAlive, ownOrg || member.alive.externalEndpoint != nil else { continue }
            tell(id)
        }
        if ownOrg, requester.alive.externalEndpoint == nil {
            var perOrganization: [String: Int] = [:]
            for id in state.peerIDs where id != signer.pkiID {
                guard let member = membership.members[id], member.isAlive, case let org = member.alive.mspID, org != configuration.mspID,
                      member.alive.externalEndpoint != nil, isMember(org: org, of: channel),
                      perOrganization[org, default: 0] < GossipPeer.crossOrganizationSnapshotLimit,
                      let info = state.infos[id], !known.knows(info) else { continue }
                perOrganization[org, default: 0] += 1
                infos.append(info)
            }
        }
        var effects: [Effect] = []
        if !infos.isEmpty { effects.append(.send(.channel(state.ownMAC, .stateInfoSnapshot(infos)), to: destination)) }
        if !claims.isEmpty { effects.append(.send(.channel(state.ownMAC, .stateInfoHeights(claims)), to: destination)) }
        return effects
    }

    /// Publishes a changed height: a new state info (so digests differ and snapshot pulls carry
    /// it), pushed to `propagatePeerNum` random reachable own-org channel peers (receivers do not
    /// forward it: the periodic pulls spread it through the org, and other orgs pull it from
    /// this org's peers).
    mutating func publishStateInfo(_ channel: String, now: GossipTime, random: inout some RandomNumberGenerator) -> [Effect] {
        var effects: [Effect] = [.schedule(.publishStateInfo(channel: channel), at: now + settings.publishStateInfoInterval)]
        guard let info = states[channel]?.publishIfChanged() else { return effects }
        for member in randomChannelPeers(channel, count: settings.propagatePeerNum, organization: configuration.mspID,
                                         preferNeighbours: true, random: &random) {
            effects.append(.send(.channel(info.channelMAC, .stateInfo(info)), to: membership.destination(of: member.alive)))
        }
        return effects
    }

    /// Every `requestStateInfoInterval` (see below): one snapshot request to a peer of the own org, and one
    /// to a peer of another org of the channel, the orgs taken in turn (`requestCrossOrganizationSnapshot`).
    /// Fabric asks `pullPeerNum` peers of any org; each snapshot here holds what its responder
    /// knows of its own org, which keeps a peer's state-info traffic O(own org) per interval
    /// (the org's changed heights) plus O(1) for another org, not O(channel).
    /// Own-org requests go to ring neighbours (under SWIM), whose connections exist. Pulling from
    /// any own-org channel peer while a view grows filled big simulated views sooner, but in a
    /// real 100-peer start the new connections (a TLS handshake each, on a machine that is
    /// CPU-bound while it starts) made `up`'s convergence 2–4 s slower.
    /// Under SWIM a tick pulls only when something changed or the slowed pace says so
    /// (`StateInfoPullPace`).
    mutating func pullStateInfo(_ channel: String, now: GossipTime, random: inout some RandomNumberGenerator) -> [Effect] {
        let tick: [Effect] = [.schedule(.pullStateInfo(channel: channel), at: now + settings.requestStateInfoInterval)]
        if settings.membership == .swim, let digest = states[channel]?.digest,
           !stateInfoPullPaces[channel, default: StateInfoPullPace()].shouldPull(digest: digest) {
            return tick
        }
        return tick + requestSnapshot(channel, random: &random) + requestCrossOrganizationSnapshot(channel, random: &random)
    }

    /// A snapshot request with this peer's digest and the own-org state infos it holds, to one
    /// reachable own-org member (a ring neighbour under SWIM when one qualifies; one not in the
    /// channel ignores it).
    mutating func requestSnapshot(_ channel: String, random: inout some RandomNumberGenerator) -> [Effect] {
        requestSnapshot(channel, from: configuration.mspID, random: &random)
    }

    /// A snapshot request to a reachable peer of another org of the channel: the orgs in turn,
    /// one per call; but while this peer holds no state info of some orgs, one to each of those
    /// at once (in a 4-org start, taking them in turn left a gateway up to three intervals
    /// without an org to plan endorsements with). Only a peer with an external endpoint asks
    /// (another org's peers answer only such a peer). Its answer holds at most
    /// `crossOrganizationSnapshotLimit` of that org's heights, so a gateway knows current
    /// heights of some peers of every org.
    mutating func requestCrossOrganizationSnapshot(_ channel: String, random: inout some RandomNumberGenerator) -> [Effect] {
        guard configuration.externalEndpoint != nil, let state = states[channel] else { return [] }
        let others = organizations(of: channel).filter { $0 != configuration.mspID }.sorted()
        guard !others.isEmpty else { return [] }
        // Stops at the first state infos that cover every other org (a simulated peer of a
        // 2,000-peer network holds hundreds, mostly of its own org).
        var unheard = Set(others)
        for id in state.infos.keys {
            if let org = membership.liveOrg(of: id) { unheard.remove(org) }
            if unheard.isEmpty { break }
        }
        if !unheard.isEmpty {
            let asked = others.filter(unheard.contains).flatMap { requestSnapshot(channel, from: $0, random: &random) }
            if !asked.isEmpty { return asked }
        }
        let turn = crossOrganizationTurns[channel, default: 0]
        crossOrganizationTurns[channel] = turn &+ 1
        return requestSnapshot(channel, from: others[turn % others.count], random: &random)
    }

    /// A snapshot request to one reachable peer of `organization` (a ring neighbour under SWIM
    /// when one qualifies), with the state infos of that org this peer holds when the target is
    /// a known channel peer (what it holds is told only to a peer of the channel).
    private mutating func requestSnapshot(_ channel: String, from organization: String,
                                          random: inout some RandomNumberGenerator) -> [Effect] {
        guard let state = states[channel] else { return [] }
        let membership = self.membership
        let inOrganization = { (member: Membership.Member) in
            member.isAlive && member.alive.mspID == organization && membership.isReachable(member.alive)
        }
        let candidates = preferringNeighbours(Array(membership.reachableAliveIDs()), where: inOrganization)
        guard let member = draw(1, from: candidates, random: &random, where: inOrganization).first else { return [] }
        // A peer without an external endpoint hears of other orgs in its own org's answers
        // (`answerStateInfoRequest`): it names those versions too, or they would come every time.
        let ownOrg = organization == configuration.mspID
        let everyOrg = ownOrg && configuration.externalEndpoint == nil
        let known = state.infos[member.alive.pkiID] != nil
            ? state.versions(includingOwn: ownOrg) { everyOrg || membership.liveOrg(of: $0) == organization }
            : .none
        return [.send(.channel(state.ownMAC, .stateInfoRequest(digest: state.digest, known: known)), to: membership.destination(of: member.alive))]
    }

    /// Up to `count` distinct random channel peers (state info known) that are alive, reachable
    /// and of an org in the channel (of `organization` only, when given).
    /// With `preferNeighbours`, drawn among the ring neighbours when any qualifies (SWIM).
    mutating func randomChannelPeers(_ channel: String, count: Int, organization: String? = nil, preferNeighbours: Bool = false,
                                     random: inout some RandomNumberGenerator) -> [Membership.Member] {
        let organizations = organization.map { [$0] } ?? organizations(of: channel)
        let membership = self.membership
        let qualifies = { (member: Membership.Member) in
            member.isAlive && membership.isReachable(member.alive) && organizations.contains(member.alive.mspID)
        }
        let all = states[channel].map { Array($0.peerIDs) } ?? []
        return draw(count, from: preferNeighbours ? preferringNeighbours(all, where: qualifies) : all, random: &random, where: qualifies)
    }

    /// `candidates` narrowed to the membership's neighbourhood (SWIM's ring neighbours) when at
    /// least one of them passes `filter`; all of them otherwise, and always under Fabric's
    /// membership. Keeps the peers a peer talks to, and so its connections, bounded.
    mutating func preferringNeighbours(_ candidates: [PKIID], where filter: (Membership.Member) -> Bool) -> [PKIID] {
        guard let neighbourhood = membership.neighbourhood() else { return candidates }
        let near = candidates.filter { id in neighbourhood.contains(id) && membership.members[id].map(filter) == true }
        return near.isEmpty ? candidates : near
    }

    /// Up to `count` distinct members drawn at random from `candidates` that pass `filter`, with
    /// a bounded number of draws (cheap in big networks; may return fewer).
    func draw(_ count: Int, from candidates: [PKIID], random: inout some RandomNumberGenerator,
              where filter: (Membership.Member) -> Bool) -> [Membership.Member] {
        var chosen: [Membership.Member] = []
        var attempts = 0
        while chosen.count < count, attempts < count * 4, !candidates.isEmpty {
            attempts += 1
            let id = candidates[Int.random(in: 0..<candidates.count, using: &random)]
            guard !chosen.contains(where: { $0.alive.pkiID == id }), let member = membership.members[id], filter(member) else { continue }
            chosen.append(member)
        }
        return chosen
    }

    // MARK: state transfer

    /// Where state transfer asks from: the next block to commit (blocks in flight are not asked
    /// for again); nil for a channel this peer is not in or one that halted (it wants no blocks,
    /// so its state transfer stops).
    func transferStart(_ channel: String) -> UInt64? {
        guard let flow = blocks[channel], flow.haltReason == nil else { return nil }
        return flow.issued
    }

    mutating func checkState(_ channel: String, now: GossipTime, random: inout some RandomNumberGenerator) -> [Effect] {
        guard var machine = transfers[channel], let height = transferStart(channel) else { return [] }
        let highest = states[channel]?.highestHeight ?? 0
        let effects = machine.check(height: height, highest: highest, sources: { channelPeerHeights(channel) }, now: now, random: &random)
        transfers[channel] = machine
        return transfer(channel, effects)
    }

    /// New heights arrived: a peer far behind starts state transfer without waiting for its check.
    private mutating func heardHeights(_ channel: String, now: GossipTime, random: inout some RandomNumberGenerator) -> [Effect] {
        guard var machine = transfers[channel], machine.inFlight == nil, let height = transferStart(channel) else { return [] }
        let highest = states[channel]?.highestHeight ?? 0
        let effects = machine.heard(height: height, highest: highest, sources: { channelPeerHeights(channel) }, now: now, random: &random)
        transfers[channel] = machine
        return transfer(channel, effects)
    }

    mutating func stateTimedOut(_ channel: String, nonce: UInt64, now: GossipTime, random: inout some RandomNumberGenerator) -> [Effect] {
        guard var machine = transfers[channel], let height = transferStart(channel) else { return [] }
        let effects = machine.timedOut(nonce: nonce, height: height, sources: channelPeerHeights(channel), now: now, random: &random)
        transfers[channel] = machine
        return transfer(channel, effects)
    }

    private mutating func stateResponse(_ channel: String, nonce: UInt64, blocks received: [GossipBlock], from peer: PKIID,
                                        now: GossipTime, random: inout some RandomNumberGenerator) -> [Effect] {
        guard var machine = transfers[channel], let request = machine.answered(nonce: nonce, by: peer) else {
            return []  // not the request in flight (late, foreign or unasked): ignored
        }
        let range = request.first..<(request.first + UInt64(request.count))
        let stored = disseminate(channel, .transferred(received.filter { range.contains($0.number) }), now: now, random: &random)
        transfers[channel] = machine
        // A halted channel (a commit failed, now or before): no next request.
        guard let height = transferStart(channel) else { return stored }
        // The next request goes out before this batch's commits: the serving peer reads the next
        // batch while this one is written. It starts after the blocks now in flight.
        let next = transfer(channel, machine.resume(height: height, sources: channelPeerHeights(channel), now: now, random: &random))
        transfers[channel] = machine
        return next + stored
    }

    /// Answers a state request from a channel peer with written blocks only (below the
    /// confirmed height): from the recent window when it holds the first one (capped as
    /// `stateResponse` caps), else the shell reads them from the ledger.
    private func serve(_ channel: String, nonce: UInt64, first: UInt64, count: Int, to signer: VerifiedSigner) -> [Effect] {
        guard let flow = blocks[channel], let requester = membership.members[signer.pkiID] else {
            return []  // dead members count too: see answerStateInfoRequest
        }
        let end = min(first + UInt64(max(0, min(count, settings.state.batchSize))), flow.height)
        guard first < end else { return [] }
        let destination = membership.destination(of: requester.alive)
        if flow.block(first) != nil,
           let message = stateResponse(channel: channel, nonce: nonce, numbers: first..<end, read: { flow.block($0) }) {
            return [.send(message, to: destination)]
        }
        return [.serveBlocks(channel: channel, numbers: first..<end, nonce: nonce, to: destination)]
    }

    mutating func transfer(_ channel: String, _ effects: [StateTransfer.Effect]) -> [Effect] {
        guard let mac = states[channel]?.ownMAC else { return [] }
        return effects.compactMap { effect in
            switch effect {
            case let .request(nonce, first, count, peer):
                guard let member = membership.members[peer] else { return nil }
                return .send(.channel(mac, .stateRequest(nonce: nonce, first: first, count: count)), to: membership.destination(of: member.alive))
            case let .scheduleTimeout(nonce, time): return .schedule(.stateTimeout(channel: channel, nonce: nonce), at: time)
            case .scheduleCheck(let time): return .schedule(.stateCheck(channel: channel), at: time)
            case .log(let line): return .log("\(channel): \(line)")
            }
        }
    }
}
