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
/// - Pull (Fabric's hello / digest / request / update): every `pullInterval` the peer says hello
///   with a fresh nonce to `pullPeerNum` random org peers; they answer with the numbers of the
///   blocks they hold; after `digestWaitTime` it requests each missing block from one peer that
///   has it; a responder answers a request only for a hello nonce it saw within
///   `requestWaitTime`; the initiator takes updates for its own nonces only, until
///   `digestWaitTime + responseWaitTime` after its hello. Pulled blocks are committed, not pushed.
public struct BlockDissemination: Sendable {
    public enum Event: Sendable {
        case fromOrderer(GossipBlock)
        case received(GossipBlock, from: PKIID)
        case emitTimer
        case pullTimer
        case digestWaitOver(nonce: UInt64)
        case pull(PullMessage, from: PKIID)
        /// The org peers of this channel this peer can push to (id → endpoint), from membership.
        case orgPeers([PKIID: Endpoint])
        /// Blocks fetched by state transfer: committed in order, not pushed on.
        case transferred([GossipBlock])
    }

    public enum Effect: Hashable, Sendable {
        case push(GossipBlock, to: PKIID, Endpoint)
        case commit(GossipBlock)
        case scheduleEmit(at: GossipTime)
        case sendPull(PullMessage, to: PKIID, Endpoint)
        case schedulePull(at: GossipTime)
        case scheduleDigestWait(nonce: UInt64, at: GossipTime)
    }

    /// One round this peer started: when, and who holds which blocks.
    struct PullRound: Sendable {
        let started: GossipTime
        var digests: [PKIID: [UInt64]] = [:]
    }

    let settings: GossipSettings
    /// The next block to commit.
    public private(set) var height: UInt64
    private var buffer: [UInt64: GossipBlock] = [:]
    private var recent: [UInt64: GossipBlock] = [:]
    private var queue: [(block: GossipBlock, from: PKIID?)] = []
    private var orgPeers: [PKIID: Endpoint] = [:]
    private var sortedCache: [PKIID]?
    /// The org peers in id order (sorted when first needed after a change: draws must not
    /// depend on dictionary order).
    private var sortedPeers: [PKIID] {
        mutating get {
            if let sortedCache { return sortedCache }
            let sorted = orgPeers.keys.sorted()
            sortedCache = sorted
            return sorted
        }
    }
    public private(set) var duplicates = 0
    private var rounds: [UInt64: PullRound] = [:]
    /// Hello nonces of other peers, with when they were heard (a request must name one).
    private var hellos: [UInt64: (peer: PKIID, heard: GossipTime)] = [:]

    public init(settings: GossipSettings, height: UInt64) {
        self.settings = settings
        self.height = height
    }

    /// The org peers of this channel this peer can push to (the `orgPeers` event, without effects).
    public mutating func setOrgPeers(_ peers: [PKIID: Endpoint]) {
        orgPeers = peers
        sortedCache = nil
    }

    /// A stored recent block, for pull and state transfer.
    public func block(_ number: UInt64) -> GossipBlock? { recent[number] }

    /// The committed blocks `numbers`, if all are still in the recent window.
    public func recentBlocks(_ numbers: Range<UInt64>) -> [GossipBlock]? {
        var blocks: [GossipBlock] = []
        for number in numbers {
            guard let block = recent[number] else { return nil }
            blocks.append(block)
        }
        return blocks
    }

    public mutating func handle(_ event: Event, now: GossipTime, random: inout some RandomNumberGenerator) -> [Effect] {
        switch event {
        case .orgPeers(let peers):
            setOrgPeers(peers)
            return []
        case .fromOrderer(let block):
            return accept(block, from: nil, now: now, random: &random)
        case let .received(block, sender):
            return accept(block, from: sender, now: now, random: &random)
        case .emitTimer:
            return emit(random: &random)
        case .pullTimer:
            return startPullRound(now: now, random: &random)
        case .digestWaitOver(let nonce):
            return requestMissing(nonce: nonce, now: now, random: &random)
        case let .pull(message, sender):
            return answer(message, from: sender, now: now, random: &random)
        case .transferred(let blocks):
            return blocks.flatMap { store($0) }
        }
    }

    // MARK: pull

    private mutating func startPullRound(now: GossipTime, random: inout some RandomNumberGenerator) -> [Effect] {
        let horizon = settings.digestWaitTime + settings.responseWaitTime
        rounds = rounds.filter { now - $0.value.started <= horizon }
        hellos = hellos.filter { now - $0.value.heard <= settings.requestWaitTime }
        var effects: [Effect] = [.schedulePull(at: now + settings.pullInterval)]
        var candidates = sortedPeers
        candidates.shuffle(using: &random)
        let targets = candidates.prefix(settings.pullPeerNum)
        guard !targets.isEmpty else { return effects }
        let nonce = random.next()
        rounds[nonce] = PullRound(started: now)
        for peer in targets { if let endpoint = orgPeers[peer] { effects.append(.sendPull(.hello(nonce: nonce), to: peer, endpoint)) } }
        effects.append(.scheduleDigestWait(nonce: nonce, at: now + settings.digestWaitTime))
        return effects
    }

    private mutating func requestMissing(nonce: UInt64, now: GossipTime, random: inout some RandomNumberGenerator) -> [Effect] {
        guard let round = rounds[nonce] else { return [] }
        var wanted: [PKIID: [UInt64]] = [:]
        let offered = Set(round.digests.values.flatMap { $0 })
        for number in offered.sorted() where number >= height && buffer[number] == nil
            && number < height + UInt64(settings.state.blockBufferSize) {
            let holders = round.digests.keys.filter { round.digests[$0]!.contains(number) }.sorted()
            guard let holder = holders.randomElement(using: &random) else { continue }
            wanted[holder, default: []].append(number)
        }
        return wanted.keys.sorted().compactMap { peer in
            guard let endpoint = orgPeers[peer] else { return nil }
            return .sendPull(.request(nonce: nonce, numbers: wanted[peer]!), to: peer, endpoint)
        }
    }

    private mutating func answer(_ message: PullMessage, from sender: PKIID, now: GossipTime,
                                 random: inout some RandomNumberGenerator) -> [Effect] {
        switch message {
        case .hello(let nonce):
            guard let endpoint = orgPeers[sender] else { return [] }
            hellos[nonce] = (sender, now)
            let held = (Array(recent.keys) + Array(buffer.keys)).sorted()
            return [.sendPull(.digest(nonce: nonce, numbers: held), to: sender, endpoint)]
        case let .digest(nonce, numbers):
            guard var round = rounds[nonce], now - round.started <= settings.digestWaitTime else { return [] }
            round.digests[sender] = numbers
            rounds[nonce] = round
            return []
        case let .request(nonce, numbers):
            guard let hello = hellos[nonce], hello.peer == sender, now - hello.heard <= settings.requestWaitTime,
                  let endpoint = orgPeers[sender] else { return [] }
            let blocks = numbers.compactMap { recent[$0] ?? buffer[$0] }
            return blocks.isEmpty ? [] : [.sendPull(.update(nonce: nonce, blocks: blocks), to: sender, endpoint)]
        case let .update(nonce, blocks):
            // Only answers to our own, still open rounds: a foreign or late nonce is ignored.
            guard let round = rounds[nonce], now - round.started <= settings.digestWaitTime + settings.responseWaitTime else { return [] }
            var effects: [Effect] = []
            for block in blocks { effects += store(block) }
            return effects
        }
    }

    /// Buffers a new block and commits what is now in order; empty (and counted as a duplicate)
    /// when the block is already committed or buffered.
    private mutating func store(_ block: GossipBlock) -> [Effect] {
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
        return effects
    }

    private mutating func accept(_ block: GossipBlock, from sender: PKIID?, now: GossipTime,
                                 random: inout some RandomNumberGenerator) -> [Effect] {
        let isNew = block.number >= height && buffer[block.number] == nil && block.number < height + UInt64(settings.state.blockBufferSize)
        var effects = store(block)
        guard isNew else { return effects }
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
            for _ in 0..<settings.propagateIterations {  // 0 turns push off (Fabric would read 0 as 1)
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

/// Pull traffic of one channel among one org's peers.
public enum PullMessage: Hashable, Sendable {
    case hello(nonce: UInt64)
    case digest(nonce: UInt64, numbers: [UInt64])
    case request(nonce: UInt64, numbers: [UInt64])
    case update(nonce: UInt64, blocks: [GossipBlock])
}
