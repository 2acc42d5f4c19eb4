import FabnetConfig
import FabnetClient
import FabnetCrypto
import FabnetModel
import FabnetWire
import Foundation
import Orchestrator
import OrdererNode

/// `fabnet bench throughput` as a library: on the default network, unchanged (its channel cuts
/// a block every 500 transactions or 250 ms), C clients each submit pre-signed transactions
/// over their own connection as fast as the orderer answers (up to W unanswered) for T seconds.
/// Measured: transactions accepted, committed on every peer per second, and per transaction
/// submit → committed on every peer (its block's latest commit, from the peers' `/commits`).
public enum ThroughputBench {
    public struct Parameters: Sendable {
        public var seconds: Double
        public var clients: Int
        public var window: Int
        public var valueSize: Int
        /// Transactions signed in advance per second of the run (the submission stops early if
        /// they run out).
        public var maximumRate: Int
        public var timeout: Double
        public var executable: String

        public init(seconds: Double = 10, clients: Int = 4, window: Int = 20, valueSize: Int = 64, maximumRate: Int = 12_000,
                    timeout: Double = 120, executable: String) {
            self.seconds = seconds
            self.clients = clients
            self.window = window
            self.valueSize = valueSize
            self.maximumRate = maximumRate
            self.timeout = timeout
            self.executable = executable
        }
    }

    public struct Measurement: Sendable, Codable {
        public let clients: Int
        public let peers: Int
        public let submitted: Int
        public let accepted: Int
        public let blocks: Int
        /// First submission → last submission answered.
        public let submitSeconds: Double
        /// First submission → the last accepted transaction committed on every peer.
        public let seconds: Double
        /// Per accepted transaction: submit → committed on every peer (ms), in submission order.
        public let latencyMilliseconds: [Double]
        /// Whether the pre-signed transactions ran out before `seconds` passed.
        public let ranOut: Bool

        public var acceptedPerSecond: Double { Double(accepted) / max(submitSeconds, 1e-9) }
        public var committedPerSecond: Double { Double(accepted) / max(seconds, 1e-9) }
    }

    public static func run(_ parameters: Parameters, progress: @escaping @Sendable (String) -> Void) async throws -> Measurement {
        let spec = try NetworkLoader.load(file: nil, cryptoConfigFiles: [], discoverCryptoConfig: false).spec
        progress("starting the default network …")
        let network = try await BenchNetwork.start(spec, name: "throughput", timeout: parameters.timeout, executable: parameters.executable)
        defer { network.stop() }
        let orderer = try network.orderer
        let peers = network.clients.peers
        guard let channel = spec.channels.first, !channel.memberOrgs.isEmpty else {
            throw OrchestratorError.state("the default network has no channel")
        }
        let startHeight = Int(await BenchNetwork.heights(of: peers, channel: channel.name).min() ?? 0)

        // Each client a user of a member org in turn, with its own connection.
        let clients = try (0..<parameters.clients).map {
            try network.clients.client(of: orderer, as: channel.memberOrgs[$0 % channel.memberOrgs.count], role: .client)
        }
        let perClient = max(1, Int((parameters.seconds * Double(parameters.maximumRate)).rounded(.up)) / parameters.clients)
        progress("signing \(perClient * parameters.clients) transactions …")
        let value = Data((0..<parameters.valueSize).map { UInt8(truncatingIfNeeded: $0) })
        let prepared = PreparedEnvelopes(count: parameters.clients)
        DispatchQueue.concurrentPerform(iterations: parameters.clients) { index in
            prepared.set(index, (0..<perClient).compactMap {
                try? TransactionBuilder.make(channel: channel.name, writes: [("tp-\(index)-\($0)", value)], creator: clients[index].signer).envelope
            })
        }

        progress("submitting for \(parameters.seconds) s with \(parameters.clients) clients …")
        let deadline = ContinuousClock.now + .seconds(parameters.seconds)
        let ticker = Task {
            while !Task.isCancelled, ContinuousClock.now < deadline {
                try await Task.sleep(for: .seconds(1))
                progress("submitting: \(String(format: "%.0f", parameters.seconds - (deadline - ContinuousClock.now).seconds)) of \(parameters.seconds) s …")
            }
        }
        let runs = try await withThrowingTaskGroup(of: (Int, [WireBroadcastResponse], [Date]).self) { group in
            for (index, client) in clients.enumerated() {
                let envelopes = prepared.get(index)
                group.addTask {
                    let (responses, sentAt) = try await client.broadcast(envelopes, window: parameters.window, until: deadline)
                    return (index, responses, sentAt)
                }
            }
            var runs: [(Int, [WireBroadcastResponse], [Date])] = []
            for try await run in group { runs.append(run) }
            return runs.sorted { $0.0 < $1.0 }
        }
        ticker.cancel()
        let submitEnd = Date()

        var sentAt: [String: Date] = [:]
        var submitted = 0
        for (_, responses, times) in runs {
            submitted += times.count
            for (response, time) in zip(responses, times) where response.status == .success { sentAt[response.txID] = time }
        }
        guard let firstSubmission = runs.compactMap({ $0.2.first }).min(), !sentAt.isEmpty else {
            throw OrchestratorError.state("the orderer accepted no transaction")
        }

        // The blocks that hold the accepted transactions, read back from the orderer.
        progress("reading the blocks of \(sentAt.count) transactions from the orderer …")
        let located = BlockIndex(wanted: sentAt.count)
        let acceptedIDs = Set(sentAt.keys)
        let deliverer = try network.clients.client(of: orderer, as: channel.memberOrgs[0], role: .client)
        _ = try await withDeadline(seconds: parameters.timeout, "the orderer cutting every accepted transaction") {
            try await deliverer.blocks(channel: channel.name, start: .number(UInt64(startHeight)), stop: .number(UInt64.max),
                                       failIfNotReady: false, collect: false) { block in
                located.add(block.header.number, ids: block.transactionIDs.filter { acceptedIDs.contains($0) })
            }
        }
        let endHeight = Int(located.lastBlock) + 1
        try await BenchNetwork.waitForHeight(endHeight, of: peers, channel: channel.name, timeout: parameters.timeout) { heights in
            progress("peers hold \(heights.map { String(Int($0)) }.joined(separator: ", ")) of \(endHeight) blocks …")
        }

        // Committed on every peer: the latest commit of its block among the peers.
        var everywhere: [UInt64: Int64] = [:]
        for peer in peers {
            for (number, record) in try await DisseminationBench.commitTimes(port: peer.operationsPort, channel: channel.name, from: UInt64(startHeight)) {
                everywhere[number] = max(everywhere[number] ?? .min, record.commit)
            }
        }
        var latencies: [(Date, Double)] = []
        var lastCommit = Int64.min
        for (number, ids) in located.blocks {
            guard let commit = everywhere[number] else { throw OrchestratorError.state("no peer reports block \(number)") }
            lastCommit = max(lastCommit, commit)
            for id in ids { if let sent = sentAt[id] { latencies.append((sent, (Double(commit) / 1e9 - sent.timeIntervalSince1970) * 1000)) } }
        }
        return Measurement(
            clients: parameters.clients, peers: peers.count, submitted: submitted, accepted: sentAt.count, blocks: located.blocks.count,
            submitSeconds: submitEnd.timeIntervalSince(firstSubmission),
            seconds: Double(lastCommit) / 1e9 - firstSubmission.timeIntervalSince1970,
            latencyMilliseconds: latencies.sorted { $0.0 < $1.0 }.map(\.1),
            ranOut: runs.contains { $0.2.count == perClient })
    }

    /// Envelopes signed on several threads, one list per client.
    final class PreparedEnvelopes: @unchecked Sendable {
        private let lock = NSLock()
        private var lists: [[WireEnvelope]]
        init(count: Int) { lists = Array(repeating: [], count: count) }
        func set(_ index: Int, _ list: [WireEnvelope]) { lock.withLock { lists[index] = list } }
        func get(_ index: Int) -> [WireEnvelope] { lock.withLock { lists[index] } }
    }

    /// Block number → the wanted transaction ids it holds, filled from a deliver stream until
    /// every wanted id is placed.
    final class BlockIndex: @unchecked Sendable {
        private let lock = NSLock()
        private let wanted: Int
        private var found = 0
        private(set) var blocks: [UInt64: [String]] = [:]
        private(set) var lastBlock: UInt64 = 0
        init(wanted: Int) { self.wanted = wanted }
        /// Records a block; false once every wanted id is placed (the stream may stop).
        func add(_ number: UInt64, ids: [String]) -> Bool {
            lock.withLock {
                if !ids.isEmpty { blocks[number] = ids; found += ids.count; lastBlock = max(lastBlock, number) }
                return found < wanted
            }
        }
    }
}
