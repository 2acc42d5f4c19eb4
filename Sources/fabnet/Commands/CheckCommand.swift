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

    @Flag(help: "Print {channels: [{channel, height, peers, stateDigest, divergences, withoutOrderer}]} as JSON.")
    var json = false

    func validate() throws {
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a number of seconds above 0, got \(timeout)") }
    }

    func run() async throws {
        let reports: [LedgerCheck.ChannelReport] = try await Console.reportingErrors {
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
            var reports: [LedgerCheck.ChannelReport] = []
            // One deadline for the whole run.
            let deadline = ContinuousClock.now + .seconds(timeout)
            let checker = LedgerCheck(clients: clients, state: stateOptions.network)
            for channel in channels {
                do {
                    guard let report = try await checker.check(channel, peers: peers, deadline: deadline, timeout: timeout) else {
                        Console.error("\(channel): no running peer has joined it; skipped")
                        continue
                    }
                    if report.withoutOrderer { Console.error("\(channel): the orderer did not answer; checked at the height the peers settled on") }
                    reports.append(report)
                } catch let unsettled as LedgerCheck.Unsettled {
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
}
