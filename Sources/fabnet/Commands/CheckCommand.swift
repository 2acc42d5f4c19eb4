import ArgumentParser
import FabnetWire
import Foundation
import Ledger
import Orchestrator

/// `fabnet check`: do the running peers agree? Waits until every running peer of each channel
/// reaches the orderer's height, then compares block hashes, validation flags and world states.
///
/// Guarantees: compares only digests of one and the same height (a block cut meanwhile means
/// settling again); exit 0 only when every channel some running peer joined was compared and
/// agreed; 1 when a peer diverges (named with its first different block) or the check itself
/// failed (the message says which); 2 when the heights did not settle within --timeout (the
/// whole run's); 3 when no peer runs.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check that every running peer holds the same blocks, validation flags and world state.",
        discussion: """
        Per channel: waits until every running peer that joined it reaches one height, the \
        orderer's; then compares each block's header hash and validation flags (the \
        TRANSACTIONS_FILTER each peer wrote) and a world-state digest (SHA-256 over sorted \
        namespace, key, value, version). The reference is what most peers hold, so a damaged \
        peer is named, not the others. Run it after your tests, in CI.

        Exit codes: 0 the peers agree; 1 a peer diverges (the first divergence is named: peer \
        and block); 2 the heights never settled within --timeout; 3 no peer runs.

        Examples:
          fabnet check
          fabnet check -c mychannel --timeout 60 --json
          fabnet up -d && ./my-tests.sh && fabnet check && fabnet down
        """
    )

    @Option(name: [.short, .customLong("channel")], help: ArgumentHelp("Check only this channel (default: every channel).", valueName: "C"))
    var channel: String?

    @Option(help: ArgumentHelp("Seconds to wait for the heights to settle.", valueName: "S"))
    var timeout: Double = 30

    @OptionGroup var description: NetworkOptions
    @OptionGroup var stateOptions: StateOptions

    @Flag(help: "Print {channels: [{channel, height, peers, stateDigest, divergences}]} as JSON.")
    var json = false

    func validate() throws {
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a number of seconds above 0, got \(timeout)") }
    }

    /// One channel's verdict: who was compared at which height, and who departs where.
    struct ChannelReport: Encodable {
        let channel: String
        let height: UInt64
        let peers: [String]
        /// Hex of the world-state digest most peers hold.
        let stateDigest: String
        let divergences: [LedgerAgreement.Divergence]
    }

    /// Heights that did not settle: names every peer's height and the ones that did not answer.
    struct Unsettled: Error, CustomStringConvertible {
        let channel: String
        let heights: [String: UInt64]
        let unanswered: [String]
        let target: UInt64
        let timeout: Double
        var description: String {
            let list = (heights.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } + unanswered.map { "\($0) not answering" })
                .joined(separator: ", ")
            return "the heights of \(channel) did not settle within \(timeout) s (orderer \(target == 0 ? "not answering" : String(target)); \(list)); look at the lagging peers' logs (`fabnet logs NAME`) or wait longer with --timeout"
        }
    }

    func run() async throws {
        let reports: [ChannelReport] = try await Console.reportingErrors {
            let manifest = try stateOptions.manifest()
            let spec = try description.load(for: manifest).spec
            let clients = NodeClients(spec: spec, layout: .init(root: URL(fileURLWithPath: manifest.cryptoDirectory)), manifest: manifest)
            let peers = clients.peers.filter { stateOptions.network.isRunning($0) }
            guard !peers.isEmpty else {
                Console.report(NodesDown(names: clients.peers.map(\.name), fix: "start the network with `fabnet up -d\(NetworkState.stateFlag(for: stateOptions.state))`"))
                throw ExitCode(3)
            }
            let channels = try channel.map { [$0] } ?? spec.channels.map(\.name)
            if let channel, !spec.channels.contains(where: { $0.name == channel }) {
                throw ValidationError("the network has no channel \(channel) (its channels: \(spec.channels.map(\.name).joined(separator: ", ")))")
            }
            var reports: [ChannelReport] = []
            // One deadline for the whole run.
            let deadline = ContinuousClock.now + .seconds(timeout)
            for channel in channels {
                do {
                    if let report = try await check(channel, peers: peers, clients: clients, deadline: deadline) { reports.append(report) }
                } catch let unsettled as Unsettled {
                    // Divergences found on earlier channels are said first: they are the worse news.
                    for report in reports { for divergence in report.divergences { Console.error("\(report.channel): \(divergence)") } }
                    Console.report(unsettled)
                    throw ExitCode(2)
                }
            }
            return reports
        }
        if json {
            print(try Console.json(["channels": reports]))
        } else {
            for report in reports {
                if report.divergences.isEmpty {
                    print("\(report.channel): \(report.peers.count) peers agree at height \(report.height) (world state \(report.stateDigest.prefix(16))…)")
                } else {
                    for divergence in report.divergences { print("\(report.channel): \(divergence)") }
                }
            }
        }
        if let first = reports.lazy.flatMap(\.divergences).first {
            if !json { Console.error("first divergence: \(first)") }
            throw ExitCode.failure
        }
    }

    func check(_ channel: String, peers: [NetworkState.Node], clients: NodeClients, deadline: ContinuousClock.Instant) async throws -> ChannelReport? {
        var previous: [String: UInt64] = [:]
        while true {
            // The orderer's height is the goal; without an answer from it, heights that agree and
            // did not change since the last poll.
            var target: UInt64?
            if let orderer = clients.orderer, stateOptions.network.isRunning(orderer) {
                target = try? await clients.client(of: orderer).admin(.listChannels(WireListChannels())).channels.first(where: { $0.name == channel })?.height
            }
            var heights: [String: UInt64] = [:]
            var members: [NetworkState.Node] = []
            var unanswered: [String] = []
            for peer in peers {
                // A running peer that does not answer (paused, hung) has no height yet: not settled.
                guard let status = try? await clients.status(of: peer) else {
                    unanswered.append(peer.name)
                    continue
                }
                guard let joined = status.peerChannels.first(where: { $0.name == channel }) else { continue }
                heights[peer.name] = joined.height
                members.append(peer)
            }
            if members.isEmpty, unanswered.isEmpty {
                Console.error("\(channel): no running peer has joined it; skipped")
                return nil
            }
            let settledHeight = heights.values.first
            let agree = unanswered.isEmpty && !heights.isEmpty && heights.values.allSatisfy { $0 == settledHeight }
                && (target.map { $0 == settledHeight } ?? (heights == previous))
            if agree, let height = settledHeight {
                // The digests, each of exactly the settled height: a block cut meanwhile sends
                // us back to settling, so no false divergence comes of it.
                var ledgers: [LedgerAgreement.PeerLedger] = []
                for peer in members {
                    let response = try await clients.client(of: peer).admin(.ledgerDigest(.with { $0.channel = channel }))
                    guard response.status == .success else {
                        throw ValidationError("\(peer.name) could not digest \(channel): \(response.info)")
                    }
                    let digest = LedgerDigest(blocks: response.blockDigests.map { .init(header: [UInt8]($0.headerHash), flags: [UInt8]($0.flagsHash)) },
                                              state: [UInt8](response.stateDigest))
                    ledgers.append(.init(peer: peer.name, digest: digest))
                }
                if ledgers.allSatisfy({ UInt64($0.digest.blocks.count) == height }) {
                    let reference = LedgerAgreement.majority(ledgers.map(\.digest.state))
                    if target == nil { Console.error("\(channel): the orderer did not answer; checked at the height the peers settled on") }
                    return ChannelReport(channel: channel, height: height, peers: members.map(\.name),
                                         stateDigest: reference.map { String(format: "%02x", $0) }.joined(),
                                         divergences: LedgerAgreement.compare(ledgers))
                }
            }
            previous = heights
            guard ContinuousClock.now < deadline else {
                throw Unsettled(channel: channel, heights: heights, unanswered: unanswered, target: target ?? 0, timeout: timeout)
            }
            try await Task.sleep(for: .milliseconds(200))  // a poll interval: the heights are the condition
        }
    }
}
