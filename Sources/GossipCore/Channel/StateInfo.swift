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
/// Guarantees: only a newer state info replaces a known one; the peer's own state info gets a
/// new sequence exactly when it is published with a changed height (`publishIfChanged`), so
/// receivers can drop stale copies.
public struct ChannelStateInfo: Sendable {
    public let channel: String
    public let ownMAC: ChannelMAC
    /// Latest state info of every other peer heard of in this channel.
    public private(set) var infos: [PKIID: StateInfo] = [:]
    public private(set) var own: StateInfo
    private var published = false
    /// The XOR of every known state info's (PKI-ID, time) hash, own included: two peers with the
    /// same digest know the same state infos.
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
        digest = Self.hash(own)
    }

    static func hash(_ info: StateInfo) -> UInt64 {
        StableHash.mix(info.pkiID.stableHash ^ StableHash.mix(info.time.incarnation &+ StableHash.mix(info.time.sequence)))
    }

    /// Whether `info` would be news (cheap: no MAC check), to skip copies early.
    func isNewer(_ info: StateInfo) -> Bool {
        info.pkiID != own.pkiID && (infos[info.pkiID].map { $0.time < info.time } ?? true)
    }

    /// Records `info` if it is newer than what is known; returns whether the peer is new to the channel view.
    @discardableResult
    mutating func record(_ info: StateInfo) -> (isNewer: Bool, isNewPeer: Bool) {
        guard info.pkiID != own.pkiID else { return (false, false) }
        let known = infos[info.pkiID]
        guard known.map({ $0.time < info.time }) ?? true else { return (false, false) }
        infos[info.pkiID] = info
        if known == nil { peers.insert(info.pkiID) }
        highestHeight = max(highestHeight, info.height)
        if let known { digest ^= Self.hash(known) }
        digest ^= Self.hash(info)
        return (true, known == nil)
    }

    /// Forgets `id`'s state info (membership purged it): its signed form goes with it. The
    /// highest height stays (an upper bound either way).
    mutating func forget(_ id: PKIID) {
        guard let known = infos.removeValue(forKey: id) else { return }
        peers.remove(id)
        digest ^= Self.hash(known)
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
        digest ^= Self.hash(own)
        own = StateInfo(pkiID: own.pkiID, channelMAC: ownMAC, height: own.height,
                        time: PeerTime(incarnation: own.time.incarnation, sequence: own.time.sequence + 1))
        digest ^= Self.hash(own)
        return own
    }

    public func height(of pkiID: PKIID) -> UInt64? { pkiID == own.pkiID ? own.height : infos[pkiID]?.height }
}
