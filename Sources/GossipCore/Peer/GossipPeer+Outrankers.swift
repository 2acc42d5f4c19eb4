import FabnetModel

extension GossipPeer {
    /// While `channel`'s election waits for the org members that outrank this peer
    /// (`LeaderElection.awaitsOutrankers`): the lowest `LeaderElection.loudProposers` live org
    /// members with a lower PKI-ID whose state info has not come are each sent this peer's alive
    /// message and state info and asked for theirs, once. At one height they are the likely
    /// leaders: the leader then counts this peer in its view (its declarations reach it), and
    /// this peer sees the leader before its first election, instead of waiting for snapshot
    /// pulls to carry either (100 real peers joining a channel had 25–40 leaders for a moment).
    mutating func introduceToOutrankers(_ channel: String) -> [Effect] {
        guard let state = states[channel], let lacking = orgMembersWithoutStateInfo[channel] else { return [] }
        var introduced = outrankersIntroduced[channel] ?? []
        var effects: [Effect] = []
        let own = configuration.pkiID
        // `pairs` is sorted by PKI-ID: the first ones below this peer's are the lowest.
        for (id, endpoint) in lacking.pairs.lazy.prefix(while: { $0.0 < own }).prefix(LeaderElection.loudProposers)
        where introduced.insert(id).inserted {
            // Its alive message first: a member it does not know yet (a restarted org starts
            // over a few seconds) would drop the request unanswered.
            effects.append(.send(.membership(.ping(nonce: 0, sender: membership.selfAlive, updates: [])), to: .peer(id, endpoint)))
            effects.append(.send(.channel(state.ownMAC, .stateInfo(state.own)), to: .peer(id, endpoint)))
            effects.append(.send(.channel(state.ownMAC, .stateInfoRequest(digest: nil)), to: .peer(id, endpoint)))
        }
        outrankersIntroduced[channel] = introduced
        return effects
    }
}
