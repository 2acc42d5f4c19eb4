import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(Verification) import FabnetModel
import GossipCore

/// Many peers' protocol cores on a virtual clock and a faulty simulated network: the same seed
/// gives the same run, event for event, on any number of threads.
///
/// The network delivers each message after a latency drawn uniformly from `latency`, drops it
/// with probability `loss`, never delivers across a partition or to a crashed peer, and delivers
/// a message only to the peer it was addressed to (a `.peer` destination whose endpoint now
/// belongs to someone else is dropped). It plays the trusted shell: messages arrive as
/// `Verified` values signed by their sender (and every entry of a batch by its creator), on a
/// connection the sender opened (`via: nil`, as the process); it writes each `commit` to the
/// peer's "ledger" (its commit times) and answers `committed` at once (or `commitFailed` where
/// `failCommits` says so), and serves `serveBlocks` with `GossipPeer.stateResponse` from the
/// orderer's blocks below the serving peer's height, capped as the process caps.
/// Invariants are checked on every delivery and commit (see `violations`); `checkSettled()`
/// adds the end-of-run ones.
///
/// How it runs in parallel and stays deterministic: every peer has its own event queue and its
/// own generator (seeded from the run's seed and its index), which draws its protocol randomness
/// and the latency and loss of what it sends. A message takes at least the minimum latency `W`,
/// so the events of all peers in a window `[t, t + W)` are independent: each peer processes its
/// own, in time order, on whichever thread, and what it sends is merged into the recipients'
/// queues after the window in peer order. Network-wide events (starts, faults, orderer cuts)
/// run alone, before the peers' events at the same time.
public struct SimulatedNetwork {
    public struct Options: Sendable {
        public var latency: ClosedRange<Duration>
        public var loss: Double
        public var seed: UInt64
        /// Threads the peers run on (nil: one per processor). The run is the same for any count.
        public var threads: Int?

        public init(latency: ClosedRange<Duration> = .milliseconds(1)...(.milliseconds(5)), loss: Double = 0, seed: UInt64 = 1,
                    threads: Int? = nil) {
            self.latency = latency
            self.loss = loss
            self.seed = seed
            self.threads = threads
        }
    }

    /// A fault to inject at a chosen time.
    public enum Fault: Sendable, Hashable {
        case crash(Int)
        /// Start a crashed peer again: with its ledger, or with an empty one.
        case restart(Int, keepLedger: Bool)
        /// Peers in different groups cannot reach each other; peers in no group form group 0.
        case partition([[Int]])
        case heal
    }

    /// Events that concern the whole network; they run alone.
    enum NetworkEvent {
        case start(Int, keepLedger: Bool)
        case ordererCut(channel: String, number: UInt64, size: Int)
        case fault(Fault)
    }

    public internal(set) var peers: [Peer] = []
    public internal(set) var now = GossipTime.zero
    /// What every peer may read while the peers run: changed only between windows.
    var shared: SharedView
    var networkEvents = EventQueue<NetworkEvent>()
    var networkTrace = EventTrace<NetworkEvent>(capacity: 40)
    var networkViolations: [(time: GossipTime, what: String)] = []
    var networkTraceAtFirstViolation: [String] = []
    var crashLeaderChanges = 0
    var pendingCuts: [String: Int] = [:]
    public let options: Options

    public init(options: Options = Options()) {
        self.options = options
        shared = SharedView(latency: options.latency, loss: options.loss)
    }

    // MARK: totals

    public var delivered: Int { peers.reduce(0) { $0 + $1.received } }
    public var dropped: Int { peers.reduce(0) { $0 + $1.dropped } }
    /// How often some peer started or stopped pulling from the orderer.
    public var leaderChanges: Int { peers.reduce(crashLeaderChanges) { $0 + $1.leaderChanges } }
    /// Orderer → peer block deliveries (the orderer's egress, in blocks).
    public var ordererDeliveries: Int { peers.reduce(0) { $0 + $1.ordererDeliveries } }
    /// The orderer's blocks by channel, with the time each was cut.
    public var cut: [String: [(block: GossipBlock, at: GossipTime)]] { shared.cut }

    /// Invariant violations seen (empty in a correct run), oldest first.
    public var violations: [String] {
        allViolations.map { "\($0.time): \($0.what)" }
    }

    /// The events that led to the first violation, oldest first: the network's, or those of the
    /// peer where it happened.
    public var traceOfFirstViolation: [String] {
        guard let first = allViolations.first else { return [] }
        return first.peer.map { peers[$0].traceAtFirstViolation } ?? networkTraceAtFirstViolation
    }

    private var allViolations: [(time: GossipTime, peer: Int?, what: String)] {
        var all = networkViolations.map { (time: $0.time, peer: Int?.none, what: $0.what) }
        for peer in peers { all += peer.violations.map { (time: $0.time, peer: Int?.some(peer.index), what: $0.what) } }
        return all.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
    }

    // MARK: setting up

    /// Adds a peer (not started) in `channels`, electing leaders with `mode`. Returns its index.
    @discardableResult
    public mutating func addPeer(_ configuration: MembershipConfiguration, channels: [String] = [],
                                 channelOrganizations: [String: Set<String>] = [:], mode: LeaderElection.Mode = .standby) -> Int {
        let index = peers.count
        // Each peer's own stream, decorrelated from its neighbours' by a SplitMix64 round.
        let seed = StableHash.mix(options.seed ^ StableHash.mix(UInt64(index) &+ 0x5EED))
        peers.append(Peer(index: index, configuration: configuration, channels: channels, channelOrganizations: channelOrganizations,
                          mode: mode, random: SeededGenerator(seed: seed)))
        shared.add(configuration, channels: channels)
        return index
    }

    /// Starts (or restarts, with a new incarnation and an empty view) peer `index` at `time`,
    /// keeping its ledger.
    public mutating func start(_ index: Int, at time: GossipTime? = nil) {
        networkEvents.push(.start(index, keepLedger: true), at: time ?? now)
    }

    /// Stops peer `index` now: it neither sends nor receives until started again.
    public mutating func crash(_ index: Int) {
        peers[index].isRunning = false
        shared.running[index] = false
        if !peers[index].pulling.isEmpty { crashLeaderChanges += 1 }
        peers[index].pulling = []
    }

    /// From now on, peer `index` fails to write blocks of `channel` numbered `number` or higher
    /// (a broken disk; kept across restarts): its core halts the channel at the first failure.
    public mutating func failCommits(of index: Int, channel: String, from number: UInt64) {
        peers[index].failingCommits[channel] = number
    }

    /// Injects `fault` at `time`.
    public mutating func schedule(_ fault: Fault, at time: GossipTime) {
        networkEvents.push(.fault(fault), at: time)
    }

    /// The peers pulling `channel` from the orderer, by org.
    public func leaders(of channel: String) -> [String: [Int]] {
        Dictionary(grouping: peers.indices.filter { peers[$0].isRunning && peers[$0].pulling.contains(channel) }) {
            peers[$0].configuration.mspID
        }
    }

    /// Splits the network: peers in different groups cannot reach each other. Peers in no group
    /// are in group 0.
    public mutating func partition(_ groups: [[Int]]) {
        shared.partition = [:]
        for (group, members) in groups.enumerated() { for member in members { shared.partition[member] = group + 1 } }
    }

    public mutating func heal() { shared.partition = [:] }

    /// Has the orderer cut `count` blocks of `size` bytes on `channel`, one every `interval`,
    /// starting at `start`; each goes to the peers pulling the channel at that moment.
    public mutating func produceBlocks(channel: String, count: Int, every interval: Duration, size: Int, startingAt start: GossipTime) {
        let first = UInt64(shared.cut[channel]?.count ?? 0) + UInt64(pendingCuts[channel] ?? 0)
        pendingCuts[channel, default: 0] += count
        for index in 0..<count {
            networkEvents.push(.ordererCut(channel: channel, number: first + UInt64(index), size: size), at: start + interval * index)
        }
    }

    // MARK: running

    /// Processes events until the virtual clock passes `time`.
    public mutating func run(until time: GossipTime) {
        // Events at `time` itself still run.
        let limit = time + .nanoseconds(1)
        let window = max(options.latency.lowerBound, .nanoseconds(1))
        while true {
            let nextNetwork = networkEvents.nextTime
            // By index: no copy of each peer per window.
            var nextPeer: GossipTime?
            for index in peers.indices {
                if let at = peers[index].queue.nextTime, nextPeer.map({ at < $0 }) ?? true { nextPeer = at }
            }
            guard let next = [nextNetwork, nextPeer].compactMap({ $0 }).min(), next < limit else { break }
            now = next
            if let nextNetwork, nextNetwork == next {
                while let at = networkEvents.nextTime, at == next, let (_, event) = networkEvents.pop() {
                    networkTrace.record(event, at: at)
                    process(event)
                }
            } else {
                runPeers(until: min(next + window, nextNetwork ?? limit, limit))
            }
            mergeOutboxes()
        }
        now = time
    }

    public mutating func run(for duration: Duration) { run(until: now + duration) }

    /// Runs every peer's events before `end`; on several threads when enough peers have some.
    private mutating func runPeers(until end: GossipTime) {
        let busy = peers.indices.filter { peers[$0].queue.nextTime.map { $0 < end } ?? false }
        let view = shared
        let threads = options.threads ?? Self.processors
        if threads < 2 || busy.count < 2 * threads {
            for index in busy { peers[index].process(until: end, view: view) }
            return
        }
        let chunks = min(busy.count, threads * 4)
        peers.withUnsafeMutableBufferPointer { buffer in
            let slots = PeerSlots(base: buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                // Disjoint peers per chunk: no two threads touch the same peer.
                for position in stride(from: chunk, to: busy.count, by: chunks) {
                    slots.base[busy[position]].process(until: end, view: view)
                }
            }
        }
    }

    /// The peers' storage, handed to worker threads that each touch their own peers only.
    private struct PeerSlots: @unchecked Sendable { let base: UnsafeMutablePointer<Peer> }

    static let processors = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// Hands what the peers sent to the recipients' queues, in peer order (deterministic).
    private mutating func mergeOutboxes() {
        for index in peers.indices where !peers[index].outbox.isEmpty {
            let outbox = peers[index].outbox
            peers[index].outbox.removeAll(keepingCapacity: true)
            for item in outbox { peers[item.target].queue.push(item.event, at: item.at) }
        }
    }

    private mutating func process(_ event: NetworkEvent) {
        switch event {
        case let .start(index, keepLedger):
            shared.running[index] = true
            peers[index].start(keepLedger: keepLedger, now: now, view: shared)
        case let .ordererCut(channel, number, size):
            pendingCuts[channel, default: 0] -= 1
            let block = GossipBlock(number: number, data: Array(repeating: UInt8(truncatingIfNeeded: number), count: size))
            shared.cut[channel, default: []].append((block, now))
            for index in peers.indices where peers[index].isRunning && peers[index].pulling.contains(channel) {
                peers[index].sendFromOrderer(block, channel: channel, now: now, view: shared)
            }
        case .fault(let fault):
            switch fault {
            case .crash(let index): crash(index)
            case let .restart(index, keepLedger):
                if !peers[index].isRunning { process(.start(index, keepLedger: keepLedger)) }
            case .partition(let groups): partition(groups)
            case .heal: heal()
            }
        }
    }
}

/// What every peer may read while the peers run, the same for all of them: who runs, who can
/// reach whom, where every endpoint leads, and the orderer's blocks. Changed only between windows.
struct SharedView: Sendable {
    let latency: ClosedRange<Duration>
    let loss: Double
    var running: [Bool] = []
    var partition: [Int: Int] = [:]
    var byEndpoint: [Endpoint: Int] = [:]
    var pkiIDs: [PKIID] = []
    var signers: [VerifiedSigner] = []
    var internalEndpoints: [Endpoint] = []
    var channelByMAC: [ChannelMAC: String] = [:]
    var cut: [String: [(block: GossipBlock, at: GossipTime)]] = [:]

    init(latency: ClosedRange<Duration>, loss: Double) {
        self.latency = latency
        self.loss = loss
    }

    mutating func add(_ configuration: MembershipConfiguration, channels: [String]) {
        let index = running.count
        running.append(false)
        pkiIDs.append(configuration.pkiID)
        signers.append(VerifiedSigner(mspID: configuration.mspID, role: .peer, pkiID: configuration.pkiID))
        internalEndpoints.append(configuration.internalEndpoint)
        byEndpoint[configuration.internalEndpoint] = index
        if let external = configuration.externalEndpoint { byEndpoint[external] = index }
        for channel in channels { channelByMAC[ChannelMAC(pkiID: configuration.pkiID, channel: channel)] = channel }
    }

    func canReach(_ from: Int, _ to: Int) -> Bool {
        running[from] && running[to] && (partition[from] ?? 0) == (partition[to] ?? 0)
    }
}
