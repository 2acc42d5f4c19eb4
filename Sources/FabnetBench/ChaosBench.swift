import FabnetClient
import FabnetConfig
import FabnetCrypto
import FabnetModel
import FabricWire
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Orchestrator

/// `fabnet bench chaos` as a library: on the default network, clients submit through the peers'
/// Gateways (the built-in contract's `put`, each transaction its own key) for the run's length
/// and record every transaction in a history file, while faults drawn from the seed strike peers,
/// whole orgs and the orderer; then everything heals, `fabnet check`'s comparison runs, and every
/// acknowledged transaction (CommitStatus VALID) is looked up on every peer through its Gateway.
///
/// Guarantees: the run's verdict counts an acknowledged transaction missing when any peer's
/// CommitStatus does not answer VALID for it after the peers agree; `divergentPeers` are those
/// the ledger comparison names; the same seed gives the same fault schedule; the network is
/// stopped and its folder removed at the end (the history file is kept).
public enum ChaosBench {
    public struct Parameters: Sendable {
        public var seconds: Double
        public var seed: UInt64
        public var kinds: [ChaosSchedule.Kind]
        public var clients: Int
        public var window: Int
        public var history: URL
        public var timeout: Double
        public var executable: String

        public init(seconds: Double, seed: UInt64, kinds: [ChaosSchedule.Kind] = ChaosSchedule.Kind.allCases, clients: Int = 4, window: Int = 4,
                    history: URL, timeout: Double = 120, executable: String) {
            self.seconds = seconds
            self.seed = seed
            self.kinds = kinds
            self.clients = clients
            self.window = window
            self.history = history
            self.timeout = timeout
            self.executable = executable
        }
    }

    /// One fault as it happened.
    public struct FaultReport: Sendable, Encodable {
        public let kind: ChaosSchedule.Kind
        public let nodes: [String]
        public let description: String
        /// Seconds after the clients started: when it struck, when it healed.
        public let struckAt: Double
        public let healedAt: Double
        /// Transactions acknowledged, and ended otherwise, between the two.
        public let acknowledgedDuring: Int
        public let failedDuring: Int
        /// What the fault is expected to stop (e.g. endorsement under MAJORITY), if anything.
        public let expected: String?
        /// What could not be done striking or healing it.
        public let problems: [String]
    }

    public struct Report: Sendable, Encodable {
        public let seed: UInt64
        public let seconds: Double
        public let submitted: Int
        public let acknowledged: Int
        /// Ended `fail` (certainly not valid) and `info` (unknown).
        public let failed: Int
        public let unknown: Int
        /// Acknowledged transactions some peer does not hold as VALID: must be 0.
        public let missing: Int
        /// Up to 10 of them, each with the peers that lack it.
        public let missingExamples: [String]
        public let divergentPeers: [String]
        public let divergences: [String]
        /// From the last heal (the schedule's last fault healing, at the end of the run at the
        /// latest) until every peer agreed, the clients' last transactions included; nil when they
        /// never agreed within the timeout.
        public let secondsToAgree: Double?
        public let height: UInt64?
        public let faults: [FaultReport]
        public let history: String
        /// What kept the check from finishing, if anything.
        public let checkError: String?

        public var passed: Bool { missing == 0 && divergentPeers.isEmpty && secondsToAgree != nil && checkError == nil && acknowledged > 0 }
    }

    public static func run(_ parameters: Parameters, progress: @escaping @Sendable (String) -> Void) async throws -> Report {
        let spec = try NetworkLoader.load(file: nil, cryptoConfigFiles: [], discoverCryptoConfig: false).spec
        guard let channel = spec.channels.first, !channel.memberOrgs.isEmpty else { throw OrchestratorError.state("the default network has no channel") }
        progress("starting the default network …")
        let network = try await BenchNetwork.start(spec, name: "chaos", timeout: parameters.timeout, executable: parameters.executable)
        defer { network.stop() }
        let peers = network.clients.peers.filter { $0.grpcPort != nil && channel.memberOrgs.contains($0.mspID) }
        guard !peers.isEmpty else { throw OrchestratorError.state("no peer of \(channel.name) serves the Gateway") }
        let topology = ChaosSchedule.Topology(
            orgs: channel.memberOrgs.map { org in (org, peers.filter { $0.mspID == org }.map(\.name)) }, orderer: network.clients.orderer?.name)
        let schedule = ChaosSchedule(seed: parameters.seed, seconds: parameters.seconds, kinds: parameters.kinds, topology: topology)
        let roots = try GatewayConnection.peerTLSRoots(network.clients)

        progress("waiting until every gateway can endorse …")
        for peer in peers {
            let signer = try network.clients.credentials(of: peer.mspID, role: .client).signer
            let probe = try ProposalBuilder.make(channel: channel.name, chaincode: TransactionBuilder.namespace,
                                                 arguments: [Data("get".utf8), Data("chaos-warm-up".utf8)], creator: signer)
            try await GatewaySubmitter(host: "127.0.0.1", port: peer.grpcPort!, trustRootsPEM: roots, channel: channel.name, signer: signer, window: 1)
                .warmUp(.init(signed: probe.signed, txID: probe.txID), within: parameters.timeout)
        }

        let history = try ChaosHistory(url: parameters.history)
        defer { history.close() }
        let faults = ChaosFaults(network: network, executable: parameters.executable)
        let started = ContinuousClock.now
        let deadline = started + .seconds(parameters.seconds)
        progress("submitting for \(Int(parameters.seconds)) s through \(peers.count) gateways; \(schedule.faults.count) faults from seed \(parameters.seed) …")
        let clients = try (0..<parameters.clients).map { index in
            let peer = peers[index % peers.count]
            return ChaosClient(index: index, gatewayName: peer.name, host: "127.0.0.1", port: peer.grpcPort!, trustRootsPEM: roots,
                               channel: channel.name, chaincode: TransactionBuilder.namespace,
                               signer: try network.clients.credentials(of: peer.mspID, role: .client).signer,
                               window: parameters.window, history: history, started: started)
        }
        async let completions = withThrowingTaskGroup(of: [ChaosClient.Completion].self) { group in
            for client in clients { group.addTask { try await client.run(until: deadline) } }
            var all: [ChaosClient.Completion] = []
            for try await done in group { all += done }
            return all
        }
        var struck: [(fault: ChaosSchedule.Fault, at: Double, healed: Double, problems: [String])] = []
        var lastHeal = started
        for fault in schedule.faults {
            // The schedule's own clock: each fault strikes at its time and heals after its length.
            try await Task.sleep(until: started + .seconds(fault.at), clock: .continuous)
            let at = (ContinuousClock.now - started).seconds
            progress(String(format: "%5.1f s: %@", at, fault.summary))
            var problems = await faults.strike(fault)
            try await Task.sleep(until: started + .seconds(fault.at + fault.seconds), clock: .continuous)
            problems += await faults.heal(fault, timeout: parameters.timeout)
            lastHeal = ContinuousClock.now
            struck.append((fault, at, (lastHeal - started).seconds, problems))
            for problem in problems { progress("  \(problem)") }
        }
        let done = try await completions
        progress("the clients stopped; checking that everything is healed and every peer agrees …")
        // Normally nothing is left to heal; what a failed heal left is healed now, and then counts
        // as the last heal.
        let finalProblems = await faults.healEverything(timeout: parameters.timeout)
        if !finalProblems.isEmpty { lastHeal = ContinuousClock.now }

        // The peers agree?
        let current = await faults.clients
        var checkError: String? = finalProblems.isEmpty ? nil : finalProblems.joined(separator: "; ")
        var divergences: [LedgerAgreement.Divergence] = []
        var secondsToAgree: Double?
        var height: UInt64?
        do {
            let checker = LedgerCheck(clients: current, state: network.launcher.state)
            if let report = try await checker.check(channel.name, peers: current.peers, deadline: .now + .seconds(parameters.timeout), timeout: parameters.timeout, poll: .milliseconds(50)) {
                secondsToAgree = (ContinuousClock.now - lastHeal).seconds
                divergences = report.divergences
                height = report.height
            } else {
                checkError = "no running peer has joined \(channel.name)"
            }
        } catch {
            checkError = "\(error)"
        }

        // Every acknowledged transaction, VALID on every peer?
        let acknowledged = done.filter { $0.kind == .ok }.map(\.tx)
        progress("looking up \(acknowledged.count) acknowledged transactions on \(current.peers.count) peers …")
        var lacking: [String: [String]] = [:]
        for peer in current.peers.filter({ $0.grpcPort != nil && channel.memberOrgs.contains($0.mspID) }) {
            let signer = try current.credentials(of: peer.mspID, role: .client).signer
            let absent = try await absentOrInvalid(acknowledged, on: peer, channel: channel.name, roots: roots, signer: signer)
            for tx in absent { lacking[tx, default: []].append(peer.name) }
        }

        let reports = struck.map { entry in
            FaultReport(kind: entry.fault.kind, nodes: entry.fault.nodes, description: entry.fault.summary, struckAt: entry.at, healedAt: entry.healed,
                        acknowledgedDuring: done.filter { $0.kind == .ok && $0.time >= entry.at && $0.time <= entry.healed }.count,
                        failedDuring: done.filter { $0.kind != .ok && $0.time >= entry.at && $0.time <= entry.healed }.count,
                        expected: expectation(of: entry.fault, channel: channel, orderer: topology.orderer), problems: entry.problems)
        }
        return Report(seed: parameters.seed, seconds: parameters.seconds, submitted: done.count, acknowledged: acknowledged.count,
                      failed: done.filter { $0.kind == .fail }.count, unknown: done.filter { $0.kind == .info }.count,
                      missing: lacking.count, missingExamples: lacking.sorted { $0.key < $1.key }.prefix(10).map { "\($0.key) (not VALID on \($0.value.joined(separator: ", ")))" },
                      divergentPeers: divergences.map(\.peer), divergences: divergences.map(\.description),
                      secondsToAgree: secondsToAgree, height: height, faults: reports, history: parameters.history.path, checkError: checkError)
    }

    /// What a fault is expected to stop, given the channel's Endorsement policy: an org cut off
    /// under MAJORITY (or ALL) of the orgs, or the only orderer struck.
    public static func expectation(of fault: ChaosSchedule.Fault, channel: ChannelSpec, orderer: String?) -> String? {
        if let orderer, fault.nodes == [orderer] || (fault.kind == .partition && fault.groups.first == [orderer]) {
            return "the only orderer is away: no transaction is ordered until it is back (expected)"
        }
        guard !fault.orgsCutOff.isEmpty else { return nil }
        let rule = channel.policies.application["Endorsement"]?.rule ?? ""
        let members = channel.memberOrgs.count
        let left = members - Set(fault.orgsCutOff).intersection(channel.memberOrgs).count
        let needed: Int? = rule.hasPrefix("MAJORITY") ? members / 2 + 1 : rule.hasPrefix("ALL") ? members : rule.hasPrefix("ANY") ? 1 : nil
        guard let needed, left < needed else { return nil }
        return "\(fault.orgsCutOff.joined(separator: ", ")) cut off: the channel's Endorsement policy (\(rule) of \(members) orgs) cannot be met, so endorsement stops until it heals (expected)"
    }

    /// The transactions of `ids` that `peer`'s Gateway does not report VALID (CommitStatus; the
    /// peers agree by now, so a short deadline per lookup: an absent one would wait for ever).
    static func absentOrInvalid(_ ids: [String], on peer: NetworkState.Node, channel: String, roots: [Data], signer: SigningIdentity) async throws -> [String] {
        let identity: Data = try signer.serialized.serializedBytes()
        return try await GatewayConnection.with(port: peer.grpcPort!, trustRootsPEM: roots) { gateway in
            let options: CallOptions = {
                var options = CallOptions.defaults
                options.timeout = .seconds(5)
                return options
            }()
            let lanes = 16
            return try await withThrowingTaskGroup(of: [String].self) { group in
                for lane in 0..<lanes {
                    group.addTask {
                        var absent: [String] = []
                        for index in stride(from: lane, to: ids.count, by: lanes) {
                            let request: Data = try Gateway_CommitStatusRequest.with {
                                $0.transactionID = ids[index]
                                $0.channelID = channel
                                $0.identity = identity
                            }.serializedBytes()
                            let signed = try Gateway_SignedCommitStatusRequest.with {
                                $0.request = request
                                $0.signature = try signer.sign(request)
                            }
                            let status = try? await gateway.commitStatus(signed, options: options)
                            if status?.result != .valid { absent.append(ids[index]) }
                        }
                        return absent
                    }
                }
                var all: [String] = []
                for try await absent in group { all += absent }
                return all
            }
        }
    }
}
