import FabnetModel

/// A peer's ledger height in a channel as another peer of its org relays it: the creator's
/// state-info time and height without the creator's signature, 20 bytes on the wire where a
/// signed state info takes about 210. The peer is named by its key (the first 8 bytes of its
/// PKI-ID, as `KnownVersions`).
///
/// Guarantees, with `ChannelStateInfo.record(_:)`: a claim counts only for a peer whose own
/// signed state info for the channel is already held (so only a peer's own signature ever makes
/// it a channel peer), only in that state info's incarnation, and only from a relayer of the
/// peer's own org that is itself a channel peer (the receiving core checks that); a claim never
/// replaces a newer version, and the peer's next signed state info replaces any claim. A relayer
/// that lies can make an org mate's height look wrong to the peers that take its word, until
/// that peer's next signed state info reaches them (a state transfer meanwhile may ask it in
/// vain, then another peer); it can never add a peer to a channel.
public struct HeightClaim: Hashable, Sendable {
    public let key: UInt64
    public let time: PeerTime
    public let height: UInt64

    public init(key: UInt64, time: PeerTime, height: UInt64) {
        self.key = key
        self.time = time
        self.height = height
    }

    /// About 20 bytes on the wire (a fixed64 key and three varints in packed columns).
    public static let estimatedWireSize = 20
}
