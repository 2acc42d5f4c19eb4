import FabnetModel

/// One channel's block flow at one peer: blocks arrive from the orderer (at the leader) or from
/// other peers, are committed strictly in order, and are pushed on to the org.
///
/// Guarantees and rules:
/// - `commit` effects come in block order, each block once; a block ahead of the height waits in
///   a reorder buffer of `state.blockBufferSize` (farther ahead is dropped, as Fabric; state
///   transfer fetches it later).
/// - Push (Fabric's emitter): a new block is queued; the queue is emitted when it holds
///   `maxPropagationBurstSize` blocks or `maxPropagationBurstLatency` after its first block, each
///   block to `propagatePeerNum` random org peers of the channel, `propagateIterations` times.
///   Blocks stay inside the org and never go back to the peer they came from.
/// - The last `maxBlockCountToStore` blocks are kept for pull and state transfer.
public struct BlockDissemination: Sendable {
    public enum Event: Sendable {
        case fromOrderer(GossipBlock)
        case received(GossipBlock, from: PKIID)
        case emitTimer
        /// The org peers of this channel this peer can push to (id → endpoint), from membership.
        case orgPeers([PKIID: Endpoint])
    }

    public enum Effect: Hashable, Sendable {
        case push(GossipBlock, to: PKIID, Endpoint)
        case commit(GossipBlock)
        case scheduleEmit(at: GossipTime)
    }

    let settings: GossipSettings
    /// The next block to commit.
    public private(set) var height: UInt64
    private var buffer: [UInt64: GossipBlock] = [:]
    private var recent: [UInt64: GossipBlock] = [:]
    private var queue: [(block: GossipBlock, from: PKIID?)] = []
    private var orgPeers: [PKIID: Endpoint] = [:]
    private var sortedPeers: [PKIID] = []
    public private(set) var duplicates = 0

    public init(settings: GossipSettings, height: UInt64) {
        self.settings = settings
        self.height = height
    }

    /// A stored recent block, for pull and state transfer.
    public func block(_ number: UInt64) -> GossipBlock? { recent[number] }

    public mutating func handle(_ event: Event, now: GossipTime, random: inout some RandomNumberGenerator) -> [Effect] {
        switch event {
        case .orgPeers(let peers):
            orgPeers = peers
            sortedPeers = peers.keys.sorted()
            return []
        case .fromOrderer(let block):
            return accept(block, from: nil, now: now, random: &random)
        case let .received(block, sender):
            return accept(block, from: sender, now: now, random: &random)
        case .emitTimer:
            return emit(random: &random)
        }
    }

    private mutating func accept(_ block: GossipBlock, from sender: PKIID?, now: GossipTime,
                                 random: inout some RandomNumberGenerator) -> [Effect] {
        guard block.number >= height, buffer[block.number] == nil else {
            duplicates += 1
            return []
        }
        guard block.number < height + UInt64(settings.state.blockBufferSize) else { return [] }
        buffer[block.number] = block
        var effects: [Effect] = []
        while let next = buffer.removeValue(forKey: height) {
            effects.append(.commit(next))
            recent[next.number] = next
            if next.number >= UInt64(settings.maxBlockCountToStore) { recent[next.number - UInt64(settings.maxBlockCountToStore)] = nil }
            height += 1
        }
        queue.append((block, sender))
        if queue.count >= settings.maxPropagationBurstSize {
            effects += emit(random: &random)
        } else if queue.count == 1 {
            effects.append(.scheduleEmit(at: now + settings.maxPropagationBurstLatency))
        }
        return effects
    }

    private mutating func emit(random: inout some RandomNumberGenerator) -> [Effect] {
        let batch = queue
        queue = []
        var effects: [Effect] = []
        for (block, sender) in batch {
            for _ in 0..<max(1, settings.propagateIterations) {
                var candidates = sortedPeers.filter { $0 != sender }
                candidates.shuffle(using: &random)
                for peer in candidates.prefix(settings.propagatePeerNum) {
                    if let endpoint = orgPeers[peer] { effects.append(.push(block, to: peer, endpoint)) }
                }
            }
        }
        return effects
    }
}
