import FabnetModel
import GossipCore

/// Estimated bytes a gossip message takes on the wire: its protobuf payload plus a signed
/// envelope (signature, framing). An estimate for comparing runs, not an exact count.
enum MessageSize {
    static let envelope = 110
    static let alive = 100
    static let pkiID = 34
    static let stateInfo = 100

    static func of(_ message: GossipMessage) -> Int {
        switch message {
        case .membership(let inner): return envelope + of(inner)
        case .channel(_, let inner): return envelope + 34 + of(inner)
        }
    }

    static func of(_ message: MembershipMessage) -> Int {
        switch message {
        case .alive(let batch): return batch.count * (alive + envelope)
        case let .request(_, _, known): return alive + 8 + known.estimatedWireSize
        case let .response(alive, dead): return (alive.count + dead.count) * (Self.alive + envelope)
        case let .ping(_, sender, updates): return 16 + (sender == nil ? 0 : alive + envelope) + of(updates)
        case let .pingRequest(_, _, _, updates): return 16 + alive + envelope + of(updates)
        case let .ack(_, updates): return 16 + of(updates)
        case .want(let ids): return 8 + ids.count * pkiID
        case .versionDigest: return alive + 8
        case .versionsWanted: return 2
        }
    }

    /// Signed alive messages at full size, claims and announcements (a PKI-ID and a time) at 50 bytes.
    static func of(_ updates: [MembershipUpdate]) -> Int {
        updates.reduce(0) { total, update in
            if case .alive = update { return total + alive + envelope }
            return total + pkiID + 16
        }
    }

    static func of(_ message: ChannelMessage) -> Int {
        switch message {
        case .leadership: return 70
        case let .block(block, relay): return block.data.count + 16 + relay.count * 34
        case .pull(.hello), .stateRequest: return 24
        case .stateInfoRequest(_, let known): return 24 + known.estimatedWireSize
        case let .pull(.digest(_, numbers)), let .pull(.request(_, numbers)): return 12 + numbers.count * 8
        case let .pull(.update(_, blocks)), let .stateResponse(_, blocks): return 12 + blocks.reduce(0) { $0 + $1.data.count + 16 }
        case .stateInfo: return stateInfo
        case .stateInfoSnapshot(let infos): return infos.count * (stateInfo + envelope)
        case .stateInfoHeights(let claims): return 24 + claims.count * HeightClaim.estimatedWireSize
        }
    }

    /// The blocks a message carries (for copy counts and hops).
    static func blocks(in message: GossipMessage) -> [GossipBlock] {
        switch message {
        case .channel(_, .block(let block, _)): return [block]
        case let .channel(_, .pull(.update(_, blocks))), let .channel(_, .stateResponse(_, blocks)): return blocks
        default: return []
        }
    }
}
