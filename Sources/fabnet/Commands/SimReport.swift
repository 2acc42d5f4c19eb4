import FabnetModel
import Foundation
import GossipCore
import Simulator

/// What `fabnet sim` reports: membership convergence, leaders, per-channel block dissemination
/// and traffic per peer per block, the invariants and the seed (JSON keys are these names).
struct SimReport: Encodable {
    struct ChannelBlocks: Encodable {
        let channel: String
        let cut: Int
        /// Blocks every running peer committed.
        let committedEverywhere: Int
        /// Cut → commit at the last peer, per block (simulated ms).
        let lastPeerLatencyMilliseconds: Percentiles?
        /// Cut → commit, per peer and block (simulated ms).
        let peerLatencyMilliseconds: Percentiles?
        /// Gossip hops of each peer's first copy (1: straight from the orderer).
        let hops: Percentiles?
        let leaders: [String: Int]
    }

    let seed: UInt64
    let peers: Int
    let simulatedSeconds: Double
    let faults: [String]
    let fullMembershipAfterMilliseconds: Double?
    let channels: [ChannelBlocks]
    let leaderChanges: Int
    /// Copies of blocks received per peer per block (from peers and the orderer; 1.0 is ideal).
    let copiesReceivedPerPeerPerBlock: Double?
    /// Copies beyond the first, in all.
    let duplicateBlocks: Int
    /// Estimated bytes of all gossip traffic a peer received per block, and that ÷ the block size.
    let bytesReceivedPerPeerPerBlock: Double?
    let bytesReceivedPerPeerPerBlockOverBlockSize: Double?
    /// `bytesReceivedPerPeerPerBlock` by message kind (`GossipMessage.kinds`; kinds never received left out).
    let bytesReceivedPerPeerPerBlockByKind: [String: Double]
    let bytesSentPerPeerPerBlock: Double?
    let messagesSentPerPeerPerBlock: Double?
    let messagesReceivedPerPeerPerBlock: Double?
    let messagesSentPerPeerPerSecond: Double
    let messagesDelivered: Int
    let messagesDropped: Int
    let ordererDeliveries: Int
    let settledInvariantsChecked: Bool
    let invariantViolations: [String]
    let traceBeforeFirstViolation: [String]
    let wallClockSeconds: Double
    /// The process's peak resident memory in bytes (`getrusage`'s `ru_maxrss`), for the
    /// simulator's scaling table.
    let peakResidentBytes: Int

    init(network: SimulatedNetwork, channels: [String], blocks: Int, blockSize: Int, seed: UInt64, converged: Double?,
         settledChecked: Bool, wall: Double, faults: FaultPlan) {
        let all = network.peers
        let running = all.filter(\.isRunning)
        var perChannel: [ChannelBlocks] = []
        var commits = 0
        for channel in channels {
            var lastPeer: [Double] = [], perPeer: [Double] = [], hops: [Double] = []
            var everywhere = 0
            for (block, cutAt) in network.cut[channel] ?? [] {
                let times = running.compactMap { $0.commitTimes[channel]?[block.number] }
                perPeer += times.map { Double(($0 - cutAt).nanosecondsValue) / 1e6 }
                hops += running.compactMap { $0.hops[channel]?[block.number] }.map(Double.init)
                if times.count == running.count, let last = times.max() {
                    everywhere += 1
                    lastPeer.append(Double((last - cutAt).nanosecondsValue) / 1e6)
                }
            }
            commits += all.reduce(0) { $0 + ($1.commitTimes[channel]?.count ?? 0) }
            perChannel.append(ChannelBlocks(channel: channel, cut: network.cut[channel]?.count ?? 0, committedEverywhere: everywhere,
                                            lastPeerLatencyMilliseconds: Percentiles(lastPeer), peerLatencyMilliseconds: Percentiles(perPeer),
                                            hops: Percentiles(hops), leaders: network.leaders(of: channel).mapValues(\.count)))
        }
        let peerBlocks = Double(all.count) * Double(blocks * channels.count)
        func perPeerBlock(_ total: Int) -> Double? { peerBlocks > 0 ? Double(total) / peerBlocks : nil }
        let received = all.reduce(0) { $0 + $1.blocksReceived }
        let bytesIn = all.reduce(0) { $0 + $1.bytesReceived }
        self.seed = seed
        peers = all.count
        simulatedSeconds = Double(network.now.nanoseconds) / 1e9
        self.faults = faults.faults.map { "\($0.fault) at \($0.at)" }
        fullMembershipAfterMilliseconds = converged
        self.channels = perChannel
        leaderChanges = network.leaderChanges
        copiesReceivedPerPeerPerBlock = perPeerBlock(received)
        duplicateBlocks = max(0, received - commits)
        bytesReceivedPerPeerPerBlock = perPeerBlock(bytesIn)
        bytesReceivedPerPeerPerBlockOverBlockSize = blockSize > 0 ? perPeerBlock(bytesIn).map { $0 / Double(blockSize) } : nil
        var byKind: [String: Double] = [:]
        for (index, kind) in GossipMessage.kinds.enumerated() {
            let total = all.reduce(0) { $0 + $1.bytesReceivedByKind[index] }
            if total > 0, let perBlock = perPeerBlock(total) { byKind[kind] = perBlock }
        }
        bytesReceivedPerPeerPerBlockByKind = byKind
        bytesSentPerPeerPerBlock = perPeerBlock(all.reduce(0) { $0 + $1.bytesSent })
        messagesSentPerPeerPerBlock = perPeerBlock(all.reduce(0) { $0 + $1.sent })
        messagesReceivedPerPeerPerBlock = perPeerBlock(all.reduce(0) { $0 + $1.received })
        messagesSentPerPeerPerSecond = Double(all.reduce(0) { $0 + $1.sent }) / Double(max(1, all.count)) / max(simulatedSeconds, 1e-9)
        messagesDelivered = network.delivered
        messagesDropped = network.dropped
        ordererDeliveries = network.ordererDeliveries
        settledInvariantsChecked = settledChecked
        invariantViolations = network.violations
        traceBeforeFirstViolation = network.traceOfFirstViolation
        wallClockSeconds = wall
        var usage = rusage()
        #if os(Linux)
        // Linux reports kilobytes.
        peakResidentBytes = getrusage(RUSAGE_SELF.rawValue, &usage) == 0 ? usage.ru_maxrss * 1024 : 0
        #else
        peakResidentBytes = getrusage(RUSAGE_SELF, &usage) == 0 ? usage.ru_maxrss : 0
        #endif
    }

    func printHuman(latency: String, loss: Double, settings: String) {
        print("seed \(seed): \(peers) peers, \(channels.count) channel(s), \(settings) settings, loss \(loss), latency \(latency) ms, "
              + String(format: "%.1f simulated s in %.2f s wall clock, peak memory %.0f MiB", simulatedSeconds, wallClockSeconds,
                       Double(peakResidentBytes) / 1_048_576))
        if !faults.isEmpty { print("faults: \(faults.joined(separator: ", "))") }
        print("full membership after: \(fullMembershipAfterMilliseconds.map { String(format: "%.0f ms", $0) } ?? "not reached")")
        for channel in channels {
            let leaders = channel.leaders.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            print("\(channel.channel): leaders \(leaders.isEmpty ? "none" : leaders)")
            guard channel.cut > 0 else { continue }
            print("  \(channel.committedEverywhere) of \(channel.cut) blocks committed by every running peer")
            print("  cut → last peer (ms):  \(channel.lastPeerLatencyMilliseconds?.text ?? "n/a")")
            print("  cut → each peer (ms):  \(channel.peerLatencyMilliseconds?.text ?? "n/a")")
            print("  hops from the orderer: \(channel.hops?.text ?? "n/a")")
        }
        if let copies = copiesReceivedPerPeerPerBlock {
            print(String(format: "per peer per block: %.2f copies received (%d duplicates in all), %.0f bytes received (%.2f × block), %.1f messages sent",
                         copies, duplicateBlocks, bytesReceivedPerPeerPerBlock ?? 0, bytesReceivedPerPeerPerBlockOverBlockSize ?? 0,
                         messagesSentPerPeerPerBlock ?? 0))
            let kinds = bytesReceivedPerPeerPerBlockByKind.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
            print("  bytes received by kind: " + kinds.map { "\($0.key) \(Int($0.value.rounded()))" }.joined(separator: ", "))
        }
        print(String(format: "messages: %d delivered, %d dropped, %.1f sent per peer per second; %d leader changes; %d orderer deliveries",
                     messagesDelivered, messagesDropped, messagesSentPerPeerPerSecond, leaderChanges, ordererDeliveries))
        if !settledInvariantsChecked { print("(the run ended before it settled: leaders and complete ledgers were not checked)") }
        guard !invariantViolations.isEmpty else {
            print("invariants: all held")
            return
        }
        print("INVARIANT VIOLATIONS (seed \(seed)):")
        invariantViolations.prefix(20).forEach { print("  \($0)") }
        print("last events before the first violation:")
        traceBeforeFirstViolation.forEach { print("  \($0)") }
    }
}
