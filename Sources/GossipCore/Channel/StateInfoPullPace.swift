import FabnetModel

/// How often a peer pulls one channel's state info under SWIM: every `requestStateInfoInterval`
/// while what it holds of the channel keeps changing, and at twice the previous interval, up to
/// `maximumFactor` times it, while nothing changed since the previous pull.
///
/// "Changed" is the channel's view digest (`ChannelStateInfo.digest`, the versions of every
/// peer's state info, its own included): a new height anywhere, a new channel peer, a peer
/// forgotten. Committing a block changes every peer's own height, so while blocks flow every
/// peer pulls at the fast pace; an idle network's pulls, which usually bring nothing (the
/// responder sees the same digest and stays silent), were a third of the messages it exchanged.
///
/// Guarantees: the interval is always between `base` and `maximumFactor × base`; the first
/// pull after any change comes at most `maximumFactor × base` after the previous pull, and
/// every pull after it at `base` until the digest holds still again. Pure: no clock.
struct StateInfoPullPace: Sendable, Equatable {
    static let maximumFactor = 4

    private var digestAtLastPull: UInt64?
    private(set) var factor = 1

    /// The pause before the next pull, taken at a pull that sees `digest`.
    mutating func next(digest: UInt64, base: Duration) -> Duration {
        factor = digest == digestAtLastPull ? min(2 * factor, Self.maximumFactor) : 1
        digestAtLastPull = digest
        return base * factor
    }
}
