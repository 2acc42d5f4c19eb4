import GossipCore

/// What a peer counts for `/metrics`: blocks by how they arrived, duplicates, bytes in, commits.
struct PeerMetrics: Sendable {
    var committed = 0
    var commitSeconds = 0.0
    var fromOrderer = 0
    /// Bytes of the blocks delivered by the orderer (while leader).
    var bytesFromOrderer = 0
    var byPush = 0
    var byPull = 0
    var byStateTransfer = 0
    var bytesReceived = 0
    var messagesReceived = 0
    var leaderChanges = 0
    /// Commits that failed (after a retry) and halted their channel.
    var commitFailures = 0

    mutating func recordCommit(seconds: Double) {
        committed += 1
        commitSeconds += seconds
    }

    mutating func count(_ message: GossipMessage, bytes: Int) {
        messagesReceived += 1
        bytesReceived += bytes
        guard case .channel(_, let inner) = message else { return }
        switch inner {
        case .block: byPush += 1
        case .pull(.update(_, let blocks)): byPull += blocks.count
        case .stateResponse(_, let blocks): byStateTransfer += blocks.count
        default: break
        }
    }
}
