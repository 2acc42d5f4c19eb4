import FabnetModel

/// "In this channel my ledger height is …": signed by its creator; the channel is named by the
/// creator's `ChannelMAC`, never in clear. Newer means a later `time`. Equality and hashing
/// ignore `signed` (see `SignedForm`).
///
/// A value of one reference: its fields live in one `SharedFields` that every copy shares.
public struct StateInfo: Hashable, Sendable {
    /// The fields, behind one shared reference (see `SharedFields`).
    private struct Fields: Sendable {
        let pkiID: PKIID
        let channelMAC: ChannelMAC
        let height: UInt64
        let time: PeerTime
        let signed: SignedForm
    }

    private let fields: SharedFields<Fields>

    public var pkiID: PKIID { fields.value.pkiID }
    public var channelMAC: ChannelMAC { fields.value.channelMAC }
    public var height: UInt64 { fields.value.height }
    public var time: PeerTime { fields.value.time }
    /// Its creator's signed envelope as received (empty for this peer's own).
    public var signed: SignedForm { fields.value.signed }

    public init(pkiID: PKIID, channelMAC: ChannelMAC, height: UInt64, time: PeerTime, signed: SignedForm = .unsigned) {
        fields = SharedFields(Fields(pkiID: pkiID, channelMAC: channelMAC, height: height, time: time, signed: signed))
    }

    public static func == (lhs: StateInfo, rhs: StateInfo) -> Bool {
        if lhs.fields === rhs.fields { return true }
        return lhs.pkiID == rhs.pkiID && lhs.channelMAC == rhs.channelMAC && lhs.height == rhs.height && lhs.time == rhs.time
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(pkiID)
        hasher.combine(channelMAC)
        hasher.combine(height)
        hasher.combine(time)
    }
}

/// The ledger heights of one channel's peers as one peer knows them, and its own state info.
///
/// Per peer it holds the newest signed state info it got (`infos`, what a snapshot relays to a
/// peer that lacks the peer) and, when a relayed `HeightClaim` is newer, that claim: the peer's
/// version is the claim's while there is one, else the signed one's (`time(of:)`, `height(of:)`).
///
/// Guarantees: a claim counts only for a peer whose signed state info is held, in its
/// incarnation, and only when newer than the version held; a signed state info counts when
/// newer than the signed one held, and then replaces any claim; the peer's own state info gets a new sequence
/// exactly when it is published with a changed height (`publishIfChanged`), so receivers can
/// drop stale copies.
public struct ChannelStateInfo: Sendable {
    public let channel: String
    public let ownMAC: ChannelMAC
    /// Per other peer of this channel: its newest signed state info, and the newest relayed
    /// claim beyond it (`claimSequence` 0: none; a claim is of the signed one's incarnation).
    /// In arrival order, a forgotten peer's place taken by the last (`PositionIndex`): about
    /// 30 bytes a peer, where three dictionaries and an ordered set took about 200.
    private struct Entry: Sendable {
        var info: StateInfo
        var claimSequence: UInt64 = 0
        var claimHeight: UInt64 = 0
        /// Whether the peer is of this peer's org (as the caller of `record` said).
        let ownOrg: Bool
    }
    private var entries: [Entry] = []
    /// Entries by `KnownVersions.key` of their PKI-ID, so claims (which name that key) find them.
    private var positions = PositionIndex()
    public private(set) var own: StateInfo
    private var published = false
    /// The XOR of every known peer's (PKI-ID, version time) hash, own included: two peers with
    /// the same digest know the same versions.
    public private(set) var digest: UInt64
    /// The highest height any other peer published (an upper bound: a peer that restarted empty
    /// may be lower now); cheap to check before looking for sources.
    public private(set) var highestHeight: UInt64 = 0

    public init(channel: String, pkiID: PKIID, incarnation: UInt64, height: UInt64) {
        self.channel = channel
        ownMAC = ChannelMAC(pkiID: pkiID, channel: channel)
        own = StateInfo(pkiID: pkiID, channelMAC: ownMAC, height: height, time: PeerTime(incarnation: incarnation, sequence: 0))
        digest = Self.hash(pkiID, own.time)
    }

    static func hash(_ id: PKIID, _ time: PeerTime) -> UInt64 {
        StableHash.mix(id.stableHash ^ StableHash.mix(time.incarnation &+ StableHash.mix(time.sequence)))
    }

    private static func hash(key: UInt64) -> UInt64 { StableHash.mix(key) }

    private func position(of id: PKIID) -> Int? {
        let key = KnownVersions.key(id)
        return position(key: key) { entries[$0].info.pkiID == id }
    }

    private func position(key: UInt64, matches: (Int) -> Bool) -> Int? {
        positions.find(hash: Self.hash(key: key), matches: matches)
    }

    private static func time(of entry: Entry) -> PeerTime {
        entry.claimSequence == 0 ? entry.info.time : PeerTime(incarnation: entry.info.time.incarnation, sequence: entry.claimSequence)
    }

    /// The signed state infos held, by PKI-ID (own excluded).
    public var infos: Infos { Infos(state: self) }

    /// A read-only view of the signed state infos held: look one up, or list the PKI-IDs (it
    /// holds the table: kept across a change, it would make that change copy it).
    public struct Infos: Sendable {
        fileprivate let state: ChannelStateInfo
        public subscript(id: PKIID) -> StateInfo? { state.position(of: id).map { state.entries[$0].info } }
        /// The peers, in the order their first state info came (a forgotten one's place taken by the last).
        public var keys: [PKIID] { state.entries.map(\.info.pkiID) }
        public var count: Int { state.entries.count }
    }

    /// The peers with a state info here, in a deterministic order (to draw targets from).
    var peerIDs: PeerIDs { PeerIDs(state: self) }

    /// The PKI-IDs of the peers with a state info here, as a collection over the entries (no copy).
    struct PeerIDs: RandomAccessCollection, Sendable {
        fileprivate let state: ChannelStateInfo
        var startIndex: Int { 0 }
        var endIndex: Int { state.entries.count }
        subscript(position: Int) -> PKIID { state.entries[position].info.pkiID }
    }

    /// The own-org peers with a state info here, in the same order (arrival order until a peer
    /// is forgotten: the last entry of any org takes its place).
    var ownOrgPeerIDs: [PKIID] { entries.filter(\.ownOrg).map(\.info.pkiID) }

    /// The version held of `id` (own included): the newer of its signed state info and a claim.
    public func time(of id: PKIID) -> PeerTime? {
        if id == own.pkiID { return own.time }
        return position(of: id).map { Self.time(of: entries[$0]) }
    }

    public func height(of pkiID: PKIID) -> UInt64? {
        if pkiID == own.pkiID { return own.height }
        return position(of: pkiID).map { entries[$0].claimSequence == 0 ? entries[$0].info.height : entries[$0].claimHeight }
    }

    /// Whether `info` would be recorded (cheap: no MAC check), to skip copies early.
    func isNewer(_ info: StateInfo) -> Bool {
        info.pkiID != own.pkiID && (position(of: info.pkiID).map { entries[$0].info.time < info.time } ?? true)
    }

    /// Records `info` (of an own-org peer when `ownOrg`) if it is newer than the signed state
    /// info held; returns whether it was, and whether the peer is new to the channel view. A
    /// newer signed state info replaces any claim, even one of a later time: the creator's
    /// signature outweighs a relayer's word, so a claim that lied ahead lasts only until the
    /// peer's next signed state info arrives.
    @discardableResult
    mutating func record(_ info: StateInfo, ownOrg: Bool) -> (isNewer: Bool, isNewPeer: Bool) {
        let id = info.pkiID
        guard id != own.pkiID else { return (false, false) }
        let found = position(of: id)
        if let found {
            guard entries[found].info.time < info.time else { return (false, false) }
            digest ^= Self.hash(id, Self.time(of: entries[found]))
            entries[found].info = info
            entries[found].claimSequence = 0
            entries[found].claimHeight = 0
        } else {
            PositionIndex.reserveGrowth(of: &entries)
            entries.append(Entry(info: info, ownOrg: ownOrg))
            do {
                let entries = self.entries  // read by the closure while `positions` changes
                positions.insert(entries.count - 1, hash: Self.hash(key: KnownVersions.key(id)), count: entries.count) {
                    Self.hash(key: KnownVersions.key(entries[$0].info.pkiID))
                }
            }
        }
        digest ^= Self.hash(id, info.time)
        highestHeight = max(highestHeight, info.height)
        return (true, found == nil)
    }

    /// Records a relayed height of a peer whose signed state info is held, if it is of that
    /// state info's incarnation and newer than the version held; returns the peer if it was.
    /// (That the relayer is of the peer's org is the caller's check: it knows the orgs.)
    mutating func record(_ claim: HeightClaim, where accept: (PKIID) -> Bool) -> PKIID? {
        guard let found = position(key: claim.key, matches: { KnownVersions.key(entries[$0].info.pkiID) == claim.key }) else { return nil }
        let entry = entries[found]
        let id = entry.info.pkiID
        let known = Self.time(of: entry)
        guard entry.info.time.incarnation == claim.time.incarnation, known < claim.time, accept(id) else { return nil }
        digest ^= Self.hash(id, known)
        digest ^= Self.hash(id, claim.time)
        entries[found].claimSequence = claim.time.sequence
        entries[found].claimHeight = claim.height
        highestHeight = max(highestHeight, claim.height)
        return id
    }

    /// What to tell a requester that holds `known` about `id` (own included), if it lacks the
    /// version held here: the signed state info when the requester holds no version of that
    /// incarnation (it must learn the peer from its creator's signature), and a claim when the
    /// version held is newer than that signed state info.
    func news(of id: PKIID, for known: KnownVersions) -> (signed: StateInfo?, claim: HeightClaim?) {
        guard let time = time(of: id), let height = height(of: id) else { return (nil, nil) }
        let held = known.time(of: id)
        if let held, held >= time { return (nil, nil) }
        let signed = id == own.pkiID ? own : infos[id]
        guard let signed else { return (nil, nil) }
        let claim = HeightClaim(key: KnownVersions.key(id), time: time, height: height)
        if held?.incarnation == time.incarnation { return (nil, claim) }
        return (signed, signed.time < time ? claim : nil)
    }

    /// Forgets `id`'s state info (membership purged it): its signed form goes with it. The
    /// highest height stays (an upper bound either way).
    mutating func forget(_ id: PKIID) {
        guard id != own.pkiID, let found = position(of: id) else { return }
        digest ^= Self.hash(id, Self.time(of: entries[found]))
        do {
            let entries = self.entries
            positions.remove(found, hash: Self.hash(key: KnownVersions.key(id))) { Self.hash(key: KnownVersions.key(entries[$0].info.pkiID)) }
        }
        let last = entries.count - 1
        if found < last {
            positions.move(from: last, to: found, hash: Self.hash(key: KnownVersions.key(entries[last].info.pkiID)))
            entries[found] = entries[last]
        }
        entries.removeLast()
    }

    /// Every (PKI-ID, version) held of the peers `include` accepts.
    func forEachVersion(where include: (PKIID) -> Bool, _ body: (PKIID, PeerTime) -> Void) {
        for entry in entries where include(entry.info.pkiID) { body(entry.info.pkiID, Self.time(of: entry)) }
    }

    mutating func setHeight(_ height: UInt64) {
        guard height != own.height else { return }
        own = StateInfo(pkiID: own.pkiID, channelMAC: ownMAC, height: height,
                        time: PeerTime(incarnation: own.time.incarnation, sequence: own.time.sequence))
        published = false
    }

    /// A new own state info to publish if the height changed since the last one (or none was published).
    mutating func publishIfChanged() -> StateInfo? {
        guard !published else { return nil }
        published = true
        digest ^= Self.hash(own.pkiID, own.time)
        own = StateInfo(pkiID: own.pkiID, channelMAC: ownMAC, height: own.height,
                        time: PeerTime(incarnation: own.time.incarnation, sequence: own.time.sequence + 1))
        digest ^= Self.hash(own.pkiID, own.time)
        return own
    }
}
