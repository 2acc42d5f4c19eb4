import FabnetConfig
import FabnetClient
import FabnetCrypto
import FabnetModel
import Foundation
import OperationsEndpoint
import Orchestrator

/// `fabnet bench dissemination` as a library: one org of P real peer processes and an orderer
/// on this machine; B blocks of S bytes cut at a steady rate; each block's cut time (stamped
/// by the orderer) and each peer's commit time (its `/commits` route), both on this machine's
/// clock; the peers' and the orderer's traffic counters before and after. Blocks start once
/// every peer counts every other as a peer of the channel (steady state).
///
/// Modes, each on a fresh network:
/// - `fabnet`: fabnet's gossip with its defaults (one elected leader pulls, push and pull spread);
/// - `fabric`: Fabric's `peer.gossip` defaults (fanout 3, pull every 4 s, …) with peer0 as the
///   org's static leader (Fabric's election would first wait out its 15 s start-up grace) and
///   state transfer on (Fabric turned it off in 2.2; then a peer that falls out of the 10-block
///   pull window never catches up);
/// - `direct`: every peer a static leader pulling from the orderer and push off (Fabric v3's
///   way: no block gossip, the orderer sends every block to every peer).
public enum DisseminationBench {
    public enum Mode: String, CaseIterable, Sendable, Codable {
        case fabnet, fabric, direct

        public var title: String {
            switch self {
            case .fabnet: return "fabnet gossip"
            case .fabric: return "Fabric gossip defaults"
            case .direct: return "direct delivery"
            }
        }

        /// The core.yaml of the peer at `index` (nil: fabnet's defaults, no file).
        func coreYAML(peerIndex index: Int) -> String? {
            switch self {
            case .fabnet:
                return nil
            case .fabric:
                var settings = GossipSettings.fabric
                settings.bootstrap = []  // fabnet up sets each peer's bootstrap peers
                settings.useLeaderElection = false
                settings.orgLeader = index == 0
                // Fabric's default since 2.2 is off, and then a follower that falls out of the
                // 10-block pull window never catches up (reference §5): on, as up to 2.1.
                settings.state.enabled = true
                return GossipSettingsYAML.render(settings)
            case .direct:
                var settings = GossipSettings.fabnetDefaults
                settings.useLeaderElection = false
                settings.orgLeader = true
                settings.propagatePeerNum = 0
                return GossipSettingsYAML.render(settings)
            }
        }
    }

    public struct Parameters: Sendable {
        public var peers: Int
        public var blocks: Int
        public var blockSize: Int
        /// Blocks per second.
        public var rate: Double
        /// Seconds to wait for the network to be ready, and for every peer to commit everything.
        public var timeout: Double
        /// The `fabnet` executable the nodes run.
        public var executable: String

        public init(peers: Int = 16, blocks: Int = 200, blockSize: Int = 65536, rate: Double = 20, timeout: Double = 120, executable: String) {
            self.peers = peers
            self.blocks = blocks
            self.blockSize = blockSize
            self.rate = rate
            self.timeout = timeout
            self.executable = executable
        }
    }

    /// What one mode's run measured (raw; summaries are the caller's).
    public struct Measurement: Sendable, Codable {
        public let mode: Mode
        public let peers: Int
        public let blocks: Int
        /// Mean size of a block as the orderer sent it (bytes).
        public let blockBytes: Double
        /// Per block: cut → commit at the last peer (ms).
        public let lastPeerMilliseconds: [Double]
        /// Per peer, per block: cut → commit (ms).
        public let peerMilliseconds: [[Double]]
        /// Per peer: bytes received during the run (gossip and deliver), and block copies
        /// received again after the first.
        public let bytesReceived: [Int]
        public let duplicates: [Int]
        /// Blocks and bytes the orderer sent to deliver clients during the run.
        public let ordererEgressBlocks: Int
        public let ordererEgressBytes: Int
        /// Seconds from the first submission to the last peer's last commit.
        public let seconds: Double
    }

    /// The bench's network: the default network's first peer org alone, with `peers` peers, one
    /// channel that cuts every transaction into its own block.
    public static func spec(peers: Int, blockSize: Int) throws -> NetworkSpec {
        var spec = try NetworkLoader.load(file: nil, cryptoConfigFiles: [], discoverCryptoConfig: false).spec
        guard let org = spec.organizations.first(where: { !$0.peers.isEmpty }), var channel = spec.channels.first else {
            throw OrchestratorError.state("the embedded default network has no peer org or channel")
        }
        spec.organizations.removeAll { !$0.peers.isEmpty && $0.mspID != org.mspID }
        channel.memberOrgs = [org.mspID]
        channel.batch = BatchParameters(batchTimeout: .milliseconds(10), maxMessageCount: 1,
                                        absoluteMaxBytes: max(10 << 20, 4 * blockSize), preferredMaxBytes: max(2 << 20, 2 * blockSize))
        spec.channels = [channel]
        return spec.withPeers(perOrganization: peers)
    }

    /// Runs one mode on a fresh network in a temporary folder, and stops it.
    public static func run(_ mode: Mode, _ parameters: Parameters, progress: @Sendable (String) -> Void) async throws -> Measurement {
        let spec = try spec(peers: parameters.peers, blockSize: parameters.blockSize)
        progress("\(mode.title): starting \(spec.peers.count) peers …")
        let network = try await BenchNetwork.start(spec, name: "dissemination-\(mode.rawValue)", timeout: parameters.timeout,
                                                   executable: parameters.executable) { options in
            for (index, peer) in spec.peers.enumerated() { options.coreYAML[peer.commonName] = mode.coreYAML(peerIndex: index) }
            options.leadersPerOrganization = mode == .direct ? spec.peers.count...spec.peers.count : 1...1
        }
        defer { network.stop() }
        let clients = network.clients
        let orderer = try network.orderer
        guard let channel = spec.channels.first?.name, let org = spec.channels.first?.memberOrgs.first else {
            throw OrchestratorError.state("the bench network has no channel")
        }
        let peers = clients.peers
        // Steady state: every peer counts every other as a peer of the channel (its state info
        // arrived), so the first block finds the same org as the last.
        progress("\(mode.title): waiting until every peer knows the channel's peers …")
        let channelDeadline = ContinuousClock.now + .seconds(parameters.timeout)
        while true {
            var known: [Int] = []
            for peer in peers {
                let status = try? await clients.status(of: peer)
                known.append(status?.peerChannels.first { $0.name == channel }?.channelPeers.count ?? 0)
            }
            if known.allSatisfy({ $0 >= peers.count - 1 }) { break }
            guard ContinuousClock.now < channelDeadline else {
                throw OrchestratorError.timeout("\(mode.title): after \(parameters.timeout) s peers know \(known) channel peers, not \(peers.count - 1) each")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        var before: [MetricsText] = []
        for peer in peers { before.append(try await MetricsText.fetch(port: peer.operationsPort)) }
        let ordererBefore = try await MetricsText.fetch(port: orderer.operationsPort)

        // One transaction per block, each with a value of blockSize bytes.
        let client = try clients.client(of: orderer, as: org, role: .client)
        let value = Data((0..<parameters.blockSize).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        let envelopes = try (0..<parameters.blocks).map {
            try TransactionBuilder.make(channel: channel, writes: [("bench-\($0)", value)], creator: client.signer).envelope
        }
        progress("\(mode.title): \(parameters.blocks) blocks of \(parameters.blockSize) bytes at \(parameters.rate) per second …")
        let started = Date()
        let (responses, _) = try await client.broadcast(envelopes, every: .nanoseconds(Int64(1e9 / parameters.rate)))
        if let refused = responses.first(where: { $0.status != .success }) {
            throw OrchestratorError.state("the orderer refused a transaction: \(refused.status) \(refused.info)")
        }

        // Every peer holds block 0 (the channel's genesis) and the B blocks.
        try await BenchNetwork.waitForHeight(parameters.blocks + 1, of: peers, channel: channel, timeout: parameters.timeout) { heights in
            progress("\(mode.title): \(heights.filter { $0 >= Double(parameters.blocks + 1) }.count) of \(peers.count) peers have every block …")
        }

        var after: [MetricsText] = []
        for peer in peers { after.append(try await MetricsText.fetch(port: peer.operationsPort)) }
        let ordererAfter = try await MetricsText.fetch(port: orderer.operationsPort)
        var commits: [[UInt64: (cut: Int64, commit: Int64)]] = []
        for peer in peers { commits.append(try await commitTimes(port: peer.operationsPort, channel: channel)) }
        var lastCommit = Int64.min
        var lastPeer: [Double] = []
        var perPeer = [[Double]](repeating: [], count: peers.count)
        for number in 1...UInt64(parameters.blocks) {
            var latest = Int64.min, cut: Int64 = 0
            for (index, records) in commits.enumerated() {
                guard let record = records[number] else {
                    throw OrchestratorError.state("\(peers[index].name) reports no commit of block \(number)")
                }
                perPeer[index].append(Double(record.commit - record.cut) / 1e6)
                latest = max(latest, record.commit)
                cut = record.cut
            }
            lastPeer.append(Double(latest - cut) / 1e6)
            lastCommit = max(lastCommit, latest)
        }
        func delta(_ sample: String, _ index: Int) -> Int { Int(after[index][sample] - before[index][sample]) }
        let egressBlocks = Int(ordererAfter["fabnet_deliver_sent_blocks_total"] - ordererBefore["fabnet_deliver_sent_blocks_total"])
        let egressBytes = Int(ordererAfter["fabnet_deliver_sent_bytes_total"] - ordererBefore["fabnet_deliver_sent_bytes_total"])
        return Measurement(
            mode: mode, peers: peers.count, blocks: parameters.blocks,
            blockBytes: egressBlocks > 0 ? Double(egressBytes) / Double(egressBlocks) : Double(parameters.blockSize),
            lastPeerMilliseconds: lastPeer, peerMilliseconds: perPeer,
            bytesReceived: peers.indices.map { delta("fabnet_gossip_received_bytes_total", $0) + delta("fabnet_deliver_received_bytes_total", $0) },
            duplicates: peers.indices.map { delta("fabnet_blocks_duplicate_total", $0) },
            ordererEgressBlocks: egressBlocks, ordererEgressBytes: egressBytes,
            seconds: Double(lastCommit) / 1e9 - started.timeIntervalSince1970)
    }

    /// A peer's `/commits/<channel>?from=first`: block number → (cut, commit) in ns since 1970,
    /// for blocks from `first` on (the peer leaves the others out).
    static func commitTimes(port: Int, channel: String, from first: UInt64 = 1) async throws -> [UInt64: (cut: Int64, commit: Int64)] {
        struct Body: Decodable { let blocks: [[Int64]] }
        let response = try await HTTPProbe.get(port: port, path: "/commits/\(channel)?from=\(first)", timeout: 10)
        guard response.status == 200 else { throw OrchestratorError.state("GET /commits/\(channel) on port \(port) answered \(response.status): \(response.body)") }
        let body = try JSONDecoder().decode(Body.self, from: Data(response.body.utf8))
        var times: [UInt64: (cut: Int64, commit: Int64)] = [:]
        for row in body.blocks where row.count == 3 { times[UInt64(row[0])] = (row[1], row[2]) }
        return times
    }
}
