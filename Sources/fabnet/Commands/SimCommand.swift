import ArgumentParser
import FabnetModel
import Foundation
import GossipCore
import Simulator

/// `fabnet sim`: the gossip cores of many peers on a simulated network.
struct SimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run the gossip protocol code of many peers on a simulated network (virtual time, seeded).",
        discussion: """
        Each org's peer0 is its anchor peer; every peer has an internal and an external endpoint and
        is in every channel, electing one leader per org and channel (fabnet's gossip defaults).
        Reports when every peer first saw every other peer alive, the leaders, and the traffic.
        With --blocks, the orderer cuts that many blocks (from 2 s on, one every --block-interval-ms)
        and hands each to the peers leading their org in channel0; push spreads them through each org.
        Reports per-block dissemination latency (last peer committed − cut) and copies received per
        peer per block. The same --seed gives the same run. Push and pull are simulated; state transfer
        is not yet, so a block that leaves the pull window (maxBlockCountToStore) before a peer pulls it
        leaves that peer behind.

        Example: fabnet sim --peers 40 --orgs 4 --seconds 10 --blocks 50 --seed 7
        """
    )

    @Option(help: "Peers in all (spread evenly over the orgs).")
    var peers = 20

    @Option(help: "Organizations.")
    var orgs = 2

    @Option(help: "Channels every peer is in.")
    var channels = 1

    @Option(help: "Simulated seconds to run.")
    var seconds: Double = 10

    @Option(help: "Seed of the run.")
    var seed: UInt64 = 1

    @Option(help: "Probability that a message is lost (0 to 1).")
    var loss: Double = 0

    @Option(name: .customLong("latency-ms"), help: "Link latency range in ms, MIN-MAX.")
    var latency = "1-5"

    @Option(help: "Blocks the orderer cuts on channel0.")
    var blocks = 0

    @Option(name: .customLong("block-size"), help: "Bytes per block.")
    var blockSize = 65536

    @Option(name: .customLong("block-interval-ms"), help: "Milliseconds between blocks.")
    var blockInterval = 50

    @Option(help: "Push fanout (peer.gossip.propagatePeerNum). Default: fabnet's (3).")
    var fanout: Int?

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard orgs >= 1, peers >= orgs else { throw ValidationError("need at least one peer per org (--peers ≥ --orgs ≥ 1)") }
        guard (0..<1).contains(loss) else { throw ValidationError("--loss must be in [0, 1)") }
        guard seconds > 0, channels >= 0 else { throw ValidationError("--seconds must be positive and --channels not negative") }
        guard latencyRange != nil else { throw ValidationError("--latency-ms must be MIN-MAX in milliseconds, e.g. 1-5") }
    }

    var latencyRange: ClosedRange<Duration>? {
        let parts = latency.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 2, parts[0] >= 0, parts[0] <= parts[1] else { return nil }
        return .milliseconds(parts[0])...(.milliseconds(parts[1]))
    }

    struct Result: Encodable {
        let peers: Int
        let orgs: Int
        let seed: UInt64
        let simulatedSeconds: Double
        let fullMembershipAfterMilliseconds: Double?
        let leadersPerOrgAndChannel: [String: [String: Int]]
        let leaderChanges: Int
        let messagesDelivered: Int
        let messagesDropped: Int
        let messagesSentPerPeerPerSecond: Double
        let blocks: BlockStats?
        let invariantViolations: [String]
        let wallClockSeconds: Double
    }

    struct BlockStats: Encodable {
        let cut: Int
        /// Blocks every live peer committed.
        let committedEverywhere: Int
        let lastPeerLatencyMilliseconds: Percentiles?
        let copiesReceivedPerPeerPerBlock: Double
        let ordererDeliveries: Int
    }

    struct Percentiles: Encodable {
        let p50: Double
        let p90: Double
        let p99: Double
        let max: Double

        init?(_ values: [Double]) {
            guard !values.isEmpty else { return nil }
            let sorted = values.sorted()
            func at(_ fraction: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))] }
            p50 = at(0.5); p90 = at(0.9); p99 = at(0.99); max = sorted.last!
        }
    }

    func run() throws {
        let channelNames = (0..<channels).map { "channel\($0)" }
        var network = SimulatedNetwork(options: .init(latency: latencyRange!, loss: loss, seed: seed))
        var settings = GossipSettings.fabnetDefaults
        if let fanout { settings.propagatePeerNum = fanout }
        var anchors: [String: [Endpoint]] = [:]
        for org in 0..<orgs { anchors["Org\(org + 1)MSP"] = [Endpoint(host: "peer0.org\(org + 1).example.com", port: 7051)!] }
        let allOrgs = Set(anchors.keys)
        for index in 0..<peers {
            let org = index % orgs, peer = index / orgs
            let configuration = MembershipConfiguration(
                pkiID: PKIID([UInt8(org), UInt8(truncatingIfNeeded: peer >> 8), UInt8(truncatingIfNeeded: peer)]), mspID: "Org\(org + 1)MSP",
                internalEndpoint: Endpoint(host: "peer\(peer).org\(org + 1).internal", port: 7051)!,
                externalEndpoint: Endpoint(host: "peer\(peer).org\(org + 1).example.com", port: 7051)!,
                bootstrap: [], anchors: anchors, organizationsSharingAChannel: allOrgs, settings: settings)
            network.start(network.addPeer(configuration, channels: channelNames, mode: .dynamic))
        }
        if blocks > 0, let first = channelNames.first {
            network.produceBlocks(channel: first, count: blocks, every: .milliseconds(blockInterval), size: blockSize,
                                  startingAt: GossipTime.zero + .seconds(2))
        }
        var converged: Double?
        let (_, wall) = Stopwatch.time {
            let step = Duration.milliseconds(100)
            var elapsed = Duration.zero
            while elapsed < .seconds(seconds) {
                network.run(for: step)
                elapsed += step
                if converged == nil, network.peers.allSatisfy({ $0.membership.aliveCount == peers - 1 }) {
                    converged = Double(elapsed.nanosecondsValue) / 1e6
                }
                if !json, Int(elapsed.nanosecondsValue / 1_000_000) % 1000 == 0 {
                    Console.error(String(format: "simulated %.0f s of %.0f", Double(elapsed.nanosecondsValue) / 1e9, seconds))
                }
            }
        }
        var leaders: [String: [String: Int]] = [:]
        for channel in channelNames {
            leaders[channel] = network.leaders(of: channel).mapValues(\.count)
        }
        let sent = network.peers.reduce(0) { $0 + $1.sent }
        var blockStats: BlockStats?
        if blocks > 0, let first = channelNames.first {
            let live = network.peers.filter(\.isRunning)
            var latencies: [Double] = []
            for (block, cutAt) in network.cut[first] ?? [] {
                let commits = live.compactMap { $0.commitTimes[first]?[block.number] }
                guard commits.count == live.count, let last = commits.max() else { continue }
                latencies.append(Double((last - cutAt).nanosecondsValue) / 1e6)
            }
            let received = live.reduce(0) { $0 + $1.blocksReceived } + network.ordererDeliveries
            blockStats = BlockStats(
                cut: network.cut[first]?.count ?? 0, committedEverywhere: latencies.count, lastPeerLatencyMilliseconds: Percentiles(latencies),
                copiesReceivedPerPeerPerBlock: Double(received) / Double(max(1, live.count)) / Double(max(1, network.cut[first]?.count ?? 0)),
                ordererDeliveries: network.ordererDeliveries)
        }
        let result = Result(
            peers: peers, orgs: orgs, seed: seed, simulatedSeconds: seconds, fullMembershipAfterMilliseconds: converged,
            leadersPerOrgAndChannel: leaders, leaderChanges: network.leaderChanges, messagesDelivered: network.delivered,
            messagesDropped: network.dropped, messagesSentPerPeerPerSecond: Double(sent) / Double(peers) / seconds,
            blocks: blockStats, invariantViolations: network.violations, wallClockSeconds: wall)
        if json {
            print(try Console.json(result))
            return
        }
        print("seed \(seed): \(peers) peers in \(orgs) orgs, \(channels) channel(s), loss \(loss), latency \(latency) ms, \(seconds) simulated s")
        print("full membership after: \(converged.map { String(format: "%.0f ms", $0) } ?? "not reached")")
        for channel in channelNames {
            let counts = (leaders[channel] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            print("leaders in \(channel): \(counts.isEmpty ? "none" : counts)")
        }
        if let stats = blockStats {
            let latency = stats.lastPeerLatencyMilliseconds.map { String(format: "p50 %.1f, p90 %.1f, p99 %.1f, max %.1f ms", $0.p50, $0.p90, $0.p99, $0.max) } ?? "n/a"
            print("blocks: \(stats.committedEverywhere) of \(stats.cut) committed by every live peer; last peer − cut: \(latency)")
            print(String(format: "copies received per peer per block: %.2f; orderer deliveries: %d", stats.copiesReceivedPerPeerPerBlock, stats.ordererDeliveries))
        }
        print(String(format: "messages: %d delivered, %d dropped, %.1f sent per peer per second; %d leader changes; %.2f s wall clock",
                     network.delivered, network.dropped, result.messagesSentPerPeerPerSecond, network.leaderChanges, wall))
        if !network.violations.isEmpty {
            print("INVARIANT VIOLATIONS (seed \(seed)):")
            network.violations.prefix(20).forEach { print("  \($0)") }
            throw ExitCode.failure
        }
    }
}
