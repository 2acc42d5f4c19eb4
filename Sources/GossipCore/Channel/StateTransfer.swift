import FabnetModel

/// Catching up one channel's ledger from other peers (Fabric's state transfer / anti-entropy),
/// as a pure state machine.
///
/// Guarantees and rules:
/// - Every `state.checkInterval` the peer compares its height with the highest height the
///   channel's peers published. It asks for blocks when it is behind and either made no progress
///   since the last check (push and pull have not closed the gap) or is `farBehind` or more
///   behind: the smaller of `blockBufferSize` (push would drop such blocks) and
///   `maxBlockCountToStore` (they have left the pull window).
/// - A published height `farBehind` or more above its own starts a request at once when none is
///   in flight (a restarted peer does not wait for its first check).
/// - It asks one peer at a time for the next `batchSize` blocks, choosing at random among the
///   peers (of any org in the channel) whose height covers the batch. One request is in flight;
///   an answer immediately triggers the next request while the peer is still behind, so a long
///   catch-up runs back to back without waiting for the next check.
/// - No answer within `responseTimeout`: the request goes to another peer, up to `maxRetries`
///   retries; then it waits for the next check.
/// - Only the answer to the request in flight (its nonce, from the peer asked) is accepted;
///   blocks outside the requested range are ignored by the caller.
public struct StateTransfer: Sendable {
    public enum Effect: Hashable, Sendable {
        case request(nonce: UInt64, first: UInt64, count: Int, to: PKIID)
        case scheduleTimeout(nonce: UInt64, at: GossipTime)
        case scheduleCheck(at: GossipTime)
        case log(String)
    }

    /// The request in flight.
    public struct Request: Hashable, Sendable {
        public let nonce: UInt64
        public let first: UInt64
        public let count: Int
        public let peer: PKIID
        let retry: Int
        let tried: Set<PKIID>
    }

    let settings: GossipSettings.State
    /// A gap at least this big is closed at once, without waiting for a check without progress.
    let farBehind: UInt64
    public private(set) var inFlight: Request?
    private var heightAtLastCheck: UInt64?
    public private(set) var requestsSent = 0
    public private(set) var timeouts = 0

    /// `pullWindow`: `maxBlockCountToStore`, the blocks pull can still fetch.
    public init(settings: GossipSettings.State, pullWindow: Int? = nil) {
        self.settings = settings
        farBehind = UInt64(max(1, min(settings.blockBufferSize, pullWindow ?? settings.blockBufferSize)))
    }

    /// The first check, `checkInterval` after start (nothing when state transfer is off).
    public func start(now: GossipTime) -> [Effect] {
        settings.enabled ? [.scheduleCheck(at: now + settings.checkInterval)] : []
    }

    /// The periodic check. `highest`: an upper bound of the channel peers' heights (cheap);
    /// `sources`: the heights of the channel peers this peer can reach, computed only when needed.
    public mutating func check(height: UInt64, highest: UInt64, sources: () -> [PKIID: UInt64], now: GossipTime,
                               random: inout some RandomNumberGenerator) -> [Effect] {
        guard settings.enabled else { return [] }
        var effects: [Effect] = [.scheduleCheck(at: now + settings.checkInterval)]
        let stalled = heightAtLastCheck == height
        heightAtLastCheck = height
        guard inFlight == nil, highest > height, stalled || highest - height >= farBehind else { return effects }
        let reachable = sources()
        guard let best = reachable.values.max(), best > height else { return effects }
        guard stalled || best - height >= farBehind else { return effects }
        effects += ask(height: height, sources: reachable, retry: 0, tried: [], now: now, random: &random)
        return effects
    }

    /// A channel peer's height was heard: asks at once when `farBehind` or more behind and idle.
    public mutating func heard(height: UInt64, highest: UInt64, sources: () -> [PKIID: UInt64], now: GossipTime,
                               random: inout some RandomNumberGenerator) -> [Effect] {
        guard settings.enabled, inFlight == nil, highest >= height + farBehind else { return [] }
        return ask(height: height, sources: sources(), retry: 0, tried: [], now: now, random: &random)
    }

    /// An answer arrived: the request it answers if it is the one in flight (its nonce, from the
    /// peer asked), else `nil` (to be ignored). The caller stores the blocks, then calls `resume`.
    public mutating func answered(nonce: UInt64, by peer: PKIID) -> Request? {
        guard let request = inFlight, request.nonce == nonce, request.peer == peer else { return nil }
        inFlight = nil
        return request
    }

    /// After an answer was stored: the next batch while still behind.
    public mutating func resume(height: UInt64, sources: [PKIID: UInt64], now: GossipTime,
                                random: inout some RandomNumberGenerator) -> [Effect] {
        guard settings.enabled, inFlight == nil, let highest = sources.values.max(), highest > height else { return [] }
        heightAtLastCheck = height
        return ask(height: height, sources: sources, retry: 0, tried: [], now: now, random: &random)
    }

    /// The request with `nonce` got no answer in time: ask another peer, or give up until the next check.
    public mutating func timedOut(nonce: UInt64, height: UInt64, sources: [PKIID: UInt64], now: GossipTime,
                                  random: inout some RandomNumberGenerator) -> [Effect] {
        guard let request = inFlight, request.nonce == nonce else { return [] }
        inFlight = nil
        timeouts += 1
        guard request.retry < settings.maxRetries else {
            return [.log("state transfer: no answer for blocks from \(request.first) after \(settings.maxRetries) retries; waiting for the next check")]
        }
        return ask(height: height, sources: sources, retry: request.retry + 1, tried: request.tried, now: now, random: &random)
    }

    private mutating func ask(height: UInt64, sources: [PKIID: UInt64], retry: Int, tried: Set<PKIID>, now: GossipTime,
                                  random: inout some RandomNumberGenerator) -> [Effect] {
        guard let highest = sources.values.max(), highest > height else { return [] }
        let count = Int(min(UInt64(settings.batchSize), highest - height))
        let end = height + UInt64(count)
        let untried = sources.filter { !tried.contains($0.key) && $0.value > height }
        let covering = untried.filter { $0.value >= end }.keys.sorted()
        let candidates = covering.isEmpty ? untried.keys.sorted() : covering
        guard let peer = candidates.randomElement(using: &random) ?? sources.filter({ $0.value > height }).keys.sorted().randomElement(using: &random) else {
            return []
        }
        let nonce = random.next()
        inFlight = Request(nonce: nonce, first: height, count: count, peer: peer, retry: retry, tried: tried.union([peer]))
        requestsSent += 1
        return [.request(nonce: nonce, first: height, count: count, to: peer),
                .scheduleTimeout(nonce: nonce, at: now + settings.responseTimeout)]
    }
}
