import FabnetConfig
import FabnetClient
import FabnetCrypto
import FabnetModel
import FabnetWire
import Foundation
import Orchestrator
import OrdererNode

/// `fabnet bench throughput` as a library: on the default network, unchanged (its channel cuts
/// a block every 500 transactions or 250 ms), C clients each submit for T seconds over their own
/// connection, with W transactions in flight each:
/// - `.gateway` (the default): through the peers' Fabric Gateways (client i on peer i mod 4), as
///   a fabric-gateway application does: Endorse a pre-signed proposal of the built-in contract
///   (`put`, endorsed by both orgs under the channel's MAJORITY Endorsement), sign the prepared
///   transaction, Submit;
/// - `.orderer`: pre-signed, unendorsed envelopes straight to the orderer (fabnet's framing), the
///   ordering and commit path alone (fabnet's creator-only namespace: VALID without endorsements).
/// Measured: transactions accepted, committed on every peer per second, VALID on every peer, and
/// per transaction submit (the Endorse call, or the broadcast) → committed on every peer (its
/// block's latest commit, from the peers' `/commits`).
public enum ThroughputBench {
    /// Where the clients submit.
    public enum Path: String, Sendable, Codable, CaseIterable {
        case gateway, orderer
    }

    public struct Parameters: Sendable {
        public var path: Path
        public var seconds: Double
        public var clients: Int
        public var window: Int
        public var valueSize: Int
        /// Transactions signed in advance per second of the run (the submission stops early if
        /// they run out).
        public var maximumRate: Int
        public var timeout: Double
        /// Seconds each of the verification and signing rates is measured for before the run.
        public var calibrationSeconds: Double
        public var executable: String

        public init(path: Path = .gateway, seconds: Double = 10, clients: Int = 4, window: Int = 20, valueSize: Int = 64,
                    maximumRate: Int = 12_000, timeout: Double = 120, calibrationSeconds: Double = 2, executable: String) {
            self.path = path
            self.calibrationSeconds = calibrationSeconds
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
        public let path: Path
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
        /// The fewest transactions any peer flagged VALID on the channel during the run.
        public let validOnEveryPeer: Int
        /// Transactions the gateway or the orderer did not accept, and the first reason.
        public let refused: Int
        public let firstRefusal: String?
        /// This machine's ECDSA P-256 verifications and signatures per second on all its cores,
        /// measured before the network starts.
        public let verificationsPerSecond: Double
        public let signaturesPerSecond: Double
        /// V: the verifications one transaction costs in all processes together (see ``verifications(per:peers:endorsements:)``).
        public let verificationsPerTransaction: Int
        /// Signatures one transaction costs during the run (the client's proposal is signed in advance).
        public let signaturesPerTransaction: Int
        /// The cores each process kept busy while the clients submitted.
        public let cpu: ThroughputCPU?

        /// The most transactions per second the machine's verifications allow: rate / V.
        public var ceiling: Double { verificationsPerSecond / Double(max(verificationsPerTransaction, 1)) }

        public var acceptedPerSecond: Double { Double(accepted) / max(submitSeconds, 1e-9) }
        public var committedPerSecond: Double { Double(accepted) / max(seconds, 1e-9) }
    }

    /// V, the signature verifications one transaction costs across all processes: the orderer
    /// checks the creator's signature (1); every peer checks the creator's and each endorsement's
    /// at commit (peers × (1 + E)); through the gateway each endorser also checks the proposal (E).
    /// The orderer's block signature is checked once per block by each peer, spread over hundreds
    /// of transactions, and left out.
    public static func verifications(per path: Path, peers: Int, endorsements: Int) -> Int {
        switch path {
        case .orderer: return 1 + peers
        case .gateway: return 1 + peers * (1 + endorsements) + endorsements
        }
    }

    /// Signatures per transaction during the run: through the gateway the client signs the
    /// prepared transaction and each endorser its endorsement; straight to the orderer nothing
    /// (every envelope is signed in advance).
    public static func signatures(per path: Path, endorsements: Int) -> Int {
        path == .gateway ? 1 + endorsements : 0
    }

    public static func run(_ parameters: Parameters, progress: @escaping @Sendable (String) -> Void) async throws -> Measurement {
        let spec = try NetworkLoader.load(file: nil, cryptoConfigFiles: [], discoverCryptoConfig: false).spec
        let cores = ProcessInfo.processInfo.activeProcessorCount
        progress("measuring ECDSA verifications and signatures on \(cores) cores …")
        let verifying = try await SignatureRate.verify(tasks: cores, seconds: parameters.calibrationSeconds)
        let signing = try await SignatureRate.sign(tasks: cores, seconds: parameters.calibrationSeconds)
        progress("starting the default network …")
        let network = try await BenchNetwork.start(spec, name: "throughput", timeout: parameters.timeout, executable: parameters.executable)
        defer { network.stop() }
        let orderer = try network.orderer
        let peers = network.clients.peers
        guard let channel = spec.channels.first, !channel.memberOrgs.isEmpty else {
            throw OrchestratorError.state("the default network has no channel")
        }
        let startHeight = Int(await BenchNetwork.heights(of: peers, channel: channel.name).min() ?? 0)

        let validBefore = try await validCounts(of: peers, channel: channel.name)
        let perClient = max(1, Int((parameters.seconds * Double(parameters.maximumRate)).rounded(.up)) / parameters.clients)
        let submission: Submission
        switch parameters.path {
        case .orderer: submission = try await submitToOrderer(parameters, network: network, orderer: orderer, channel: channel, perClient: perClient, progress: progress)
        case .gateway: submission = try await submitThroughGateways(parameters, network: network, channel: channel, perClient: perClient, progress: progress)
        }
        let sentAt = submission.sentAt
        let submitEnd = Date()
        guard let firstSubmission = submission.firstSubmission, !sentAt.isEmpty else {
            throw OrchestratorError.state("no transaction was accepted\(submission.firstRefusal.map { ": \($0)" } ?? "")")
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
        let validAfter = try await validCounts(of: peers, channel: channel.name)
        let valid = zip(validBefore, validAfter).map { Int($1 - $0) }.min() ?? 0
        return Measurement(
            path: parameters.path, clients: parameters.clients, peers: peers.count, submitted: submission.submitted, accepted: sentAt.count,
            blocks: located.blocks.count, submitSeconds: submitEnd.timeIntervalSince(firstSubmission),
            seconds: Double(lastCommit) / 1e9 - firstSubmission.timeIntervalSince1970,
            latencyMilliseconds: latencies.sorted { $0.0 < $1.0 }.map(\.1),
            ranOut: submission.ranOut, validOnEveryPeer: valid, refused: submission.refused, firstRefusal: submission.firstRefusal,
            verificationsPerSecond: verifying.perSecond, signaturesPerSecond: signing.perSecond,
            verificationsPerTransaction: verifications(per: parameters.path, peers: peers.count, endorsements: channel.memberOrgs.count / 2 + 1),
            signaturesPerTransaction: signatures(per: parameters.path, endorsements: channel.memberOrgs.count / 2 + 1),
            cpu: submission.cpu)
    }

    /// What the clients submitted: accepted transactions by tx id with when each was submitted.
    struct Submission {
        var sentAt: [String: Date] = [:]
        var submitted = 0
        var firstSubmission: Date?
        var ranOut = false
        var refused = 0
        var firstRefusal: String?
        var cpu: ThroughputCPU?
    }

    /// Per peer, the transactions it flagged VALID on `channel` so far (Fabric's `ledger_transaction_count`).
    static func validCounts(of peers: [NetworkState.Node], channel: String) async throws -> [Double] {
        var counts: [Double] = []
        for peer in peers {
            let metrics = try await MetricsText.fetch(port: peer.operationsPort)
            counts.append(metrics.samples.filter {
                $0.key.hasPrefix("ledger_transaction_count{") && $0.key.contains("channel=\"\(channel)\"")
                    && $0.key.contains("validation_code=\"VALID\"")
            }.values.reduce(0, +))
        }
        return counts
    }

    /// Pre-signed unendorsed envelopes straight to the orderer, each client over its own connection.
    static func submitToOrderer(_ parameters: Parameters, network: BenchNetwork, orderer: NetworkState.Node, channel: ChannelSpec,
                                perClient: Int, progress: @escaping @Sendable (String) -> Void) async throws -> Submission {
        // Each client a user of a member org in turn, with its own connection.
        let clients = try (0..<parameters.clients).map {
            try network.clients.client(of: orderer, as: channel.memberOrgs[$0 % channel.memberOrgs.count], role: .client)
        }
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
        let ticker = progressTicker(seconds: parameters.seconds, deadline: deadline, progress: progress)
        defer { ticker.cancel() }
        let meter = ThroughputCPU.Meter(nodes: network.manifest.nodes)
        let runs = try await withThrowingTaskGroup(of: ([WireBroadcastResponse], [Date]).self) { group in
            for (index, client) in clients.enumerated() {
                let envelopes = prepared.get(index)
                group.addTask { try await client.broadcast(envelopes, window: parameters.window, until: deadline) }
            }
            var runs: [([WireBroadcastResponse], [Date])] = []
            for try await run in group { runs.append(run) }
            return runs
        }
        var submission = Submission(cpu: meter.finish())
        for (responses, times) in runs {
            submission.submitted += times.count
            submission.ranOut = submission.ranOut || times.count == perClient
            for (response, time) in zip(responses, times) {
                if response.status == .success {
                    submission.sentAt[response.txID] = time
                } else {
                    submission.refused += 1
                    submission.firstRefusal = submission.firstRefusal ?? "\(response.status): \(response.info)"
                }
            }
        }
        submission.firstSubmission = runs.compactMap { $0.1.first }.min()
        return submission
    }

    /// Pre-signed proposals of the built-in contract through the peers' Gateways (client i on
    /// peer i mod the peer count), as fabric-gateway applications submit.
    static func submitThroughGateways(_ parameters: Parameters, network: BenchNetwork, channel: ChannelSpec, perClient: Int,
                                      progress: @escaping @Sendable (String) -> Void) async throws -> Submission {
        let gateways = network.clients.peers.filter { $0.grpcPort != nil && channel.memberOrgs.contains($0.mspID) }
        guard !gateways.isEmpty else { throw OrchestratorError.state("no peer of \(channel.name) serves the Gateway (no gRPC port)") }
        let roots = try GatewayConnection.peerTLSRoots(network.clients)
        let submitters = try (0..<parameters.clients).map { index in
            let gateway = gateways[index % gateways.count]
            return GatewaySubmitter(host: "127.0.0.1", port: gateway.grpcPort!, trustRootsPEM: roots, channel: channel.name,
                                    signer: try network.clients.credentials(of: gateway.mspID, role: .client).signer, window: parameters.window)
        }
        progress("signing \(perClient * parameters.clients) proposals …")
        let value = Data((0..<parameters.valueSize).map { UInt8(truncatingIfNeeded: $0) })
        let prepared = PreparedProposals(count: parameters.clients)
        DispatchQueue.concurrentPerform(iterations: parameters.clients) { index in
            prepared.set(index, (0..<perClient).compactMap {
                guard let made = try? ProposalBuilder.make(channel: channel.name, chaincode: TransactionBuilder.namespace,
                                                           arguments: [Data("put".utf8), Data("tp-\(index)-\($0)".utf8), value],
                                                           creator: submitters[index].signer) else { return nil }
                return GatewaySubmitter.Proposal(signed: made.signed, txID: made.txID)
            })
        }
        progress("waiting until every gateway can endorse …")
        for (index, submitter) in submitters.enumerated() {
            let probe = try ProposalBuilder.make(channel: channel.name, chaincode: TransactionBuilder.namespace,
                                                 arguments: [Data("get".utf8), Data("tp-warm-up-\(index)".utf8)], creator: submitter.signer)
            try await submitter.warmUp(GatewaySubmitter.Proposal(signed: probe.signed, txID: probe.txID), within: parameters.timeout)
        }
        progress("submitting through \(gateways.count) gateways for \(parameters.seconds) s with \(parameters.clients) clients …")
        let deadline = ContinuousClock.now + .seconds(parameters.seconds)
        let ticker = progressTicker(seconds: parameters.seconds, deadline: deadline, progress: progress)
        defer { ticker.cancel() }
        let meter = ThroughputCPU.Meter(nodes: network.manifest.nodes)
        let runs = try await withThrowingTaskGroup(of: [GatewaySubmitter.Outcome].self) { group in
            for (index, submitter) in submitters.enumerated() {
                let proposals = prepared.get(index)
                group.addTask { try await submitter.run(proposals, until: deadline) }
            }
            var runs: [[GatewaySubmitter.Outcome]] = []
            for try await run in group { runs.append(run) }
            return runs
        }
        var submission = Submission(cpu: meter.finish())
        for outcomes in runs {
            submission.submitted += outcomes.count
            submission.ranOut = submission.ranOut || outcomes.count == perClient
            for outcome in outcomes {
                if let failure = outcome.failure {
                    submission.refused += 1
                    submission.firstRefusal = submission.firstRefusal ?? failure
                } else {
                    submission.sentAt[outcome.txID] = outcome.startedAt
                }
            }
        }
        submission.firstSubmission = runs.flatMap { $0.map(\.startedAt) }.min()
        return submission
    }

    /// Says every second how far the submission is.
    static func progressTicker(seconds: Double, deadline: ContinuousClock.Instant, progress: @escaping @Sendable (String) -> Void) -> Task<Void, any Error> {
        Task {
            while !Task.isCancelled, ContinuousClock.now < deadline {
                try await Task.sleep(for: .seconds(1))  // a progress line each second, not a synchronisation
                progress("submitting: \(String(format: "%.0f", seconds - (deadline - ContinuousClock.now).seconds)) of \(seconds) s …")
            }
        }
    }

    /// Proposals signed on several threads, one list per client.
    final class PreparedProposals: @unchecked Sendable {
        private let lock = NSLock()
        private var lists: [[GatewaySubmitter.Proposal]]
        init(count: Int) { lists = Array(repeating: [], count: count) }
        func set(_ index: Int, _ list: [GatewaySubmitter.Proposal]) { lock.withLock { lists[index] = list } }
        func get(_ index: Int) -> [GatewaySubmitter.Proposal] { lock.withLock { lists[index] } }
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
