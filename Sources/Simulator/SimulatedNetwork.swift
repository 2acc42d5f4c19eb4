@_spi(Verification) import FabnetModel
import GossipCore

/// Many peers' protocol cores on a virtual clock and a faulty simulated network, driven by one
/// seeded generator: the same seed gives the same run, event for event.
///
/// The network delivers each message after a latency drawn uniformly from `latency`, drops it
/// with probability `loss`, never delivers across a partition or to a crashed peer, and delivers
/// a message only to the peer it was addressed to (a `.peer` destination whose endpoint now
/// belongs to someone else is dropped). It plays the trusted shell: messages arrive as
/// `Verified` values signed by their sender (alive messages by their creator).
public struct SimulatedNetwork {
    public struct Options: Sendable {
        public var latency: ClosedRange<Duration>
        public var loss: Double
        public var seed: UInt64

        public init(latency: ClosedRange<Duration> = .milliseconds(1)...(.milliseconds(5)), loss: Double = 0, seed: UInt64 = 1) {
            self.latency = latency
            self.loss = loss
            self.seed = seed
        }
    }

    /// One simulated peer.
    public struct Peer {
        public let configuration: MembershipConfiguration
        public let channels: [String]
        public let mode: LeaderElection.Mode
        public internal(set) var gossip: GossipPeer
        public var membership: Membership { gossip.membership }
        /// Channels whose blocks this peer pulls from the orderer (it leads its org there).
        public internal(set) var pulling: Set<String> = []
        public internal(set) var isRunning = false
        public internal(set) var incarnation: UInt64 = 0
        /// Messages this peer sent and received (delivered).
        public internal(set) var sent = 0
        public internal(set) var received = 0
        public internal(set) var log: [String] = []
        /// When each block was committed, by channel.
        public internal(set) var commitTimes: [String: [UInt64: GossipTime]] = [:]
        /// Blocks received that were already there.
        public internal(set) var blocksReceived = 0
    }

    enum Event {
        case start(Int)
        case timer(Int, GossipPeer.Timer, incarnation: UInt64)
        case deliver(to: Int, message: GossipMessage, signer: Int, via: Endpoint)
        case ordererCut(channel: String, number: UInt64, size: Int)
        case fromOrderer(to: Int, channel: String, block: GossipBlock)
    }

    public private(set) var peers: [Peer] = []
    public private(set) var now = GossipTime.zero
    public private(set) var delivered = 0
    public private(set) var dropped = 0
    /// How often some peer started or stopped pulling from the orderer.
    public private(set) var leaderChanges = 0
    /// Invariant violations seen (empty in a correct run): blocks out of order or twice, blocks
    /// across orgs.
    public private(set) var violations: [String] = []
    /// The orderer's blocks by channel, with the time each was cut.
    public private(set) var cut: [String: [(block: GossipBlock, at: GossipTime)]] = [:]
    /// Orderer → peer block deliveries (the orderer's egress, in blocks).
    public private(set) var ordererDeliveries = 0
    public let options: Options
    private var queue = EventQueue<Event>()
    private var random: SeededGenerator
    private var byEndpoint: [Endpoint: Int] = [:]
    private var byPKIID: [PKIID: Int] = [:]
    private var partition: [Int: Int] = [:]

    public init(options: Options = Options()) {
        self.options = options
        random = SeededGenerator(seed: options.seed)
    }

    /// Adds a peer (not started) in `channels`, electing leaders with `mode`. Returns its index.
    @discardableResult
    public mutating func addPeer(_ configuration: MembershipConfiguration, channels: [String] = [], mode: LeaderElection.Mode = .standby) -> Int {
        let index = peers.count
        peers.append(Peer(configuration: configuration, channels: channels, mode: mode,
                          gossip: GossipPeer(configuration: configuration, channels: channels, mode: mode, incarnation: 0)))
        byEndpoint[configuration.internalEndpoint] = index
        byPKIID[configuration.pkiID] = index
        if let external = configuration.externalEndpoint { byEndpoint[external] = index }
        return index
    }

    /// Starts (or restarts, with a new incarnation and an empty view) peer `index` at `time`.
    public mutating func start(_ index: Int, at time: GossipTime? = nil) {
        queue.push(.start(index), at: time ?? now)
    }

    /// Stops peer `index` now: it neither sends nor receives until started again.
    public mutating func crash(_ index: Int) {
        peers[index].isRunning = false
        if !peers[index].pulling.isEmpty { leaderChanges += 1 }
        peers[index].pulling = []
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
        partition = [:]
        for (group, members) in groups.enumerated() { for member in members { partition[member] = group + 1 } }
    }

    public mutating func heal() { partition = [:] }

    /// Has the orderer cut `count` blocks of `size` bytes on `channel`, one every `interval`,
    /// starting at `start`; each goes to the peers pulling the channel at that moment.
    public mutating func produceBlocks(channel: String, count: Int, every interval: Duration, size: Int, startingAt start: GossipTime) {
        let first = UInt64(cut[channel]?.count ?? 0)
        for index in 0..<count {
            queue.push(.ordererCut(channel: channel, number: first + UInt64(index), size: size), at: start + interval * index)
        }
    }

    /// Processes events until the virtual clock passes `time`.
    public mutating func run(until time: GossipTime) {
        while let next = queue.nextTime, next <= time {
            guard let (at, event) = queue.pop() else { break }
            now = at
            process(event)
        }
        now = time
    }

    public mutating func run(for duration: Duration) { run(until: now + duration) }

    private mutating func process(_ event: Event) {
        switch event {
        case .start(let index):
            peers[index].incarnation += 1
            peers[index].isRunning = true
            let peer = peers[index]
            let heights = peer.commitTimes.mapValues { UInt64($0.count) }  // restarts keep their ledger
            peers[index].gossip = GossipPeer(configuration: peer.configuration, channels: peer.channels, mode: peer.mode,
                                             incarnation: peer.incarnation, heights: heights)
            apply(peers[index].gossip.handle(.start, now: now, random: &random), from: index)
        case let .timer(index, timer, incarnation):
            guard peers[index].isRunning, peers[index].incarnation == incarnation else { return }
            apply(peers[index].gossip.handle(.timer(timer), now: now, random: &random), from: index)
        case let .deliver(index, message, signerIndex, via):
            guard peers[index].isRunning, canReach(signerIndex, index) || signerIndex == index else { dropped += 1; return }
            delivered += 1
            peers[index].received += 1
            let creator: Int
            if case .membership(.alive(let alive)) = message, let owner = byPKIID[alive.pkiID] {
                creator = owner
            } else {
                creator = signerIndex
            }
            let signer = VerifiedSigner(mspID: peers[creator].configuration.mspID, role: .peer, pkiID: peers[creator].configuration.pkiID)
            switch message {
            case .block, .pull(_, .update):
                if case .block = message { peers[index].blocksReceived += 1 }
                if case .pull(_, .update(_, let blocks)) = message { peers[index].blocksReceived += blocks.count }
                if peers[signerIndex].configuration.mspID != peers[index].configuration.mspID {
                    violations.append("\(now): a block went from \(peers[signerIndex].configuration.mspID) to \(peers[index].configuration.mspID)")
                }
            default:
                break
            }
            apply(peers[index].gossip.handle(.received(Verified(value: message, signer: signer), via: via), now: now, random: &random), from: index)
        case let .ordererCut(channel, number, size):
            let block = GossipBlock(number: number, data: Array(repeating: UInt8(truncatingIfNeeded: number), count: size))
            cut[channel, default: []].append((block, now))
            for index in peers.indices where peers[index].isRunning && peers[index].pulling.contains(channel) {
                sendFromOrderer(block, channel: channel, to: index)
            }
        case let .fromOrderer(index, channel, block):
            guard peers[index].isRunning else { return }
            apply(peers[index].gossip.handle(.blockFromOrderer(channel: channel, block), now: now, random: &random), from: index)
        }
    }

    private mutating func apply(_ effects: [GossipPeer.Effect], from index: Int) {
        for effect in effects {
            switch effect {
            case let .send(message, destination):
                peers[index].sent += 1
                guard let target = byEndpoint[destination.endpoint] else { dropped += 1; continue }
                if case .peer(let id, _) = destination, peers[target].configuration.pkiID != id { dropped += 1; continue }
                guard canReach(index, target), Double.random(in: 0..<1, using: &random) >= options.loss else { dropped += 1; continue }
                queue.push(.deliver(to: target, message: message, signer: index, via: peers[index].configuration.internalEndpoint),
                           at: now + sampleLatency())
            case let .schedule(timer, time):
                queue.push(.timer(index, timer, incarnation: peers[index].incarnation), at: time)
            case .log(let line):
                peers[index].log.append("\(now) \(line)")
            case .startPulling(let channel):
                peers[index].pulling.insert(channel)
                leaderChanges += 1
                // The deliver stream starts at the peer's height.
                let height = UInt64(peers[index].commitTimes[channel]?.count ?? 0)
                for (block, _) in cut[channel] ?? [] where block.number >= height { sendFromOrderer(block, channel: channel, to: index) }
            case let .commit(channel, block):
                let expected = UInt64(peers[index].commitTimes[channel]?.count ?? 0)
                if block.number != expected {
                    violations.append("\(now): peer \(index) committed block \(block.number) of \(channel), expected \(expected)")
                }
                peers[index].commitTimes[channel, default: [:]][block.number] = now
            case .stopPulling(let channel):
                peers[index].pulling.remove(channel)
                leaderChanges += 1
            }
        }
    }

    private mutating func sendFromOrderer(_ block: GossipBlock, channel: String, to index: Int) {
        ordererDeliveries += 1
        queue.push(.fromOrderer(to: index, channel: channel, block: block), at: now + sampleLatency())
    }

    /// A link latency drawn uniformly from `options.latency`.
    private mutating func sampleLatency() -> Duration {
        .nanoseconds(Int64.random(in: options.latency.lowerBound.nanosecondsValue...options.latency.upperBound.nanosecondsValue, using: &random))
    }

    private func canReach(_ from: Int, _ to: Int) -> Bool {
        peers[from].isRunning && peers[to].isRunning && (partition[from] ?? 0) == (partition[to] ?? 0)
    }
}
