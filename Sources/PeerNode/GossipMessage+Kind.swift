import GossipCore

extension GossipMessage {
    /// Every value of `kind`, in the order the metrics list them.
    static let kinds = ["alive", "membership_request", "membership_response", "ping", "ack", "ping_request",
                        "leadership", "block", "pull", "state_info", "state_info_request", "state_info_snapshot",
                        "state_request", "state_response"]

    /// The message's kind as the `kind` label of `fabnet_gossip_received_messages_total` names it
    /// (one of `kinds`): what a peer spends its gossip on, per protocol.
    var kind: String {
        switch self {
        case .membership(.alive): "alive"
        case .membership(.request): "membership_request"
        case .membership(.response): "membership_response"
        case .membership(.ping): "ping"
        case .membership(.ack): "ack"
        case .membership(.pingRequest): "ping_request"
        case .channel(_, .leadership): "leadership"
        case .channel(_, .block): "block"
        case .channel(_, .pull): "pull"
        case .channel(_, .stateInfo): "state_info"
        case .channel(_, .stateInfoRequest): "state_info_request"
        case .channel(_, .stateInfoSnapshot): "state_info_snapshot"
        case .channel(_, .stateRequest): "state_request"
        case .channel(_, .stateResponse): "state_response"
        }
    }
}
