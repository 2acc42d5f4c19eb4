import FabnetModel

/// Which version of each peer's signed message (its alive message, or its state info in a
/// channel) a requester holds: a peer's key (the first 8 bytes of its PKI-ID) and the message's
/// time. A responder sends only newer ones, as Fabric's pull sends only the messages whose
/// digests the requester lacks. At 100 starting peers, full answers to snapshot and membership
/// requests (57 and 65 KB each) were most of the bytes the network received.
///
/// Guarantees: `knows` is true only when the requester holds a message of the same key that is
/// not older; a key shared by two peers (a 2⁻⁶⁴ chance per pair) can only hide one peer's newer
/// message from this one responder, and its next change travels by push anyway.
public struct KnownVersions: Hashable, Sendable {
    public var times: [UInt64: PeerTime]

    public init(times: [UInt64: PeerTime] = [:]) { self.times = times }

    /// Nothing known: the responder sends everything it may disclose.
    public static let none = KnownVersions()

    public static func key(_ id: PKIID) -> UInt64 {
        id.bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    public func knows(_ id: PKIID, at time: PeerTime) -> Bool {
        times[Self.key(id)].map { $0 >= time } ?? false
    }

    public func knows(_ info: StateInfo) -> Bool { knows(info.pkiID, at: info.time) }

    public mutating func insert(_ id: PKIID, at time: PeerTime) { times[Self.key(id)] = time }

    /// About 18 bytes per entry on the wire (packed fixed64 and two varints).
    public var estimatedWireSize: Int { 18 * times.count }
}

extension ChannelStateInfo {
    /// The state infos this peer holds, own included, to send with a snapshot request.
    public var versions: KnownVersions {
        var known = KnownVersions(times: [KnownVersions.key(own.pkiID): own.time])
        known.times.reserveCapacity(infos.count + 1)
        for (id, info) in infos { known.insert(id, at: info.time) }
        return known
    }
}
