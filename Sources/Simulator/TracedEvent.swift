import FabnetModel
import GossipCore

/// A peer's event as its trace keeps it (`EventTrace`): messages that list members, versions or
/// blocks (a membership request naming every member, a response or snapshot listing them, a
/// batch of blocks) as their kind and size only; the rest whole (a pushed block keeps its relay
/// list, at most the org ÷ the fanout). The trace keeps each peer's last 40 events; whole, the
/// requests among them held 52 MB at 1,000 simulated peers.
enum TracedEvent {
    case timer(GossipPeer.Timer)
    case deliver(message: GossipMessage, signer: Int)
    /// A big message: its `GossipMessage.kinds` index and how many entries it carried.
    case deliverSummary(kind: Int, entries: Int, signer: Int)
    case fromOrderer(channel: String, number: UInt64)

    init(_ event: SimulatedNetwork.Peer.Event) {
        switch event {
        case let .timer(timer, _):
            self = .timer(timer)
        case let .fromOrderer(channel, block):
            self = .fromOrderer(channel: channel, number: block.number)
        case let .deliver(message, signer, _):
            if let entries = Self.entries(of: message) {
                self = .deliverSummary(kind: message.kindIndex, entries: entries, signer: signer)
            } else {
                self = .deliver(message: message, signer: signer)
            }
        }
    }

    /// How many entries a message of a kind that grows with the network carries; nil for one
    /// of bounded size.
    private static func entries(of message: GossipMessage) -> Int? {
        switch message {
        case let .membership(.alive(batch)): return batch.count
        case let .membership(.request(_, _, known)): return known.count
        case let .membership(.response(alive, dead)): return alive.count + dead.count
        case let .channel(_, .stateInfoRequest(_, known)): return known.count
        case let .channel(_, .stateInfoSnapshot(infos)): return infos.count
        case let .channel(_, .stateInfoHeights(claims)): return claims.count
        case let .channel(_, .stateResponse(_, blocks)): return blocks.count
        case let .channel(_, .pull(.update(_, blocks))): return blocks.count
        case let .channel(_, .pull(.digest(_, numbers))), let .channel(_, .pull(.request(_, numbers))): return numbers.count
        default: return nil
        }
    }
}
