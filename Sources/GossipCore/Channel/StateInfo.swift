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
    /// The newest signed state info heard of every other peer in this channel.
    public private(set) var infos: [PKIID: StateInfo] = [:]
    /// Relayed versions newer than the signed one held (see `HeightClaim`).
    private var claims: [PKIID: (time: PeerTime, height: UInt64)] = [:]
    /// The peers with a signed state info here, by `KnownVersions.key` (to resolve claims).
    private var keys: [UInt64: PKIID] = [:]
    public private(set) var own: StateInfo
    private var published = false
    /// The XOR of every known peer's (PKI-ID, version time) hash, own included: two peers with
    /// the same digest know the same versions.
    public private(set) var digest: UInt64
    /// The highest height any other peer published (an upper bound: a peer that restarted empty
    /// may be lower now); cheap to check before looking for sources.
    public private(set) var highestHeight: UInt64 = 0
    /// The peers with a state info here, in a deterministic order (to draw targets from).
    private(set) var peers = OrderedIDs()

    public init(channel: String, pkiID: PKIID, incarnation: UInt64, height: UInt64) {
        self.channel = channel
        ownMAC = ChannelMAC(pkiID: pkiID, channel: channel)
        own = StateInfo(pkiID: pkiID, channelMAC: ownMAC, height: height, time: PeerTime(incarnation: incarnation, sequence: 0))
        digest = Self.hash(pkiID, own.time)
    }

    static func hash(_ id: PKIID, _ time: PeerTime) -> UInt64 {
        StableHash.mix(id.stableHash ^ StableHash.mix(time.incarnation &+ StableHash.mix(time.sequence)))
    }

    /// The version held of `id` (own included): the newer of its signed state info and a claim.
    public func time(of id: PKIID) -> PeerTime? {
        if id == own.pkiID { return own.time }
        return claims[id]?.time ?? infos[id]?.time
    }

    public func height(of pkiID: PKIID) -> UInt64? {
        if pkiID == own.pkiID { return own.height }
        return claims[pkiID]?.height ?? infos[pkiID]?.height
    }

    /// Whether `info` would be recorded (cheap: no MAC check), to skip copies early.
    func isNewer(_ info: StateInfo) -> Bool {
        info.pkiID != own.pkiID && (infos[info.pkiID].map { $0.time < info.time } ?? true)
    }

    /// Records `info` if it is newer than the signed state info held; returns whether it was,
    /// and whether the peer is new to the channel view. A newer signed state info replaces any
    /// claim, even one of a later time: the creator's signature outweighs a relayer's word, so
    /// a claim that lied ahead lasts only until the peer's next signed state info arrives.
    @discardableResult
    mutating func record(_ info: StateInfo) -> (isNewer: Bool, isNewPeer: Bool) {
        let id = info.pkiID
        guard id != own.pkiID else { return (false, false) }
        guard infos[id].map({ $0.time < info.time }) ?? true else { return (false, false) }
        if let known = time(of: id) { digest ^= Self.hash(id, known) }
        digest ^= Self.hash(id, info.time)
        let isNewPeer = infos.updateValue(info, forKey: id) == nil
        claims[id] = nil
        if isNewPeer {
            peers.insert(id)
            keys[KnownVersions.key(id)] = id
        }
        highestHeight = max(highestHeight, info.height)
        return (true, isNewPeer)
    }

    /// Records a relayed height of a peer whose signed state info is held, if it is of that
    /// state info's incarnation and newer than the version held; returns the peer if it was.
    /// (That the relayer is of the peer's org is the caller's check: it knows the orgs.)
    mutating func record(_ claim: HeightClaim, where accept: (PKIID) -> Bool) -> PKIID? {
        guard let id = keys[claim.key], let base = infos[id], base.time.incarnation == claim.time.incarnation,
              let known = time(of: id), known < claim.time, accept(id) else { return nil }
        digest ^= Self.hash(id, known)
        digest ^= Self.hash(id, claim.time)
        claims[id] = (claim.time, claim.height)
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
        guard id != own.pkiID, let known = time(of: id) else { return }
        infos[id] = nil
        claims[id] = nil
        keys[KnownVersions.key(id)] = nil
        peers.remove(id)
        digest ^= Self.hash(id, known)
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
