import FabnetModel

/// Every message one peer's gossip sends.
public enum GossipMessage: Hashable, Sendable {
    case membership(MembershipMessage)
    /// Traffic of one channel, which the sender names by its `ChannelMAC` (never in clear).
    case channel(ChannelMAC, ChannelMessage)
}

/// The messages of one channel. Blocks, pull and leadership stay among one org's peers of the
/// channel; state info and state transfer go to the channel's peers of any org.
public enum ChannelMessage: Hashable, Sendable {
    case leadership(LeadershipMessage)
    /// A pushed block, with the peers the receiver relays it to (tree push; empty otherwise).
    case block(GossipBlock, relay: [PKIID])
    case pull(PullMessage)
    /// A peer's ledger height, from its creator (pushed when it changes).
    case stateInfo(StateInfo)
    /// "Tell me the channel's heights": without a digest, answered with the responder's own state
    /// info; with the requester's `ChannelStateInfo.digest`, with the heights of the responder's
    /// own org it may disclose to the requester and that are newer than the requester's
    /// (`known`; signed state infos, or height claims), unless the digests are equal or nothing
    /// is newer (see `GossipPeer`'s snapshot answer for the bounds). Carries nothing of the channel but which peers'
    /// versions the requester holds, keyed by PKI-ID (no channel name, no heights).
    case stateInfoRequest(digest: UInt64?, known: KnownVersions = .none)
    /// State infos of many peers, each signed by its creator.
    case stateInfoSnapshot([StateInfo])
    /// Heights of peers of the sender's org as the sender relays them, unsigned by their
    /// creators (see `HeightClaim`): a snapshot's news for a requester that holds a signed
    /// state info of the same incarnation.
    case stateInfoHeights([HeightClaim])
    /// State transfer: "send me `count` blocks from `first`".
    case stateRequest(nonce: UInt64, first: UInt64, count: Int)
    case stateResponse(nonce: UInt64, blocks: [GossipBlock])

    /// Whether the message carries something of its channel (blocks, heights, leadership) that
    /// must never reach a peer outside it.
    public var carriesChannelContent: Bool {
        switch self {
        case .stateInfoRequest, .stateRequest: return false
        default: return true
        }
    }
}
