import FabnetModel

/// Whom a SWIM peer probes and gossips with: a bounded set of ring neighbours, the same in
/// every peer's view of the same members (Rapid's K-ring monitoring, on SWIM's probes).
///
/// Own-org members sit on `orgRings` rings, each ordered by a differently seeded hash of the
/// PKI-ID; a peer probes its successor on each ring and is probed by its predecessor. A peer with
/// an external endpoint also sits on one ring of every member it can reach across orgs, so an org
/// of one peer is still probed. Guarantees: at most `orgRings + 1` subjects and twice that many
/// neighbours, whatever N; computed in O(N) without sorting; the same members give the same
/// rings on every peer, so each member has a predecessor probing it on each ring.
///
/// Kept up to date as members come (`consider`, O(1)): a big view grows one member at a time,
/// and recomputing the ring after each was O(N²) per peer while it filled in. A member leaving
/// that is not adjacent to this peer changes nothing; one that is adjacent makes the owner
/// recompute (`isAdjacent`).
struct ProbeRing: Sendable {
    static let orgRings = 2

    /// One ring: its seed, which members it holds, and this peer's nearest members on it.
    private struct Ring: Sendable {
        let seed: UInt64
        /// Whether it is the ring of every member reachable across orgs (else an own-org ring).
        let isCrossOrg: Bool
        var successor: (id: PKIID, distance: UInt64)?
        var predecessor: (id: PKIID, distance: UInt64)?
    }

    let id: PKIID
    private var rings: [Ring]
    /// Whom this peer probes, round-robin, without duplicates.
    private(set) var subjects: [PKIID] = []
    /// Subjects and the peers that probe this one: where updates are gossiped.
    private(set) var neighbours: [PKIID] = []

    /// `ownOrg`: live own-org members (this peer excluded); `crossOrg`: live members this peer can
    /// reach in every org, or nil when it has no external endpoint.
    init(of id: PKIID, ownOrg: [PKIID], crossOrg: [PKIID]?) {
        self.id = id
        rings = (0..<Self.orgRings).map { Ring(seed: UInt64($0), isCrossOrg: false) }
        if crossOrg != nil { rings.append(Ring(seed: UInt64(Self.orgRings), isCrossOrg: true)) }
        for member in ownOrg { place(member, crossOrg: false) }
        for member in crossOrg ?? [] { place(member, crossOrg: true) }
        derive()
    }

    /// A member that is (now) live: on the own-org rings when `ownOrg`, on the cross-org ring
    /// when `crossOrg` (and this peer has one).
    mutating func consider(_ member: PKIID, ownOrg: Bool, crossOrg: Bool) {
        if ownOrg { place(member, crossOrg: false) }
        if crossOrg { place(member, crossOrg: true) }
        derive()
    }

    /// Whether `member` is this peer's successor or predecessor on any ring.
    func isAdjacent(_ member: PKIID) -> Bool {
        rings.contains { $0.successor?.id == member || $0.predecessor?.id == member }
    }

    /// Puts `member` on the rings of its kind, where it replaces a farther successor or predecessor.
    private mutating func place(_ member: PKIID, crossOrg: Bool) {
        guard member != id else { return }
        for index in rings.indices where rings[index].isCrossOrg == crossOrg {
            let seed = rings[index].seed
            let own = Self.position(id, seed: seed), at = Self.position(member, seed: seed)
            let ahead = at &- own, behind = own &- at
            if rings[index].successor.map({ (ahead, member) < ($0.distance, $0.id) }) ?? true { rings[index].successor = (member, ahead) }
            if rings[index].predecessor.map({ (behind, member) < ($0.distance, $0.id) }) ?? true { rings[index].predecessor = (member, behind) }
        }
    }

    /// Subjects and neighbours from the rings, in ring order (own-org rings first).
    private mutating func derive() {
        var subjects: [PKIID] = [], neighbours: [PKIID] = []
        func add(_ id: PKIID?, to list: inout [PKIID]) {
            if let id, !list.contains(id) { list.append(id) }
        }
        for ring in rings {
            add(ring.successor?.id, to: &subjects)
            add(ring.successor?.id, to: &neighbours)
            add(ring.predecessor?.id, to: &neighbours)
        }
        self.subjects = subjects
        self.neighbours = neighbours
    }

    /// A member's place on ring `seed`.
    static func position(_ id: PKIID, seed: UInt64) -> UInt64 {
        StableHash.mix(id.stableHash ^ (seed &* 0x9E37_79B9_7F4A_7C15))
    }
}

/// What SWIM keeps besides the members: the gossip queue, the probe in flight, the probes run
/// for others, the ring, and Lifeguard's local health.
struct SwimState: Sendable {
    /// A probe this peer started: direct until its timeout, then through helpers.
    struct Probe: Sendable {
        let target: PKIID
        let nonce: UInt64
        var indirect = false
    }

    /// A ping this peer sends for another's indirect probe: acked back with `nonce`.
    struct Relay: Sendable {
        let requester: PKIID
        let nonce: UInt64
        let expires: GossipTime
    }

    /// Lifeguard's cap on the local health multiplier.
    static let maximumHealth = 8
    /// Updates piggybacked on one probe message; a push to neighbours carries up to 4 times more.
    static let piggyback = 8
    /// Helpers asked to ping a target that missed its direct ping.
    static let indirectProbes = 3

    var updates = UpdateQueue()
    var probe: Probe?
    var relays: [UInt64: Relay] = [:]
    /// nil: recompute before use (the view changed).
    var ring: ProbeRing?
    var cursor = 0
    /// 0 when healthy; each missed probe or refutation adds one, each answered probe takes one:
    /// probe intervals and timeouts stretch by (1 + health), so a starved peer slows down instead
    /// of suspecting everyone.
    var health = 0
    /// The periodic timers' due times and the stalls absorbed (`Membership+SwimStall.swift`).
    var stall = Stall()
    /// Members this peer suspects after one missed probe, not yet told to anyone: each is probed
    /// once more, and only a second miss gossips the suspicion. A member that answers in between
    /// costs nothing; a gossiped suspicion costs a refutation, a newly signed alive message every
    /// peer receives and checks (at 100 starting peers on 2 cores, dozens of those per start).
    var unconfirmed: [PKIID] = []
    /// Announced alive messages this peer asked for (`want`), with the time asked for and when:
    /// not asked again within a probe interval.
    var asked: [PKIID: (time: PeerTime, at: GossipTime)] = [:]
    /// Contacts introduced to by a ping at start, to ask for their views once the first contact
    /// answered (`Membership.stagedIntroductions`).
    var pendingContacts: [(endpoint: Endpoint, ownOrg: Bool)] = []
    /// The neighbour this pull round's version digest went to: only it may ask for the known
    /// versions (`versionsWanted`), once, within the round.
    var pulledFrom: PKIID?
}
