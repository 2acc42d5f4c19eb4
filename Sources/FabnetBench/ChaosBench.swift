import FabnetClient
import FabnetConfig
import FabnetCrypto
import FabnetModel
import FabricWire
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Orchestrator
import Synchronization

/// `fabnet bench chaos` as a library: on the default network, clients submit through the peers'
/// Gateways (the built-in contract's `put`, each transaction its own key) for the run's length
/// and record every transaction in a history file, while faults drawn from the seed strike peers,
/// whole orgs and the orderer; then everything heals, `fabnet check`'s comparison runs, and every
/// acknowledged transaction (CommitStatus VALID) is looked up on every peer through its Gateway.
///
/// Guarantees: the run's verdict counts an acknowledged transaction missing when any peer's
/// CommitStatus does not answer VALID for it after the peers agree; `divergentPeers` are those
/// the ledger comparison names; the same seed gives the same fault schedule; the network is
/// stopped at the end and its folder removed when the run passed (kept, and named in the
/// report, otherwise); the history file is kept.
public enum ChaosBench {
    /// How a run is made: its length, seed and fault kinds, the clients, where the history goes,
    /// the timeout for starting nodes and agreeing, and the executable nodes run as.
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

    public static func run(_ parameters: Parameters, progress: @escaping @Sendable (String) -> Void) async throws -> Report {
        let spec = try NetworkLoader.load(file: nil, cryptoConfigFiles: [], discoverCryptoConfig: false).spec
        guard let channel = spec.channels.first, !channel.memberOrgs.isEmpty else { throw OrchestratorError.state("the default network has no channel") }
        progress("starting the default network …")
        let network = try await BenchNetwork.start(spec, name: "chaos", timeout: parameters.timeout, executable: parameters.executable)
        let keep = KeepFlag()
        defer { network.stop(keep: keep.isSet) }
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
        let struck = try await strike(schedule, with: faults, started: started, deadline: deadline, timeout: parameters.timeout, progress: progress)
        let done = try await completions
        let drained = ContinuousClock.now
        progress("the clients stopped; checking that everything is healed and every peer agrees …")
        // Normally nothing is left to heal; what is healed now (after a failed heal) is the last heal.
        let final = await faults.healEverything(timeout: parameters.timeout)
        let lastHeal = final.healedSomething ? ContinuousClock.now : (struck.lastHeal ?? started)

        // The peers agree? Timed from the later of the last heal and the clients' last transaction.
        let current = await faults.clients
        var checkError: String? = final.problems.isEmpty ? nil : final.problems.joined(separator: "; ")
        var divergences: [LedgerAgreement.Divergence] = []
        var secondsToAgree: Double?
        var height: UInt64?
        let from = max(lastHeal, drained)
        do {
            let checker = LedgerCheck(clients: current, state: network.launcher.state)
            if let report = try await checker.check(channel.name, peers: current.peers, deadline: .now + .seconds(parameters.timeout), timeout: parameters.timeout, poll: .milliseconds(50)) {
                secondsToAgree = (ContinuousClock.now - from).seconds
                divergences = report.divergences
                height = report.height
            } else {
                checkError = (checkError.map { $0 + "; " } ?? "") + "no running peer has joined \(channel.name); see the nodes' logs in the kept folder"
            }
        } catch {
            checkError = (checkError.map { $0 + "; " } ?? "") + "\(error)"
        }

        // Every acknowledged transaction, VALID on every peer?
        let acknowledged = done.filter { $0.kind == .ok }.map(\.tx)
        let members = current.peers.filter { channel.memberOrgs.contains($0.mspID) }
        progress("looking up \(acknowledged.count) acknowledged transactions on \(members.count) peers …")
        var lacking: [String: [String]] = [:]
        var lookedUp: [String] = [], notLookedUp: [String] = []
        for peer in members {
            do {
                let signer = try current.credentials(of: peer.mspID, role: .client).signer
                let result = try await ChaosLookup(peer: peer, channel: channel.name, roots: roots, signer: signer).run(acknowledged)
                for tx in result.absent { lacking[tx, default: []].append(peer.name) }
                if result.unasked.isEmpty { lookedUp.append(peer.name) } else { notLookedUp.append(peer.name) }
            } catch {
                notLookedUp.append(peer.name)
                checkError = (checkError.map { $0 + "; " } ?? "") + "looking up on \(peer.name): \(error)"
            }
        }

        let reports = struck.faults.map { entry in
            let during = done.filter { $0.time >= entry.at && $0.time <= entry.healed }
            return FaultReport(kind: entry.fault.kind, nodes: entry.fault.nodes, description: entry.fault.summary, struckAt: entry.at, healedAt: entry.healed,
                               acknowledgedDuring: during.filter { $0.kind == .ok }.count, failedDuring: during.filter { $0.kind == .fail }.count,
                               unknownDuring: during.filter { $0.kind == .info }.count,
                               expected: expectation(of: entry.fault, channel: channel, orderer: topology.orderer), problems: entry.problems)
        }
        var report = Report(
            seed: parameters.seed, seconds: parameters.seconds, submitted: done.count, acknowledged: acknowledged.count,
            failed: done.filter { $0.kind == .fail }.count, unknown: done.filter { $0.kind == .info }.count,
            missing: lacking.count, missingExamples: lacking.sorted { $0.key < $1.key }.prefix(10).map { "\($0.key) (not VALID on \($0.value.joined(separator: ", ")))" },
            peersLookedUp: lookedUp, peersNotLookedUp: notLookedUp,
            divergentPeers: divergences.map(\.peer), divergences: divergences.map(\.description),
            drainSeconds: max(0, (drained - deadline).seconds), secondsToAgree: secondsToAgree, height: height, faults: reports,
            skippedFaults: struck.skipped, history: parameters.history.path, historyWriteFailures: history.writeFailures,
            checkError: checkError, keptFolder: nil)
        if !report.passed {
            keep.keep()
            report.keptFolder = network.folder
        }
        return report
    }

    /// The faults as they struck and healed, the last heal, and how many were left out.
    struct Struck {
        var faults: [(fault: ChaosSchedule.Fault, at: Double, healed: Double, problems: [String])] = []
        var lastHeal: ContinuousClock.Instant?
        var skipped = 0
    }

    /// Strikes and heals `schedule`'s faults on its own clock: each at its time (or at once, when a
    /// slow heal before it made it late), healed at its planned end; one that would strike after
    /// `deadline` is left out (counted).
    static func strike(_ schedule: ChaosSchedule, with faults: ChaosFaults, started: ContinuousClock.Instant, deadline: ContinuousClock.Instant,
                       timeout: Double, progress: @escaping @Sendable (String) -> Void) async throws -> Struck {
        var struck = Struck()
        for fault in schedule.faults {
            guard ContinuousClock.now < deadline else {
                struck.skipped += 1
                continue
            }
            try await Task.sleep(until: started + .seconds(fault.at), clock: .continuous)
            let at = (ContinuousClock.now - started).seconds
            progress(String(format: "%5.1f s: %@", at, fault.summary))
            var problems = await faults.strike(fault)
            try await Task.sleep(until: started + .seconds(fault.at + fault.seconds), clock: .continuous)
            problems += await faults.heal(fault, timeout: timeout)
            let healed = ContinuousClock.now
            struck.lastHeal = healed
            struck.faults.append((fault, at, (healed - started).seconds, problems))
            for problem in problems { progress("  \(problem)") }
        }
        return struck
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
}

/// Whether a run asks to keep its network's folder (set once, read by the `defer` that stops it).
final class KeepFlag: Sendable {
    private let value = Mutex(false)
    func keep() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
