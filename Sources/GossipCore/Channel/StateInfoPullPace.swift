/// When a peer pulls one channel's state info under SWIM. The pull timer ticks every
/// `requestStateInfoInterval`; a tick pulls when what the peer holds of the channel changed
/// since its last pull, and otherwise only every second, then every fourth tick
/// (`maximumFactor`) while nothing changes.
///
/// "Changed" is the channel's view digest (`ChannelStateInfo.digest`, the versions of every
/// peer's state info, its own included): a new height anywhere, a new channel peer, a peer
/// forgotten. Committing a block changes every peer's own height, so while blocks flow every
/// tick pulls, as before; an idle network's pulls, which usually bring nothing (the responder
/// sees the same digest and stays silent), were a third of the messages it exchanged.
///
/// Guarantees: a tick that sees a change pulls; consecutive pulls are at most `maximumFactor`
/// ticks apart; the gap grows 1, 2, 4 ticks only while the digest holds still. Pure: no clock.
struct StateInfoPullPace: Sendable, Equatable {
    static let maximumFactor = 4

    private var digestAtLastPull: UInt64?
    private var ticksSincePull = 0
    private(set) var factor = 1

    /// At a tick that sees `digest`: whether to pull now.
    mutating func shouldPull(digest: UInt64) -> Bool {
        if digest != digestAtLastPull {
            (digestAtLastPull, ticksSincePull, factor) = (digest, 0, 1)
            return true
        }
        ticksSincePull += 1
        guard ticksSincePull >= factor else { return false }
        (ticksSincePull, factor) = (0, min(2 * factor, Self.maximumFactor))
        return true
    }
}
