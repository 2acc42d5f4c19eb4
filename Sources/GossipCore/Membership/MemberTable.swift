import FabnetModel

extension Membership {
    /// A member as this peer sees it: a value assembled from `MemberTable`'s compact storage.
    public struct Member: Hashable, Sendable {
        public internal(set) var alive: AliveMessage
        public internal(set) var lastHeard: GossipTime
        public internal(set) var isAlive: Bool
        /// SWIM: since when this live member is suspected (nil: not suspected).
        public internal(set) var suspectedSince: GossipTime?
        /// SWIM: the peers that suspect it independently (its first accuser first).
        public internal(set) var accusers: [PKIID] = []
        /// SWIM: the time of our alive message this member confirmed having (it acked a ping that
        /// carried it) and the member's incarnation then; pings to it leave our alive message out
        /// while both still hold.
        var knowsOurAlive: (ours: PeerTime, incarnation: UInt64)?
        /// SWIM: the time of our alive message last sent to it in a probe ping, and that ping's nonce.
        var aliveSent: (time: PeerTime, nonce: UInt64)?

        init(alive: AliveMessage, lastHeard: GossipTime, isAlive: Bool) {
            self.alive = alive
            self.lastHeard = lastHeard
            self.isAlive = isAlive
        }

        public static func == (lhs: Member, rhs: Member) -> Bool {
            lhs.alive == rhs.alive && lhs.lastHeard == rhs.lastHeard && lhs.isAlive == rhs.isAlive
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(alive)
            hasher.combine(lastHeard)
            hasher.combine(isAlive)
        }
    }
}

/// A peer's members by PKI-ID in about 30 bytes each, where a `[PKIID: Member]` took about 300
/// (issue 19: a simulator of 10,000 peers holds 10⁸ of them).
///
/// What it guarantees:
/// - Lookup, insertion and removal in O(1) expected time (`PositionIndex`; the key is the
///   member's own PKI-ID, not stored twice).
/// - Iteration in insertion order, a removal moving the last member into the hole: the order
///   depends only on the sequence of insertions and removals, never on a hash seed, so a seeded
///   run draws the same members every time.
/// - The reachable subset (`reachable`), kept by the owner with `setReachable`, in the same kind
///   of order, for O(1) random draws.
/// - Fields most members never have (suspicion, SWIM's record of our alive message with the
///   members it pinged) live in a side table only while set; reads and writes of a `Member`
///   see one value either way.
/// - `versionDigest` is at every moment the XOR of `versionTerm` over the members held, kept
///   as they are written (an O(1) update per change of a version or of the alive flag).
public struct MemberTable: Sendable {
    /// What every member has, inline (16 bytes).
    private struct Entry: Sendable {
        var alive: AliveMessage
        /// When it was last heard from: whole milliseconds after the table's `epoch`.
        var heard: UInt32
        /// Bits 0–29: its position in `reachablePositions` + 1 (0: not reachable); bit 30: alive;
        /// bit 31: it has `Details`.
        private var bits: UInt32 = 0

        init(alive: AliveMessage, heard: UInt32, isAlive: Bool) {
            self.alive = alive
            self.heard = heard
            self.isAlive = isAlive
        }

        var isAlive: Bool {
            get { bits & (1 << 30) != 0 }
            set { bits = newValue ? bits | (1 << 30) : bits & ~(1 << 30) }
        }

        var hasDetails: Bool {
            get { bits & (1 << 31) != 0 }
            set { bits = newValue ? bits | (1 << 31) : bits & ~(1 << 31) }
        }

        /// Its position in `reachablePositions`, or -1.
        var reachablePosition: Int {
            get { Int(bits & Entry.positionMask) - 1 }
            set {
                precondition(newValue < Int(Entry.positionMask), "more than 2³⁰ reachable members")
                bits = (bits & ~Entry.positionMask) | UInt32(newValue + 1)
            }
        }

        static let positionMask: UInt32 = (1 << 30) - 1
    }

    /// What few members have at a time.
    private struct Details: Sendable {
        var suspectedSince: GossipTime?
        var accusers: [PKIID]
        var knowsOurAlive: (ours: PeerTime, incarnation: UInt64)?
        var aliveSent: (time: PeerTime, nonce: UInt64)?

        init(_ member: Membership.Member) {
            suspectedSince = member.suspectedSince
            accusers = member.accusers
            knowsOurAlive = member.knowsOurAlive
            aliveSent = member.aliveSent
        }

        var isEmpty: Bool {
            suspectedSince == nil && accusers.isEmpty && knowsOurAlive == nil && aliveSent == nil
        }
    }

    private var entries: ContiguousArray<Entry> = []
    /// What `Entry.heard` counts from: the time of the first member inserted into the empty
    /// table, moved on (`rebase`) before the milliseconds overflow 32 bits (after 49 days).
    private var epoch = GossipTime.zero
    private var positions = PositionIndex()
    private var details: [PKIID: Details] = [:]
    /// Positions in `entries` of the members marked reachable.
    private var reachablePositions: [Int32] = []
    /// Which version of each member's alive message is held, and whether it is alive, in 64
    /// bits: two tables with the same digest hold the same versions (SWIM's pulls compare it).
    public private(set) var versionDigest: UInt64 = 0

    /// One member's part of `versionDigest`: its PKI-ID, its alive message's time, and whether alive.
    public static func versionTerm(_ id: PKIID, _ time: PeerTime, isAlive: Bool) -> UInt64 {
        // (sequence, alive) as 2 × sequence + alive: distinct for every pair (a dead member of
        // sequence s must not hash as the live one of s − 1).
        StableHash.mix(id.stableHash ^ StableHash.mix(time.incarnation &+ StableHash.mix(time.sequence &* 2 &+ (isAlive ? 1 : 0))))
    }

    public init() {}

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    /// The position of `id`'s member, if known.
    public func index(forKey id: PKIID) -> Int? {
        positions.find(hash: Self.hash(id)) { entries[$0].alive.pkiID == id }
    }

    public subscript(id: PKIID) -> Membership.Member? {
        get { index(forKey: id).map { member(at: $0) } }
        set {
            if let newValue {
                precondition(newValue.alive.pkiID == id, "a member is stored under its own PKI-ID")
                if let index = index(forKey: id) { store(newValue, at: index) } else { insert(newValue) }
            } else if let index = index(forKey: id) {
                remove(at: index)
            }
        }
    }

    /// The member at `index` (a position from `index(forKey:)` or `indices`).
    public subscript(at index: Int) -> Membership.Member {
        get { member(at: index) }
        set {
            precondition(newValue.alive.pkiID == entries[index].alive.pkiID, "a member keeps its position's PKI-ID")
            store(newValue, at: index)
        }
    }

    /// The hot fields, read without assembling a `Member`.
    public func alive(at index: Int) -> AliveMessage { entries[index].alive }
    public func isAlive(at index: Int) -> Bool { entries[index].isAlive }
    /// When the member was last heard from, to the millisecond, rounded down: a member may count
    /// as silent up to 1 ms longer than it was (against expirations of seconds).
    public func lastHeard(at index: Int) -> GossipTime { time(ofTicks: entries[index].heard) }
    /// Whether the member has any field of the side table set (suspicion, SWIM's bookkeeping).
    func hasDetails(at index: Int) -> Bool { entries[index].hasDetails }

    private func time(ofTicks ticks: UInt32) -> GossipTime {
        GossipTime(nanoseconds: epoch.nanoseconds + Int64(ticks) * 1_000_000)
    }

    /// `time` as milliseconds after the epoch (0 for an earlier time), the epoch moved on first
    /// when they would not fit.
    private mutating func ticks(_ time: GossipTime) -> UInt32 {
        var milliseconds = (time.nanoseconds - epoch.nanoseconds) / 1_000_000
        if milliseconds > Int64(UInt32.max) {
            rebase(to: GossipTime(nanoseconds: time.nanoseconds - Int64(1 << 31) * 1_000_000))
            milliseconds = (time.nanoseconds - epoch.nanoseconds) / 1_000_000
        }
        return UInt32(clamping: Swift.max(0, milliseconds))
    }

    /// Moves the epoch to `newEpoch`; a member last heard from before it counts as heard then.
    private mutating func rebase(to newEpoch: GossipTime) {
        let shift = (newEpoch.nanoseconds - epoch.nanoseconds) / 1_000_000
        for index in entries.indices { entries[index].heard = UInt32(clamping: Swift.max(0, Int64(entries[index].heard) - shift)) }
        epoch = GossipTime(nanoseconds: epoch.nanoseconds + shift * 1_000_000)
    }

    /// Every member's PKI-ID, in the table's order.
    public var keys: LazyMapSequence<Range<Int>, PKIID> { (0..<entries.count).lazy.map { [entries] in entries[$0].alive.pkiID } }

    /// Every member, in the table's order.
    public var values: LazyMapSequence<Range<Int>, Membership.Member> { (0..<entries.count).lazy.map { [self] in member(at: $0) } }

    public var indices: Range<Int> { 0..<entries.count }

    // MARK: reachable

    /// How many members are marked reachable.
    var reachableCount: Int { reachablePositions.count }

    /// The `position`-th reachable member's PKI-ID.
    func reachableID(_ position: Int) -> PKIID { entries[Int(reachablePositions[position])].alive.pkiID }

    /// Marks the member at `index` reachable or not (appended, or removed by moving the last
    /// reachable member into its place).
    mutating func setReachable(_ reachable: Bool, at index: Int) {
        let position = entries[index].reachablePosition
        if reachable {
            guard position < 0 else { return }
            PositionIndex.reserveGrowth(of: &reachablePositions)
            entries[index].reachablePosition = reachablePositions.count
            reachablePositions.append(Int32(index))
        } else {
            guard position >= 0 else { return }
            entries[index].reachablePosition = -1
            let last = reachablePositions.removeLast()
            if position < reachablePositions.count {
                reachablePositions[position] = last
                entries[Int(last)].reachablePosition = position
            }
        }
    }

    // MARK: storage

    private func member(at index: Int) -> Membership.Member {
        let entry = entries[index]
        var member = Membership.Member(alive: entry.alive, lastHeard: time(ofTicks: entry.heard), isAlive: entry.isAlive)
        if entry.hasDetails, let details = details[entry.alive.pkiID] {
            member.suspectedSince = details.suspectedSince
            member.accusers = details.accusers
            member.knowsOurAlive = details.knowsOurAlive
            member.aliveSent = details.aliveSent
        }
        return member
    }

    private mutating func store(_ member: Membership.Member, at index: Int, inserted: Bool = false) {
        let old = entries[index]
        if inserted {
            versionDigest ^= Self.versionTerm(member.alive.pkiID, member.alive.time, isAlive: member.isAlive)
        } else if old.alive.time != member.alive.time || old.isAlive != member.isAlive {
            versionDigest ^= Self.versionTerm(member.alive.pkiID, old.alive.time, isAlive: old.isAlive)
                ^ Self.versionTerm(member.alive.pkiID, member.alive.time, isAlive: member.isAlive)
        }
        entries[index].alive = member.alive
        entries[index].heard = ticks(member.lastHeard)
        entries[index].isAlive = member.isAlive
        let extra = Details(member)
        if extra.isEmpty {
            guard entries[index].hasDetails else { return }
            details[member.alive.pkiID] = nil
            entries[index].hasDetails = false
        } else {
            details[member.alive.pkiID] = extra
            entries[index].hasDetails = true
        }
    }

    private mutating func insert(_ member: Membership.Member) {
        PositionIndex.reserveGrowth(of: &entries)
        if entries.isEmpty { epoch = member.lastHeard }  // no entry counts from the old one
        let heard = ticks(member.lastHeard)
        entries.append(Entry(alive: member.alive, heard: heard, isAlive: member.isAlive))
        do {
            let entries = self.entries  // read by the closure while `positions` changes
            positions.insert(entries.count - 1, hash: Self.hash(member.alive.pkiID), count: entries.count) { Self.hash(entries[$0].alive.pkiID) }
        }
        store(member, at: entries.count - 1, inserted: true)
    }

    private mutating func remove(at position: Int) {
        setReachable(false, at: position)
        let id = entries[position].alive.pkiID
        versionDigest ^= Self.versionTerm(id, entries[position].alive.time, isAlive: entries[position].isAlive)
        if entries[position].hasDetails { details[id] = nil }
        do {
            let entries = self.entries
            positions.remove(position, hash: Self.hash(id)) { Self.hash(entries[$0].alive.pkiID) }
        }
        let last = entries.count - 1
        if position < last {
            // The last member moves into the hole: its bucket and reachable slot follow it.
            let moved = entries[last]
            positions.move(from: last, to: position, hash: Self.hash(moved.alive.pkiID))
            if moved.reachablePosition >= 0 { reachablePositions[moved.reachablePosition] = Int32(position) }
            entries[position] = moved
        }
        entries.removeLast()
    }

    /// A PKI-ID's bucket hash: its first 8 bytes mixed (what `Dictionary` uses, unseeded).
    private static func hash(_ id: PKIID) -> UInt64 { UInt64(UInt(bitPattern: id._rawHashValue(seed: 0))) }
}

extension MemberTable: RandomAccessCollection {
    public typealias Index = Int
    public var startIndex: Int { 0 }
    public var endIndex: Int { entries.count }
    /// A member with its PKI-ID, as a dictionary's element.
    public subscript(position: Int) -> (key: PKIID, value: Membership.Member) {
        let member = member(at: position)
        return (member.alive.pkiID, member)
    }
}

/// The PKI-IDs of the members a `MemberTable` marks reachable, in its order: a view that holds
/// the table (no copy of the ids), valid for the table as it was when taken. Kept across a
/// change of the table, it would make that change copy the whole table: use it and let go.
struct ReachableIDs: RandomAccessCollection, Sendable {
    let members: MemberTable
    var startIndex: Int { 0 }
    var endIndex: Int { members.reachableCount }
    subscript(position: Int) -> PKIID { members.reachableID(position) }
}
