@_spi(Verification) import FabnetModel
import GossipCore

/// Many peers' protocol cores on a virtual clock and a faulty simulated network, driven by one
/// seeded generator: the same seed gives the same run, event for event.
///
/// The network delivers each message after a latency drawn uniformly from `latency`, drops it
/// with probability `loss`, never delivers across a partition or to a crashed peer, and delivers
/// a message only to the peer it was addressed to (a `.peer` destination whose endpoint now
/// belongs to someone else is dropped). It plays the trusted shell: messages arrive as
/// `Verified` values signed by their sender (and every entry of a batch by its creator), and it serves
/// `serveBlocks` from the orderer's blocks below the serving peer's height (its "ledger").
/// Invariants are checked on every delivery and commit (see `violations`); `checkSettled()`
/// adds the end-of-run ones.
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

    /// A fault to inject at a chosen time.
    public enum Fault: Sendable, Hashable {
        case crash(Int)
        /// Start a crashed peer again: with its ledger, or with an empty one.
        case restart(Int, keepLedger: Bool)
        /// Peers in different groups cannot reach each other; peers in no group form group 0.
        case partition([[Int]])
        case heal
    }

    /// One simulated peer.
    public struct Peer {
        public let configuration: MembershipConfiguration
        public let channels: [String]
        public let channelOrganizations: [String: Set<String>]
        public let mode: LeaderElection.Mode
        public internal(set) var gossip: GossipPeer
        public var membership: Membership { gossip.membership }
        /// Channels whose blocks this peer pulls from the orderer (it leads its org there).
        public internal(set) var pulling: Set<String> = []
        public internal(set) var isRunning = false
        public internal(set) var incarnation: UInt64 = 0
        /// Messages and estimated bytes this peer sent and received (delivered).
        public internal(set) var sent = 0
        public internal(set) var received = 0
        public internal(set) var bytesSent = 0
        public internal(set) var bytesReceived = 0
        public internal(set) var log: [String] = []
        /// When each block was committed, by channel.
        public internal(set) var commitTimes: [String: [UInt64: GossipTime]] = [:]
        /// Gossip hops from the orderer of each block's first copy, by channel (1: from the orderer).
        public internal(set) var hops: [String: [UInt64: Int]] = [:]
        /// Block copies received from other peers and from the orderer (duplicates included).
        public internal(set) var blocksReceived = 0

        public func height(of channel: String) -> UInt64 { UInt64(commitTimes[channel]?.count ?? 0) }
    }

    enum Event {
        case start(Int, keepLedger: Bool)
        case timer(Int, GossipPeer.Timer, incarnation: UInt64)
        case deliver(to: Int, message: GossipMessage, signer: Int, via: Endpoint)
        case ordererCut(channel: String, number: UInt64, size: Int)
        case fromOrderer(to: Int, channel: String, block: GossipBlock)
        case fault(Fault)
    }

    public internal(set) var peers: [Peer] = []
    public internal(set) var now = GossipTime.zero
    public internal(set) var delivered = 0
    public internal(set) var dropped = 0
    /// How often some peer started or stopped pulling from the orderer.
    public internal(set) var leaderChanges = 0
    /// Invariant violations seen (empty in a correct run).
    public internal(set) var violations: [String] = []
    /// The events that led to the first violation, oldest first.
    public internal(set) var traceOfFirstViolation: [String] = []
    /// The orderer's blocks by channel, with the time each was cut.
    public internal(set) var cut: [String: [(block: GossipBlock, at: GossipTime)]] = [:]
    /// Orderer → peer block deliveries (the orderer's egress, in blocks).
    public internal(set) var ordererDeliveries = 0
    public let options: Options
    var queue = EventQueue<Event>()
    var random: SeededGenerator
    var byEndpoint: [Endpoint: Int] = [:]
    var byPKIID: [PKIID: Int] = [:]
    var channelByMAC: [ChannelMAC: String] = [:]
    var partition: [Int: Int] = [:]
    var trace = EventTrace<Event>(capacity: 40)
    var lastOrdererDelivery: [String: GossipTime] = [:]

    public init(options: Options = Options()) {
        self.options = options
        random = SeededGenerator(seed: options.seed)
    }

    /// Adds a peer (not started) in `channels`, electing leaders with `mode`. Returns its index.
    @discardableResult
    public mutating func addPeer(_ configuration: MembershipConfiguration, channels: [String] = [],
                                 channelOrganizations: [String: Set<String>] = [:], mode: LeaderElection.Mode = .standby) -> Int {
        let index = peers.count
        peers.append(Peer(configuration: configuration, channels: channels, channelOrganizations: channelOrganizations, mode: mode,
                          gossip: GossipPeer(configuration: configuration, channels: channels, channelOrganizations: channelOrganizations,
                                             mode: mode, incarnation: 0)))
        byEndpoint[configuration.internalEndpoint] = index
        byPKIID[configuration.pkiID] = index
        if let external = configuration.externalEndpoint { byEndpoint[external] = index }
        for channel in channels { channelByMAC[ChannelMAC(pkiID: configuration.pkiID, channel: channel)] = channel }
        return index
    }

    /// Starts (or restarts, with a new incarnation and an empty view) peer `index` at `time`,
    /// keeping its ledger.
    public mutating func start(_ index: Int, at time: GossipTime? = nil) {
        queue.push(.start(index, keepLedger: true), at: time ?? now)
    }

    /// Stops peer `index` now: it neither sends nor receives until started again.
    public mutating func crash(_ index: Int) {
        peers[index].isRunning = false
        if !peers[index].pulling.isEmpty { leaderChanges += 1 }
        peers[index].pulling = []
    }

    /// Injects `fault` at `time`.
    public mutating func schedule(_ fault: Fault, at time: GossipTime) {
        queue.push(.fault(fault), at: time)
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
        let first = UInt64(cut[channel]?.count ?? 0) + UInt64(pendingCuts[channel] ?? 0)
        pendingCuts[channel, default: 0] += count
        for index in 0..<count {
            queue.push(.ordererCut(channel: channel, number: first + UInt64(index), size: size), at: start + interval * index)
        }
    }
    var pendingCuts: [String: Int] = [:]

    /// Processes events until the virtual clock passes `time`.
    public mutating func run(until time: GossipTime) {
        while let next = queue.nextTime, next <= time {
            guard let (at, event) = queue.pop() else { break }
            now = at
            trace.record(event, at: at)
            process(event)
        }
        now = time
    }

    public mutating func run(for duration: Duration) { run(until: now + duration) }

    private mutating func process(_ event: Event) {
        switch event {
        case let .start(index, keepLedger):
            peers[index].incarnation += 1
            peers[index].isRunning = true
            if !keepLedger {
                peers[index].commitTimes = [:]
                peers[index].hops = [:]
            }
            let peer = peers[index]
            var heights: [String: UInt64] = [:]
            for channel in peer.channels { heights[channel] = peer.height(of: channel) }
            peers[index].gossip = GossipPeer(configuration: peer.configuration, channels: peer.channels,
                                             channelOrganizations: peer.channelOrganizations, mode: peer.mode,
                                             incarnation: peer.incarnation, heights: heights)
            apply(peers[index].gossip.handle(.start, now: now, random: &random), from: index)
        case let .timer(index, timer, incarnation):
            guard peers[index].isRunning, peers[index].incarnation == incarnation else { return }
            apply(peers[index].gossip.handle(.timer(timer), now: now, random: &random), from: index)
        case let .deliver(index, message, signerIndex, via):
            guard peers[index].isRunning, canReach(signerIndex, index) || signerIndex == index else { dropped += 1; return }
            deliver(message, to: index, from: signerIndex, via: via)
        case let .ordererCut(channel, number, size):
            pendingCuts[channel, default: 0] -= 1
            let block = GossipBlock(number: number, data: Array(repeating: UInt8(truncatingIfNeeded: number), count: size))
            cut[channel, default: []].append((block, now))
            for index in peers.indices where peers[index].isRunning && peers[index].pulling.contains(channel) {
                sendFromOrderer(block, channel: channel, to: index)
            }
        case let .fromOrderer(index, channel, block):
            guard peers[index].isRunning else { return }
            peers[index].blocksReceived += 1
            if peers[index].hops[channel]?[block.number] == nil { peers[index].hops[channel, default: [:]][block.number] = 1 }
            apply(peers[index].gossip.handle(.blockFromOrderer(channel: channel, block), now: now, random: &random), from: index)
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

    private mutating func deliver(_ message: GossipMessage, to index: Int, from signerIndex: Int, via: Endpoint) {
        delivered += 1
        peers[index].received += 1
        peers[index].bytesReceived += MessageSize.of(message)
        checkDelivery(message, to: index, from: signerIndex)
        let carried = MessageSize.blocks(in: message)
        if !carried.isEmpty, case .channel(let mac, _) = message, let channel = channelByMAC[mac] {
            peers[index].blocksReceived += carried.count
            for block in carried where peers[index].hops[channel]?[block.number] == nil {
                let hop = (peers[signerIndex].hops[channel]?[block.number] ?? 0) + 1
                peers[index].hops[channel, default: [:]][block.number] = hop
            }
        }
        let signer = VerifiedSigner(mspID: peers[signerIndex].configuration.mspID, role: .peer, pkiID: peers[signerIndex].configuration.pkiID)
        apply(peers[index].gossip.handle(.received(Verified(value: message, signer: signer), via: via), now: now, random: &random), from: index)
    }

    private mutating func apply(_ effects: [GossipPeer.Effect], from index: Int) {
        for effect in effects {
            switch effect {
            case let .send(message, destination):
                send(message, to: destination, from: index)
            case let .schedule(timer, time):
                queue.push(.timer(index, timer, incarnation: peers[index].incarnation), at: time)
            case .log(let line):
                peers[index].log.append("\(now) \(line)")
            case .startPulling(let channel):
                peers[index].pulling.insert(channel)
                leaderChanges += 1
                // The deliver stream starts at the peer's height.
                let height = peers[index].height(of: channel)
                for (block, _) in cut[channel] ?? [] where block.number >= height { sendFromOrderer(block, channel: channel, to: index) }
            case let .commit(channel, block):
                let expected = peers[index].height(of: channel)
                if block.number != expected {
                    violate("peer \(index) committed block \(block.number) of \(channel), expected \(expected)")
                }
                if let list = cut[channel], Int(block.number) < list.count, list[Int(block.number)].block != block {
                    violate("peer \(index) committed a block \(block.number) of \(channel) that differs from the orderer's")
                }
                peers[index].commitTimes[channel, default: [:]][block.number] = now
            case .stopPulling(let channel):
                peers[index].pulling.remove(channel)
                leaderChanges += 1
            case let .serveBlocks(channel, numbers, nonce, destination):
                // The peer's ledger: the orderer's blocks below its height.
                let height = peers[index].height(of: channel)
                let blocks = (cut[channel] ?? []).lazy.map(\.block).filter { numbers.contains($0.number) && $0.number < height }
                guard !blocks.isEmpty,
                      let message = peers[index].gossip.stateResponseMessage(channel: channel, nonce: nonce, blocks: Array(blocks)) else { continue }
                send(message, to: destination, from: index)
            }
        }
    }

    private mutating func send(_ message: GossipMessage, to destination: Destination, from index: Int) {
        peers[index].sent += 1
        peers[index].bytesSent += MessageSize.of(message)
        guard let target = byEndpoint[destination.endpoint] else { dropped += 1; return }
        if case .peer(let id, _) = destination, peers[target].configuration.pkiID != id { dropped += 1; return }
        guard canReach(index, target), Double.random(in: 0..<1, using: &random) >= options.loss else { dropped += 1; return }
        queue.push(.deliver(to: target, message: message, signer: index, via: peers[index].configuration.internalEndpoint),
                   at: now + sampleLatency())
    }

    /// The orderer's deliver stream to a peer is one ordered connection: blocks arrive in the
    /// order they were sent.
    private mutating func sendFromOrderer(_ block: GossipBlock, channel: String, to index: Int) {
        ordererDeliveries += 1
        let key = "\(index) \(channel)"
        let at = max(now + sampleLatency(), (lastOrdererDelivery[key] ?? .zero) + .nanoseconds(1))
        lastOrdererDelivery[key] = at
        queue.push(.fromOrderer(to: index, channel: channel, block: block), at: at)
    }

    /// A link latency drawn uniformly from `options.latency`.
    private mutating func sampleLatency() -> Duration {
        .nanoseconds(Int64.random(in: options.latency.lowerBound.nanosecondsValue...options.latency.upperBound.nanosecondsValue, using: &random))
    }

    func canReach(_ from: Int, _ to: Int) -> Bool {
        peers[from].isRunning && peers[to].isRunning && (partition[from] ?? 0) == (partition[to] ?? 0)
    }
}
