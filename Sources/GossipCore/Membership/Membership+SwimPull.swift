import FabnetModel

/// SWIM's anti-entropy: the staged introductions of a starting peer and the periodic pull from a
/// ring neighbour (a version digest first, the versions held only when the neighbour's digest
/// differs). Guarantees: a starting peer asks each contact once; a pull names what it holds
/// only to the neighbour it pulled from that round, once.
extension Membership {
    /// Fabric's start (`start(now:)`), staged: the first contact (bootstrap, else an own-org
    /// anchor, else another org's) is asked for its view at once; the others get a nonce-0 ping
    /// with this peer's alive message (they learn of it now) and are asked for their views one
    /// after the other, each when an answer came, naming what this peer holds by then
    /// (`askPendingContacts`), so each sends only what this peer still lacks. Asked all at once
    /// with nothing named, every contact answered with its whole view: at 2,000 simulated peers
    /// each starting peer got about two copies of every member. Asking only one contact left
    /// views too thin when the first elections ran.
    mutating func stagedIntroductions(now: GossipTime) -> [Effect] {
        var effects = start(now: now)
        let contacts = contactsToReach()
        guard contacts.count > 1 else { return effects }
        let later = contacts.dropFirst()
        swim.pendingContacts = Array(later)
        effects = effects.map { effect in
            guard case let .send(.request(sender, _, _), .endpoint(endpoint)) = effect,
                  later.contains(where: { $0.endpoint == endpoint }) else { return effect }
            return .send(.ping(nonce: 0, sender: sender, updates: []), to: .endpoint(endpoint))
        }
        return effects
    }

    /// Asks the next contact `stagedIntroductions` left for later for its view (every one left
    /// when `all`: at a probe, as a contact with nothing new does not answer), naming the alive
    /// messages held.
    mutating func askPendingContacts(all: Bool = false) -> [Effect] {
        guard !swim.pendingContacts.isEmpty else { return [] }
        let contacts = all ? swim.pendingContacts : [swim.pendingContacts[0]]
        swim.pendingContacts.removeFirst(contacts.count)
        let known = aliveVersions
        return contacts.map { .send(.request(sender: introduction(to: $0), viewDigest: 0, known: known), to: .endpoint($0.endpoint)) }
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
