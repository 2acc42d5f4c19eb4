import FabnetConfig
import FabnetClient
import FabnetModel
import Foundation
import Orchestrator

/// `fabnet bench catchup` as a library: on the default network (every transaction its own
/// block), one peer that does not lead its org is stopped; K blocks are cut and reach the other
/// peers; the peer is started again and catches up by state transfer (and whatever push and
/// pull bring). Measured: restart → the peer holds every block, and its first → last catch-up
/// commit (its own `/commits` records), as blocks per second.
public enum CatchupBench {
    public struct Parameters: Sendable {
        public var blocks: Int
        /// Bytes of each block's one transaction value.
        public var valueSize: Int
        public var timeout: Double
        public var executable: String

        public init(blocks: Int = 10_000, valueSize: Int = 64, timeout: Double = 300, executable: String) {
            self.blocks = blocks
            self.valueSize = valueSize
            self.timeout = timeout
            self.executable = executable
        }
    }

    public struct Measurement: Sendable, Codable {
        public let peer: String
        public let blocks: Int
        /// Mean bytes of a block on the orderer's wire.
        public let blockBytes: Double
        /// The peer's height when it was stopped, and the height it caught up to.
        public let fromHeight: Int
        public let toHeight: Int
        /// Seconds to cut the K blocks and get them to the running peers.
        public let produceSeconds: Double
        /// Seconds from spawning the peer to its `/healthz` answering.
        public let restartToHealthySeconds: Double
        /// Seconds from spawning the peer to its commit of block `toHeight - 1` (its own record).
        public let restartToHeightSeconds: Double
        /// Seconds from its first catch-up commit to its last.
        public let transferSeconds: Double
        /// Blocks by state transfer, pull and push at the restarted peer during the catch-up.
        public let viaStateTransfer: Int
        public let viaPull: Int
        public let viaPush: Int

        /// K ÷ restart → height.
        public var blocksPerSecondFromRestart: Double { Double(toHeight - fromHeight) / restartToHeightSeconds }
        /// K ÷ first → last catch-up commit.
        public var blocksPerSecond: Double { Double(toHeight - fromHeight) / max(transferSeconds, 1e-9) }
    }

    /// The default network, with every transaction cut into its own block.
    public static func spec() throws -> NetworkSpec {
        var spec = try NetworkLoader.load(file: nil, cryptoConfigFiles: [], discoverCryptoConfig: false).spec
        for index in spec.channels.indices {
            spec.channels[index].batch = BatchParameters(batchTimeout: .milliseconds(10), maxMessageCount: 1,
                                                         absoluteMaxBytes: 10 << 20, preferredMaxBytes: 2 << 20)
        }
        return spec
    }

    public static func run(_ parameters: Parameters, progress: @escaping @Sendable (String) -> Void) async throws -> Measurement {
        let spec = try spec()
        progress("starting the default network …")
        var network = try await BenchNetwork.start(spec, name: "catchup", timeout: parameters.timeout, executable: parameters.executable)
        defer { network.stop() }
        let clients = network.clients
        let orderer = try network.orderer
        guard let channel = spec.channels.first?.name, let org = spec.channels.first?.memberOrgs.first else {
            throw OrchestratorError.state("the default network has no channel")
        }
        // The stopped peer: one that leads nothing (stopping a leader would add an election).
        var stopped: NetworkState.Node?
        for peer in clients.peers {
            let status = try await clients.status(of: peer)
            if !(status.peerChannels.first { $0.name == channel }?.leader ?? true) { stopped = peer; break }
        }
        guard let stopped else { throw OrchestratorError.state("every peer leads its org in \(channel); nothing to stop") }
        let others = clients.peers.filter { $0.name != stopped.name }
        let control = NodeControl(state: network.launcher.state, executable: parameters.executable)
        let fromHeight = Int(await BenchNetwork.heights(of: [stopped], channel: channel)[0])
        progress("stopping \(stopped.name) at height \(fromHeight) …")
        try control.stop(stopped, in: network.manifest)

        // K blocks, one transaction each, sent as fast as the orderer takes them.
        let client = try clients.client(of: orderer, as: org, role: .client)
        let value = Data((0..<parameters.valueSize).map { UInt8(truncatingIfNeeded: $0) })
        progress("signing \(parameters.blocks) transactions …")
        let envelopes = try (0..<parameters.blocks).map {
            try TransactionBuilder.make(channel: channel, writes: [("catchup-\($0)", value)], creator: client.signer).envelope
        }
        let ordererBefore = try await MetricsText.fetch(port: orderer.operationsPort)
        progress("cutting \(parameters.blocks) blocks …")
        let produceStart = ContinuousClock.now
        let responses = try await client.broadcast(envelopes)
        if let refused = responses.first(where: { $0.status != .success }) {
            throw OrchestratorError.state("the orderer refused a transaction: \(refused.status) \(refused.info)")
        }
        let toHeight = fromHeight + parameters.blocks
        try await BenchNetwork.waitForHeight(toHeight, of: others, channel: channel, timeout: parameters.timeout) { heights in
            progress("the running peers hold \(heights.map { Int($0) }.map(String.init).joined(separator: ", ")) of \(toHeight) blocks …")
        }
        let produceSeconds = (ContinuousClock.now - produceStart).seconds
        let ordererAfter = try await MetricsText.fetch(port: orderer.operationsPort)
        let egressBlocks = ordererAfter["fabnet_deliver_sent_blocks_total"] - ordererBefore["fabnet_deliver_sent_blocks_total"]
        let egressBytes = ordererAfter["fabnet_deliver_sent_bytes_total"] - ordererBefore["fabnet_deliver_sent_bytes_total"]

        progress("starting \(stopped.name) again …")
        let restart = ContinuousClock.now, spawned = Date()
        network.manifest = try control.start(stopped, in: network.manifest)
        let restarted = network.manifest.nodes.first { $0.name == stopped.name } ?? stopped  // same ports; a new pid
        try await control.waitHealthy(restarted, timeout: parameters.timeout)
        let healthy = ContinuousClock.now - restart
        // Its own commit records time the catch-up; polling only says when it is over.
        try await BenchNetwork.waitForHeight(toHeight, of: [restarted], channel: channel, timeout: parameters.timeout) { heights in
            progress("\(stopped.name): \(Int(heights[0])) of \(toHeight) blocks …")
        }
        let commits = try await DisseminationBench.commitTimes(port: restarted.operationsPort, channel: channel, from: UInt64(fromHeight))
        let times = commits.values.map(\.commit)
        guard let first = times.min(), let last = times.max() else {
            throw OrchestratorError.state("\(stopped.name) reports no commits from block \(fromHeight) on")
        }
        let metrics = try await MetricsText.fetch(port: restarted.operationsPort)
        func received(_ via: String) -> Int { Int(metrics[#"fabnet_blocks_received_total{via="\#(via)"}"#]) }
        return Measurement(
            peer: stopped.name, blocks: parameters.blocks,
            blockBytes: egressBlocks > 0 ? egressBytes / egressBlocks : Double(parameters.valueSize),
            fromHeight: fromHeight, toHeight: toHeight, produceSeconds: produceSeconds,
            restartToHealthySeconds: healthy.seconds, restartToHeightSeconds: Double(last) / 1e9 - spawned.timeIntervalSince1970,
            transferSeconds: Double(last - first) / 1e9,
            viaStateTransfer: received("state_transfer"), viaPull: received("pull"), viaPush: received("push"))
    }
}
