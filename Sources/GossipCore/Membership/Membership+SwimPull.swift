import FabnetModel

/// SWIM's anti-entropy: the staged introductions of a starting peer and the periodic pull from a
/// ring neighbour (a version digest first, the versions held only when the neighbour's digest
/// differs). Guarantees: a starting peer asks each contact once; a pull names what it holds
/// only to the neighbour it pulled from that round, once.
extension Membership {
    /// Fabric's start (`start(now:)`), staged: the first contact (bootstrap, else an own-org
    /// anchor, else another org's) is asked for its view at once; the other own-org contacts get
    /// a nonce-0 ping with this peer's alive message (they learn of it now); all are asked for
    /// their views one after the other, each when an answer came, naming what this peer holds by
    /// then (`askPendingContacts`), so each sends only what this peer still lacks. Asked all at
    /// once with nothing named, every contact answered with its whole view: at 2,000 simulated
    /// peers each starting peer got about two copies of every member. Asking only one contact
    /// left views too thin when the first elections ran.
    ///
    /// Another org's anchor is contacted only while the view holds no reachable peer of its org
    /// (`isBridged`), and at a probe only after `SwimState.anchorPatience` probes: the first
    /// answer usually brings the other orgs, and the gossip of this peer's alive message reaches
    /// them without the anchor. When every peer of a 100-peer start pinged and then asked every
    /// other org's anchor (at its first probe, 0.5 s in, before its busy bootstrap peer had
    /// answered), the anchors were the start's busiest nodes (83–99 inbound connections, against
    /// a median of 15 dialled) and the only members ever declared dead in one.
    mutating func stagedIntroductions(now: GossipTime) -> [Effect] {
        var effects = start(now: now)
        let contacts = contactsToReach()
        guard contacts.count > 1 else { return effects }
        let later = contacts.dropFirst()
        swim.pendingContacts = Array(later)
        swim.probesWhileIntroducing = 0
        effects = effects.compactMap { effect in
            guard case let .send(.request(sender, _, _), .endpoint(endpoint)) = effect,
                  later.contains(where: { $0.endpoint == endpoint }) else { return effect }
            if anchoredOrganization(at: endpoint) != nil { return nil }
            return .send(.ping(nonce: 0, sender: sender, updates: []), to: .endpoint(endpoint))
        }
        return effects
    }

    /// Asks the contacts `stagedIntroductions` left for later for their views, naming the alive
    /// messages held: after an answer the next one; at a probe (`atProbe`, as a contact with
    /// nothing new does not answer) every own-org one, and other orgs' anchors once
    /// `SwimState.anchorPatience` probes passed. Another org's anchor whose org the view already
    /// bridges is dropped unasked.
    mutating func askPendingContacts(atProbe: Bool = false) -> [Effect] {
        guard !swim.pendingContacts.isEmpty else { return [] }
        if atProbe { swim.probesWhileIntroducing += 1 }
        var pending = swim.pendingContacts
        pending.removeAll { contact in anchoredOrganization(at: contact.endpoint).map(isBridged) ?? false }
        let patient = swim.probesWhileIntroducing < SwimState.anchorPatience
        let due = atProbe ? pending.filter { !patient || anchoredOrganization(at: $0.endpoint) == nil } : Array(pending.prefix(1))
        pending.removeAll { contact in due.contains { $0.endpoint == contact.endpoint } }
        swim.pendingContacts = pending
        guard !due.isEmpty else { return [] }
        let known = aliveVersions
        return due.map { .send(.request(sender: introduction(to: $0), viewDigest: 0, known: known), to: .endpoint($0.endpoint)) }
    }

    /// The other org whose anchor peer listens at `endpoint`; nil for this peer's own org's
    /// anchors and for endpoints that are no anchor.
    func anchoredOrganization(at endpoint: Endpoint) -> String? {
        configuration.anchors.first { org, endpoints in org != configuration.mspID && endpoints.contains(endpoint) }?.key
    }

    /// Whether the view holds a live peer of `org` this peer can reach (so its org is known
    /// without asking its anchor).
    func isBridged(_ org: String) -> Bool {
        members.indices.contains { index in
            guard members.isAlive(at: index) else { return false }
            let alive = members.alive(at: index)
            return alive.mspID == org && isReachable(alive)
        }
    }

    /// Anti-entropy: this peer's version digest to one neighbour, which asks for the versions
    /// held (`versionsWanted`) only when its digest differs; then a membership request naming
    /// them (`askForNews`).
    mutating func pullFromNeighbour(now: GossipTime, random: inout some RandomNumberGenerator) -> [Effect] {
        var effects: [Effect] = []
        let neighbours = ring.neighbours.filter { members[$0]?.isAlive == true }
        let choice = neighbours.isEmpty ? sample(1, from: reachableAliveIDs(), excluding: [], random: &random)
                                        : [neighbours[Int.random(in: 0..<neighbours.count, using: &random)]]
        swim.pulledFrom = nil
        let digest = versionDigest
        for id in choice {
            guard let member = members[id], let view = Disclosure.view(of: selfAlive, for: member.alive.mspID, sharing: configuration.sharing) else { continue }
            swim.pulledFrom = id
            effects.append(.send(.versionDigest(sender: view, digest: digest), to: destination(of: member.alive)))
        }
        effects.append(.schedule(.pull, at: now + settings.pullInterval))
        return effects
    }

    /// The pull's second step, when the neighbour this round's digest went to found its own
    /// different: a request naming the alive messages held (it answers with the newer ones).
    mutating func askForNews(from neighbour: PKIID) -> [Effect] {
        guard swim.pulledFrom == neighbour, let member = members[neighbour],
              let view = Disclosure.view(of: selfAlive, for: member.alive.mspID, sharing: configuration.sharing) else { return [] }
        swim.pulledFrom = nil
        return [.send(.request(sender: view, viewDigest: 0, known: aliveVersions), to: destination(of: member.alive))]
    }
}
