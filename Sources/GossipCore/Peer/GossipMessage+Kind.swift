extension GossipMessage {
    /// Every value of `kind`, in the order the metrics list them (`kindIndex` is a position here).
    public static let kinds = ["alive", "membership_request", "membership_response", "ping", "ack", "ping_request",
                               "leadership", "block", "pull", "state_info", "state_info_request", "state_info_snapshot",
                               "state_request", "state_response", "state_info_heights", "membership_want",
                               "membership_digest", "membership_versions_wanted"]

    /// The message's kind as the `kind` label of `fabnet_gossip_received_messages_total` and the
    /// simulator's traffic table name it (one of `kinds`): what a peer spends its gossip on.
    public var kind: String { Self.kinds[kindIndex] }

    /// The position of `kind` in `kinds` (for tallies kept in arrays).
    public var kindIndex: Int {
        switch self {
        case .membership(.alive): 0
        case .membership(.request): 1
        case .membership(.response): 2
        case .membership(.ping): 3
        case .membership(.ack): 4
        case .membership(.pingRequest): 5
        case .channel(_, .leadership): 6
        case .channel(_, .block): 7
        case .channel(_, .pull): 8
        case .channel(_, .stateInfo): 9
        case .channel(_, .stateInfoRequest): 10
        case .channel(_, .stateInfoSnapshot): 11
        case .channel(_, .stateRequest): 12
        case .channel(_, .stateResponse): 13
        case .channel(_, .stateInfoHeights): 14
        case .membership(.want): 15
        case .membership(.versionDigest): 16
        case .membership(.versionsWanted): 17
        }
    }
}
