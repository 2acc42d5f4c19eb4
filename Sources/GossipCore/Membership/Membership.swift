import FabnetModel

/// Who is alive: Fabric's discovery as a pure state machine (`handle(event, now, random)` →
/// effects). No sockets, clocks or unseeded randomness; the shell (process or simulator) sends
/// the messages and fires the timers it asks for.
///
/// What it guarantees, and where it follows Fabric:
/// - Every `aliveTimeInterval` the peer makes a new alive message (same incarnation, next
///   sequence); a receiver that finds an alive message newer than what it knows forwards it
///   once. Stale messages (older incarnation or sequence) change nothing.
/// - Alive messages travel in batches (each still signed by its creator): every `forwardInterval`
///   (`aliveTimeInterval / 5`, at least `maxPropagationBurstLatency`) the peer sends what it has
///   to forward, its own heartbeat included, to `propagatePeerNum` random live members, never
///   back to a message's creator or to whom it came from. Fabric sends each alive message on its
///   own, N × fanout messages per interval for N peers; batching makes that fanout messages per
///   peer and interval, which is what lets the simulator run thousands of peers.
/// - A member not heard from for `aliveExpirationTimeout` is dead; dead members are probed every
///   `reconnectInterval` and purged after `msgExpirationFactor` × expiration, except bootstrap and
///   anchor peers, which are kept so the view can heal through them.
/// - Every `pullInterval` it asks `pullPeerNum` random live members for their view.
/// - At start it asks its bootstrap peers (own org only: another org's is refused with a log
///   line) and, if it has an external endpoint, the anchor peers of the orgs it shares a channel
///   with. Unreached bootstrap and anchor endpoints are retried every `reconnectInterval`.
/// - A membership request whose alive message is not the sender's own is not answered.
/// - What it tells another peer follows `Disclosure`.
public struct Membership: Sendable {
    public enum Event: Sendable {
        case start
        case timer(Timer)
        /// A message whose signature the shell checked; `via` is the endpoint we dialed when the
        /// connection was ours (to tell bootstrap answers apart).
        case received(Verified<MembershipMessage>, via: Endpoint?)
    }

    public enum Timer: Hashable, Sendable {
        case heartbeat, pull, reconnect, forward
        /// SWIM: the next probe is due; the direct ping of probe `nonce` timed out.
        case probe
        case probeTimeout(UInt64)
    }

    public enum Effect: Hashable, Sendable {
        case send(MembershipMessage, to: Destination)
        case schedule(Timer, at: GossipTime)
        case memberAlive(PKIID, mspID: String)
        case memberDead(PKIID, mspID: String)
        /// A live member's endpoints changed.
        case memberMoved(PKIID, mspID: String)
        /// A dead member was forgotten (after `msgExpirationFactor` × expiration): what other
        /// parts keep about it (its state infos) goes too.
        case memberPurged(PKIID, mspID: String)
        case log(String)
    }

    public let configuration: MembershipConfiguration
    public internal(set) var members = MemberTable()
    /// How many times this peer declared a member dead (the metric
    /// `fabnet_membership_declared_dead_total`; 0 in a healthy network).
    public internal(set) var declaredDead = 0
    /// SWIM: members this peer suspected itself (a probe and its indirect probes went
    /// unanswered), and times it refuted a suspicion of itself with a newer alive message
    /// (`fabnet_membership_suspicions_total`, `fabnet_membership_refutations_total`).
    public internal(set) var suspicionsRaised = 0
    public internal(set) var refutations = 0
    /// SWIM: stalls of this peer itself, seen as its own timers firing late
    /// (`fabnet_membership_stalls_total`; see `Membership+SwimStall.swift`).
    public internal(set) var stalls = 0
    /// The last time of purged members: an old copy of their alive message still travelling
    /// must not bring them back (only a newer one, i.e. a real return, does).
    var purged: [PKIID: PeerTime] = [:]
    private var digestCache: UInt64?
    /// This peer's alive-message version; every change makes `selfAlive` anew.
    var time: PeerTime { didSet { selfAlive = Self.alive(of: configuration, at: time) } }
    /// This peer's own alive message, with its internal endpoint: one value per version, which
    /// every message and receiver shares (made per send before, a copy per receiver).
    public private(set) var selfAlive: AliveMessage
    /// SWIM's state (unused by Fabric's algorithm).
    var swim = SwimState()
    /// Alive messages to forward at the next `forward` timer, with whom each came from.
    /// In the order they came (deterministic, so no sort is needed), with each id's position.
    private var pendingForward: [(alive: AliveMessage, from: PKIID?)] = []
    private var pendingPosition: [PKIID: Int] = [:]
    var forwardScheduled = false

    /// `incarnation` should grow with every start of the peer (its start time, say).
    public init(configuration: MembershipConfiguration, incarnation: UInt64) {
        self.configuration = configuration
        time = PeerTime(incarnation: incarnation, sequence: 0)
        selfAlive = Self.alive(of: configuration, at: time)
    }

    private static func alive(of configuration: MembershipConfiguration, at time: PeerTime) -> AliveMessage {
        AliveMessage(pkiID: configuration.pkiID, mspID: configuration.mspID, externalEndpoint: configuration.externalEndpoint,
                     internalEndpoint: configuration.internalEndpoint, time: time)
    }

    /// The org of a live member (nil if unknown or dead), without copying the member.
    public func liveOrg(of id: PKIID) -> String? {
        guard let index = members.index(forKey: id), members[at: index].isAlive else { return nil }
        return members[at: index].alive.mspID
    }

    /// How many members are alive (without sorting them).
    public var aliveCount: Int { members.values.reduce(0) { $0 + ($1.isAlive ? 1 : 0) } }

    public var aliveMembers: [Member] { members.values.filter(\.isAlive).sorted { $0.alive.pkiID < $1.alive.pkiID } }
    public var deadMembers: [Member] { members.values.filter { !$0.isAlive }.sorted { $0.alive.pkiID < $1.alive.pkiID } }

    var settings: GossipSettings { configuration.settings }

    public mutating func handle(_ event: Event, now: GossipTime, random: inout some RandomNumberGenerator) -> [Effect] {
        if settings.membership == .swim { return handleSwim(event, now: now, random: &random) }
        switch event {
        case .start:
            return start(now: now)
        case .timer(.heartbeat):
            return heartbeat(now: now, random: &random)
        case .timer(.pull):
            return pull(now: now, random: &random)
        case .timer(.reconnect):
            return reconnect(now: now)
        case .timer(.forward):
            return forward(random: &random)
        case .timer(.probe), .timer(.probeTimeout):
            return []
        case let .received(message, via):
            return receive(message, via: via, now: now, random: &random)
        }
    }

    // MARK: timers

    mutating func start(now: GossipTime) -> [Effect] {
        var effects: [Effect] = contactsToReach().map { .send(.request(sender: introduction(to: $0), viewDigest: 0), to: .endpoint($0.endpoint)) }
        effects.append(.schedule(.heartbeat, at: now))
        effects.append(.schedule(.pull, at: now + settings.pullInterval))
        effects.append(.schedule(.reconnect, at: now + settings.reconnectInterval))
        return effects
    }

    private mutating func heartbeat(now: GossipTime, random: inout some RandomNumberGenerator) -> [Effect] {
        time = PeerTime(incarnation: time.incarnation, sequence: time.sequence + 1)
        var effects = queueForward(selfAlive, from: nil, now: now)
        let expiration = settings.aliveExpirationTimeout
        let purgeAfter = expiration * settings.msgExpirationFactor
        let permanent = configuration.permanentEndpoints
        // Find who changes without sorting everyone; then handle those in id order.
        let changing = members.indices.filter { index in
            let silent = now - members.lastHeard(at: index)
            return members.isAlive(at: index) ? silent > expiration : silent > purgeAfter
        }.map { members.alive(at: $0).pkiID }.sorted()
        for id in changing {
            guard var member = members[id] else { continue }
            let silent = now - member.lastHeard
            if member.isAlive, silent > expiration {
                member.isAlive = false
                members[id] = member
                declaredDead += 1
                viewChanged(id)
                effects.append(.memberDead(id, mspID: member.alive.mspID))
                effects.append(.log("\(Self.name(of: member.alive)) is dead: not heard from for \(silent)"))
            } else if !member.isAlive, silent > purgeAfter, permanent.isDisjoint(with: endpoints(of: member.alive)) {
                members[id] = nil
                viewChanged(id)
                purged[id] = member.alive.time
                effects.append(.memberPurged(id, mspID: member.alive.mspID))
                effects.append(.log("\(Self.name(of: member.alive)) purged after \(silent) without news"))
            }
        }
        effects.append(.schedule(.heartbeat, at: now + settings.aliveTimeInterval))
        return effects
    }

    mutating func pull(now: GossipTime, random: inout some RandomNumberGenerator) -> [Effect] {
        var effects: [Effect] = []
        let known = viewDigest
        for id in sample(settings.pullPeerNum, from: reachableAliveIDs(), excluding: [], random: &random) {
            guard let member = members[id], let view = Disclosure.view(of: selfAlive, for: member.alive.mspID, sharing: configuration.sharing) else { continue }
            effects.append(.send(.request(sender: view, viewDigest: known), to: destination(of: member.alive)))
        }
        effects.append(.schedule(.pull, at: now + settings.pullInterval))
        return effects
    }

    mutating func reconnect(now: GossipTime) -> [Effect] {
        var effects: [Effect] = []
        for member in deadMembers where isReachable(member.alive) {
            guard let view = Disclosure.view(of: selfAlive, for: member.alive.mspID, sharing: configuration.sharing) else { continue }
            effects.append(.send(.request(sender: view, viewDigest: 0), to: destination(of: member.alive)))
        }
        for contact in contactsToReach() where !members.values.contains(where: { member in
            member.isAlive && (member.alive.internalEndpoint == contact.endpoint || member.alive.externalEndpoint == contact.endpoint)
        }) {
            effects.append(.send(.request(sender: introduction(to: contact), viewDigest: 0), to: .endpoint(contact.endpoint)))
        }
        effects.append(.schedule(.reconnect, at: now + settings.reconnectInterval))
        return effects
    }

    // MARK: messages

    mutating func receive(_ message: Verified<MembershipMessage>, via: Endpoint?, now: GossipTime,
                                  random: inout some RandomNumberGenerator) -> [Effect] {
        let signer = message.signer
        if let via, configuration.bootstrap.contains(via), signer.mspID != configuration.mspID {
            return [.log("bootstrap peer \(via) is in \(signer.mspID), not in our organization \(configuration.mspID); it cannot be a bootstrap peer")]
        }
        switch message.value {
        case .alive(let batch):
            // Each entry's signature by its creator was checked by the shell.
            var effects: [Effect] = []
            for alive in batch {
                // The common cases, a copy of a known member's message or a newer one: one lookup.
                if let index = members.index(forKey: alive.pkiID) {
                    guard members.alive(at: index).time < alive.time else { continue }
                    effects += refresh(at: index, with: alive, now: now)
                    effects += queueForward(alive, from: signer.pkiID, now: now)
                    continue
                }
                guard alive.pkiID != configuration.pkiID, isNewer(alive) else { continue }
                effects += learn(alive, now: now)
                effects += queueForward(alive, from: signer.pkiID, now: now)
            }
            return effects
        case let .request(sender, digest, known):
            guard sender.pkiID == signer.pkiID, sender.mspID == signer.mspID else {
                return [.log("membership request from \(signer.pkiID) carries the alive message of \(sender.pkiID); not answered")]
            }
            var effects = learn(sender, now: now)
            let partners = configuration.sharing.partners(of: sender.mspID)
            // The same view on both sides (the usual case once converged): nothing to send.
            guard configuration.organizationsSharingAChannel.contains(sender.mspID), digest != viewDigest else { return effects }
            // Only what the requester lacks (`known`; everything under Fabric's algorithm).
            var alive: [AliveMessage] = known.knows(configuration.pkiID, at: time) ? []
                : Disclosure.view(of: selfAlive, for: sender.mspID, partners: partners).map { [$0] } ?? []
            for index in members.indices where members.isAlive(at: index) {
                let member = members.alive(at: index)
                guard member.pkiID != sender.pkiID, !known.knows(member.pkiID, at: member.time),
                      let view = Disclosure.view(of: member, for: sender.mspID, partners: partners) else { continue }
                alive.append(view)
            }
            let dead = deadMembers.map(\.alive).compactMap { Disclosure.view(of: $0, for: sender.mspID, partners: partners) }
            guard !alive.isEmpty || !dead.isEmpty else { return effects }
            effects.append(.send(.response(alive: alive, dead: dead), to: destination(of: sender)))
            return effects
        case .ping, .ack, .pingRequest, .want, .versionDigest, .versionsWanted:
            return []  // SWIM's messages: a peer running Fabric's algorithm ignores them
        case let .response(alive, _):
            // The responder's dead list is not adopted: a dead peer we never saw cannot be
            // reached anyway, and adopting it would restart its purge clock on every answer.
            var effects: [Effect] = []
            for member in alive { effects += learn(member, now: now) }
            return effects
        }
    }

    func isNewer(_ alive: AliveMessage) -> Bool {
        if let tombstone = purged[alive.pkiID], alive.time <= tombstone { return false }
        guard let index = members.index(forKey: alive.pkiID) else { return true }
        return members.alive(at: index).time < alive.time
    }

    /// Records `alive` if it is news; returns the effects of learning it.
    mutating func learn(_ alive: AliveMessage, now: GossipTime) -> [Effect] {
        if let index = members.index(forKey: alive.pkiID) {
            guard members.alive(at: index).time < alive.time else { return [] }
            return refresh(at: index, with: alive, now: now)
        }
        guard alive.pkiID != configuration.pkiID, configuration.organizationsSharingAChannel.contains(alive.mspID) else { return [] }
        if let tombstone = purged[alive.pkiID] {
            guard tombstone < alive.time else { return [] }
            purged[alive.pkiID] = nil
        }
        members[alive.pkiID] = Member(alive: alive, lastHeard: now, isAlive: true)
        viewChanged(alive.pkiID)
        return [.memberAlive(alive.pkiID, mspID: alive.mspID)]
    }

    /// Takes a newer alive message of a known member, in place.
    mutating func refresh(at index: MemberTable.Index, with alive: AliveMessage, now: GossipTime) -> [Effect] {
        let wasAlive = members[at: index].isAlive
        let knownInternal = members[at: index].alive.internalEndpoint
        // Keep an internal endpoint learned earlier if this copy came stripped.
        let merged = alive.internalEndpoint == nil && knownInternal != nil && alive.mspID == configuration.mspID
            ? AliveMessage(pkiID: alive.pkiID, mspID: alive.mspID, externalEndpoint: alive.externalEndpoint,
                           internalEndpoint: knownInternal, time: alive.time, signed: alive.signed)
            : alive
        let moved = members[at: index].alive.externalEndpoint != merged.externalEndpoint || knownInternal != merged.internalEndpoint
        members[at: index].alive = merged
        members[at: index].lastHeard = now
        members[at: index].isAlive = true
        members[at: index].suspectedSince = nil
        members[at: index].accusers = []
        if !wasAlive || moved { viewChanged(alive.pkiID) }
        if !wasAlive { return [.memberAlive(alive.pkiID, mspID: alive.mspID)] }
        return moved ? [.memberMoved(alive.pkiID, mspID: alive.mspID)] : []
    }

    /// How long alive messages wait to be forwarded together.
    var forwardInterval: Duration { max(settings.maxPropagationBurstLatency, settings.aliveTimeInterval / 5) }

    /// Queues `alive` for the next forward round; a newer copy of a queued one replaces it in
    /// place (`pendingPosition`, emptied every round: a slot kept on each member stayed set
    /// forever and cost every member a side-table entry of the `MemberTable`).
    private mutating func queueForward(_ alive: AliveMessage, from: PKIID?, now: GossipTime) -> [Effect] {
        guard settings.propagatePeerNum > 0 else { return [] }
        if let position = pendingPosition[alive.pkiID] {
            pendingForward[position] = (alive, from)
        } else {
            pendingPosition[alive.pkiID] = pendingForward.count
            pendingForward.append((alive, from))
        }
        guard !forwardScheduled else { return [] }
        forwardScheduled = true
        return [.schedule(.forward, at: now + forwardInterval)]
    }

    /// Sends the pending alive messages to `propagatePeerNum` random live members, each getting
    /// what it may see and nothing it created or sent us.
    private mutating func forward(random: inout some RandomNumberGenerator) -> [Effect] {
        forwardScheduled = false
        let pending = pendingForward
        defer {
            pendingForward.removeAll(keepingCapacity: true)
            pendingPosition.removeAll(keepingCapacity: true)
        }
        var effects: [Effect] = []
        // Peers that made or sent a pending entry: a target among them gets its org's batch
        // without those entries; every other target gets the org's batch as is.
        var involved = Set<PKIID>(minimumCapacity: pending.count * 2)
        for entry in pending {
            involved.insert(entry.alive.pkiID)
            if let from = entry.from { involved.insert(from) }
        }
        // One batch per recipient org, with the pending index of each of its entries.
        var byOrg: [String: (batch: [AliveMessage], sources: [Int])] = [:]
        for id in sample(settings.propagatePeerNum, from: reachableAliveIDs(), excluding: [], random: &random) {
            guard let index = members.index(forKey: id) else { continue }
            let target = members[at: index].alive
            let org = target.mspID
            if byOrg[org] == nil {
                let partners = configuration.sharing.partners(of: org)
                var batch: [AliveMessage] = [], sources: [Int] = []
                batch.reserveCapacity(pending.count)
                sources.reserveCapacity(pending.count)
                for (position, entry) in pending.enumerated() {
                    guard let view = Disclosure.view(of: entry.alive, for: org, partners: partners) else { continue }
                    batch.append(view)
                    sources.append(position)
                }
                byOrg[org] = (batch, sources)
            }
            let (orgBatch, sources) = byOrg[org]!
            var batch = orgBatch
            if involved.contains(id) {
                batch = []
                for (view, position) in zip(orgBatch, sources) where pending[position].alive.pkiID != id && pending[position].from != id {
                    batch.append(view)
                }
            }
            if !batch.isEmpty { effects.append(.send(.alive(batch), to: destination(of: target))) }
        }
        return effects
    }

    /// Forgets what was derived from the view (someone came, went, died or moved).
    mutating func viewChanged(_ id: PKIID) {
        digestCache = nil
        updateRing(after: id)
        // A removed member left the reachable list with the table.
        if let index = members.index(forKey: id) {
            members.setReachable(members.isAlive(at: index) && isReachable(members.alive(at: index)), at: index)
        }
    }

    /// Which peers this peer knows and whether alive, in 64 bits (itself included, alive): two
    /// peers with the same digest have nothing to tell each other in a membership response.
    public var viewDigest: UInt64 {
        mutating get {
            if let digestCache { return digestCache }
            var digest = StableHash.mix(configuration.pkiID.stableHash &+ 1)
            for (id, member) in members { digest ^= StableHash.mix(id.stableHash &+ (member.isAlive ? 1 : 0)) }
            digestCache = digest
            return digest
        }
    }

    /// Which version of every member's alive message this peer holds (its own included) and
    /// which are alive, in 64 bits: two peers with the same version digest have nothing to tell
    /// each other in a membership response (SWIM's pulls send it first, `versionDigest`).
    public var versionDigest: UInt64 {
        members.versionDigest ^ MemberTable.versionTerm(configuration.pkiID, time, isAlive: true)
    }

    /// The live members this peer can reach, in the table's order (a view: no copy).
    func reachableAliveIDs() -> ReachableIDs { ReachableIDs(members: members) }

    /// Up to `count` distinct ids drawn at random, skipping `excluding` (O(count) for big lists).
    func sample(_ count: Int, from ids: some RandomAccessCollection<PKIID>, excluding: Set<PKIID>, random: inout some RandomNumberGenerator) -> [PKIID] {
        let eligible = ids.count - excluding.count
        if eligible <= count * 2 {
            var chosen = ids.filter { !excluding.contains($0) }
            chosen.shuffle(using: &random)
            return Array(chosen.prefix(count))
        }
        var chosen: [PKIID] = []
        var taken = Set<Int>()
        while chosen.count < count {
            let index = Int.random(in: 0..<ids.count, using: &random)
            let id = ids[ids.index(ids.startIndex, offsetBy: index)]
            guard taken.insert(index).inserted, !excluding.contains(id) else { continue }
            chosen.append(id)
        }
        return chosen
    }

    // MARK: helpers

    /// Own-org members always; other orgs' only when both sides have external endpoints.
    func isReachable(_ alive: AliveMessage) -> Bool {
        alive.mspID == configuration.mspID || (configuration.externalEndpoint != nil && alive.externalEndpoint != nil)
    }

    func destination(of alive: AliveMessage) -> Destination {
        let endpoint = alive.mspID == configuration.mspID
            ? (alive.internalEndpoint ?? alive.externalEndpoint)
            : alive.externalEndpoint
        return .peer(alive.pkiID, endpoint ?? configuration.internalEndpoint)
    }

    /// A member as log lines name it: its endpoint (the node's name and port) and MSP ID; the
    /// PKI-ID only for a peer that told no endpoint.
    static func name(of alive: AliveMessage) -> String {
        guard let endpoint = alive.internalEndpoint ?? alive.externalEndpoint else { return "\(alive.mspID) peer \(alive.pkiID)" }
        return "\(endpoint.host):\(endpoint.port) (\(alive.mspID))"
    }

    func endpoints(of alive: AliveMessage) -> Set<Endpoint> {
        Set([alive.internalEndpoint, alive.externalEndpoint].compactMap { $0 })
    }

    /// Bootstrap peers, own-org anchors and (with an external endpoint) other orgs' anchors,
    /// without this peer's own endpoints; `ownOrg` tells whether the contact is surely of this
    /// peer's org (own anchors; bootstrap endpoints are not trusted to be).
    func contactsToReach() -> [(endpoint: Endpoint, ownOrg: Bool)] {
        let own = Set([configuration.internalEndpoint, configuration.externalEndpoint].compactMap { $0 })
        var contacts = configuration.bootstrap.map { ($0, false) } + (configuration.anchors[configuration.mspID] ?? []).map { ($0, true) }
        if configuration.externalEndpoint != nil {
            for org in configuration.organizationsSharingAChannel.sorted() where org != configuration.mspID {
                contacts += (configuration.anchors[org] ?? []).map { ($0, false) }
            }
        }
        var seen = Set<Endpoint>()
        return contacts.filter { !own.contains($0.0) && seen.insert($0.0).inserted }
    }

    /// The alive message a first request to `contact` carries: without the internal endpoint
    /// unless the contact is an own-org anchor (a bootstrap endpoint could be misconfigured to
    /// another org's peer; own-org peers get the internal endpoint with the next heartbeat).
    func introduction(to contact: (endpoint: Endpoint, ownOrg: Bool)) -> AliveMessage {
        contact.ownOrg ? selfAlive : selfAlive.withoutInternalEndpoint
    }

}
