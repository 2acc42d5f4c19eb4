@_spi(Verification) import FabnetModel
import GossipCore

extension SimulatedNetwork {
    /// One simulated peer: its protocol core and everything the network keeps about it. It
    /// processes only its own events and changes only itself; what it sends waits in `outbox`
    /// until the network hands it over after the window.
    public struct Peer {
        let index: Int
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
        /// Estimated bytes received by message kind (indexed as `GossipMessage.kinds`).
        public internal(set) var bytesReceivedByKind = [Int](repeating: 0, count: GossipMessage.kinds.count)
        public internal(set) var log: [String] = []
        /// When each block was committed, by channel.
        public internal(set) var commitTimes: [String: [UInt64: GossipTime]] = [:]
        /// Gossip hops from the orderer of each block's first copy, by channel (1: from the orderer).
        public internal(set) var hops: [String: [UInt64: Int]] = [:]
        /// Block copies received from other peers and from the orderer (duplicates included).
        public internal(set) var blocksReceived = 0
        /// Messages it sent that were lost or undeliverable.
        public internal(set) var dropped = 0
        /// Times it started or stopped pulling; blocks the orderer sent it.
        public internal(set) var leaderChanges = 0
        public internal(set) var ordererDeliveries = 0
        /// Times another peer reached this one over a connection it opened (`peerIsBack`; the
        /// process drops stale dials then, the simulator has none and counts them).
        public internal(set) var peersBack = 0
        /// Channels whose commits fail from a block number on (a broken disk, injected with
        /// `SimulatedNetwork.failCommits`); kept across restarts.
        public internal(set) var failingCommits: [String: UInt64] = [:]
        /// Channels the core halted since the last start, with why (`channelHalted`).
        public internal(set) var halted: [String: String] = [:]

        var queue = EventQueue<Event>()
        var random: SeededGenerator
        var outbox: [(target: Int, at: GossipTime, event: Event)] = []
        var lastOrdererDelivery: [String: GossipTime] = [:]
        var trace = EventTrace<TracedEvent>(capacity: 40)
        var violations: [(time: GossipTime, what: String)] = []
        var traceAtFirstViolation: [String] = []

        enum Event {
            case timer(GossipPeer.Timer, incarnation: UInt64)
            /// `hops`: the sender's hop count of each block the message carries. It travels on a
            /// connection its sender opened (as in the process, where peers send only on
            /// connections they dial), so the recipient's core gets it with `via: nil`.
            case deliver(message: GossipMessage, signer: Int, hops: [Int])
            case fromOrderer(channel: String, block: GossipBlock)
        }

        init(index: Int, configuration: MembershipConfiguration, channels: [String], channelOrganizations: [String: Set<String>],
             mode: LeaderElection.Mode, random: SeededGenerator) {
            self.index = index
            self.configuration = configuration
            self.channels = channels
            self.channelOrganizations = channelOrganizations
            self.mode = mode
            self.random = random
            gossip = GossipPeer(configuration: configuration, channels: channels, channelOrganizations: channelOrganizations,
                                mode: mode, incarnation: 0)
            gossip.prepareConnections = false  // simulated messages need no connection
        }

        public func height(of channel: String) -> UInt64 { UInt64(commitTimes[channel]?.count ?? 0) }

        // MARK: events

        /// Starts (or restarts) with a new incarnation and an empty view; `keepLedger: false` also
        /// forgets the ledger (a new peer).
        mutating func start(keepLedger: Bool, now: GossipTime, view: SharedView) {
            incarnation += 1
            isRunning = true
            halted = [:]
            if !keepLedger {
                commitTimes = [:]
                hops = [:]
            }
            var heights: [String: UInt64] = [:]
            for channel in channels { heights[channel] = height(of: channel) }
            gossip = GossipPeer(configuration: configuration, channels: channels, channelOrganizations: channelOrganizations,
                                mode: mode, incarnation: incarnation, heights: heights)
            gossip.prepareConnections = false  // simulated messages need no connection
            apply(gossip.handle(.start, now: now, random: &random), now: now, view: view)
        }

        /// Processes this peer's events before `end`, in time order.
        mutating func process(until end: GossipTime, view: SharedView) {
            while let at = queue.nextTime, at < end, let (now, event) = queue.pop() {
                trace.record(TracedEvent(event), at: now)
                switch event {
                case let .timer(timer, incarnation):
                    guard isRunning, self.incarnation == incarnation else { continue }
                    apply(gossip.handle(.timer(timer), now: now, random: &random), now: now, view: view)
                case let .deliver(message, signer, hops):
                    guard isRunning, view.canReach(signer, index) || signer == index else { dropped += 1; continue }
                    deliver(message, from: signer, senderHops: hops, now: now, view: view)
                case let .fromOrderer(channel, block):
                    guard isRunning else { continue }
                    blocksReceived += 1
                    if hops[channel]?[block.number] == nil { hops[channel, default: [:]][block.number] = 1 }
                    apply(gossip.handle(.blockFromOrderer(channel: channel, block), now: now, random: &random), now: now, view: view)
                }
            }
        }

        private mutating func deliver(_ message: GossipMessage, from signer: Int, senderHops: [Int],
                                      now: GossipTime, view: SharedView) {
            received += 1
            let size = MessageSize.of(message)
            bytesReceived += size
            bytesReceivedByKind[message.kindIndex] += size
            checkDelivery(message, from: signer, now: now, view: view)
            let carried = MessageSize.blocks(in: message)
            if !carried.isEmpty, case .channel(let mac, _) = message, let channel = view.channelByMAC[mac] {
                blocksReceived += carried.count
                for (position, block) in carried.enumerated() where hops[channel]?[block.number] == nil {
                    hops[channel, default: [:]][block.number] = (position < senderHops.count ? senderHops[position] : 0) + 1
                }
            }
            let verified = Verified(value: message, signer: view.signers[signer])
            apply(gossip.handle(.received(verified, via: nil), now: now, random: &random), now: now, view: view)
        }

        mutating func apply(_ effects: [GossipPeer.Effect], now: GossipTime, view: SharedView) {
            for effect in effects {
                switch effect {
                case let .send(message, destination):
                    send(message, to: destination, now: now, view: view)
                case let .schedule(timer, time):
                    queue.push(.timer(timer, incarnation: incarnation), at: time)
                case .log(let line), .dropped(let line):
                    log.append("\(now) \(line)")
                case .startPulling(let channel):
                    pulling.insert(channel)
                    leaderChanges += 1
                    // The deliver stream starts at the peer's height.
                    let height = height(of: channel)
                    for (block, _) in view.cut[channel] ?? [] where block.number >= height {
                        sendFromOrderer(block, channel: channel, now: now, view: view)
                    }
                case let .commit(channel, block):
                    commit(block, to: channel, now: now, view: view)
                case let .channelHalted(channel, reason):
                    halted[channel] = reason
                    log.append("\(now) \(channel): halted: \(reason)")
                case .stopPulling(let channel):
                    pulling.remove(channel)
                    leaderChanges += 1
                case let .serveBlocks(channel, numbers, nonce, destination):
                    // The peer's ledger: the orderer's blocks below its height.
                    let height = height(of: channel)
                    let cut = view.cut[channel] ?? []
                    let message = gossip.stateResponse(channel: channel, nonce: nonce, numbers: numbers) { number in
                        number < height && number < UInt64(cut.count) ? cut[Int(number)].block : nil
                    }
                    if let message { send(message, to: destination, now: now, view: view) }
                case .peerIsBack:
                    peersBack += 1
                case .connect:
                    break  // off in the simulator (`prepareConnections`)
                }
            }
        }

        /// Writes `block` to the peer's ledger (its commit times) and answers the core at once,
        /// at the same `now`: `committed`, or `commitFailed` from the block `failingCommits`
        /// names on (nothing written). Commits of a halted channel are skipped, as the contract asks.
        private mutating func commit(_ block: GossipBlock, to channel: String, now: GossipTime, view: SharedView) {
            guard halted[channel] == nil else { return }
            if let from = failingCommits[channel], block.number >= from {
                let reason = "simulated write failure (commits of \(channel) fail from block \(from))"
                apply(gossip.handle(.commitFailed(channel: channel, number: block.number, reason: reason), now: now, random: &random),
                      now: now, view: view)
                return
            }
            let expected = height(of: channel)
            if block.number != expected {
                violate("peer \(index) committed block \(block.number) of \(channel), expected \(expected)", at: now)
            }
            if let list = view.cut[channel], Int(block.number) < list.count, list[Int(block.number)].block != block {
                violate("peer \(index) committed a block \(block.number) of \(channel) that differs from the orderer's", at: now)
            }
            commitTimes[channel, default: [:]][block.number] = now
            apply(gossip.handle(.committed(channel: channel, number: block.number), now: now, random: &random), now: now, view: view)
            let confirmed = gossip.height(of: channel)
            if confirmed != height(of: channel) {
                violate("peer \(index)'s core says \(channel) is at height \(confirmed.map(String.init) ?? "none") after writing block \(block.number); its ledger is at \(height(of: channel))",
                        at: now)
            }
        }

        private mutating func send(_ message: GossipMessage, to destination: Destination, now: GossipTime, view: SharedView) {
            sent += 1
            bytesSent += MessageSize.of(message)
            guard let target = view.byEndpoint[destination.endpoint] else { dropped += 1; return }
            if case .peer(let id, _) = destination, view.pkiIDs[target] != id { dropped += 1; return }
            guard view.canReach(index, target), Double.random(in: 0..<1, using: &random) >= view.loss else { dropped += 1; return }
            var senderHops: [Int] = []
            let carried = MessageSize.blocks(in: message)
            if !carried.isEmpty, case .channel(let mac, _) = message, let channel = view.channelByMAC[mac] {
                senderHops = carried.map { hops[channel]?[$0.number] ?? 0 }
            }
            outbox.append((target, now + sampleLatency(view),
                           .deliver(message: message, signer: index, hops: senderHops)))
        }

        /// The orderer's deliver stream to a peer is one ordered connection: blocks arrive in the
        /// order they were sent.
        mutating func sendFromOrderer(_ block: GossipBlock, channel: String, now: GossipTime, view: SharedView) {
            ordererDeliveries += 1
            let at = max(now + sampleLatency(view), (lastOrdererDelivery[channel] ?? .zero) + .nanoseconds(1))
            lastOrdererDelivery[channel] = at
            queue.push(.fromOrderer(channel: channel, block: block), at: at)
        }

        /// A link latency drawn uniformly from the network's range.
        private mutating func sampleLatency(_ view: SharedView) -> Duration {
            .nanoseconds(Int64.random(in: view.latency.lowerBound.nanosecondsValue...view.latency.upperBound.nanosecondsValue, using: &random))
        }
    }
}
