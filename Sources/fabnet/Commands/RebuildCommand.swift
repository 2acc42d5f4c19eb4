import ArgumentParser
import FabnetWire
import Foundation
import Ledger
import Orchestrator

/// `fabnet rebuild NODE`: a peer whose ledger is damaged gets its chains again from the network,
/// its damaged block files kept aside.
struct RebuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Rebuild a peer's damaged ledger from its org's peers, keeping the damaged file aside.",
        discussion: """
        Finds the peer's channels whose block file is damaged (or takes -c), stops the peer if it \
        runs, moves each damaged block file to <state>/nodes/NODE/damaged/<channel>/ as \
        blocks.fabric.damaged-<time> (kept for a look, never deleted), starts the peer, has it \
        join the channel again from block 0 and waits until it holds what its org's peers hold \
        (gossip state transfer). The orderer's ledger has no peer to rebuild it from: refused.

        Examples:
          fabnet rebuild peer1.org2
          fabnet rebuild peer0.org1 -c mychannel --timeout 300
        """
    )

    @Argument(help: "The peer (name or its start).") var node: String
    @Option(name: [.short, .customLong("channel")], help: ArgumentHelp("Rebuild this channel even if its ledger opens.", valueName: "C"))
    var channel: String?
    @Option(help: ArgumentHelp("Seconds to wait for the peer to catch up.", valueName: "S")) var timeout: Double = 120
    @OptionGroup var description: NetworkOptions
    @OptionGroup var stateOptions: StateOptions

    /// The moment in a file name: `20261205T233012Z`.
    static func stamp(_ date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    func run() async throws {
        try await Console.reportingErrors {
            let state = stateOptions.network
            let control = NodeControl(state: state, executable: UpCommand.executable())
            var manifest = try stateOptions.manifest()
            let target = try control.node(node, in: manifest)
            guard target.role == "peer" else {
                throw OrchestratorError.state("\(target.name) is the orderer: its ledger has no peer to rebuild it from. Restore its ledger folder (\(state.home(of: target.name).appendingPathComponent("ledger").path)) from a copy, or make the network anew with `fabnet down --clean` then `fabnet up`")
            }
            let ledgerRoot = state.home(of: target.name).appendingPathComponent("ledger")
            let present = ((try? FileManager.default.contentsOfDirectory(atPath: ledgerRoot.path)) ?? []).sorted()
            var channels: [String]
            if let channel {
                guard present.contains(channel) else {
                    throw ValidationError("\(target.name) has no ledger of \(channel) (it has: \(present.joined(separator: ", "))); join it with `fabnet channel join \(channel) --peer \(target.name)`")
                }
                channels = [channel]
            } else {
                if state.isRunning(target) { _ = try control.stop(target, in: manifest, timeout: 10) }
                channels = present.filter { name in
                    do {
                        _ = try ChannelLedger.open(directory: ledgerRoot.appendingPathComponent(name), channel: name, durability: .osBuffered)
                        return false
                    } catch {
                        Console.error("\(target.name): \(error)")
                        return true
                    }
                }
            }
            guard !channels.isEmpty else {
                print("\(target.name): no damaged ledger (channels: \(present.joined(separator: ", "))); name one with -c to rebuild it anyway")
                return
            }
            if state.isRunning(target) { _ = try control.stop(target, in: manifest, timeout: 10) }
            let stamp = Self.stamp()
            var kept: [String] = []
            for channel in channels {
                let folder = ledgerRoot.appendingPathComponent(channel)
                let aside = state.home(of: target.name).appendingPathComponent("damaged/\(channel)")
                try FileManager.default.createDirectory(at: aside, withIntermediateDirectories: true)
                for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
                    let destination = aside.appendingPathComponent("\(file).damaged-\(stamp)")
                    try FileManager.default.moveItem(at: folder.appendingPathComponent(file), to: destination)
                    kept.append(destination.path)
                }
                try FileManager.default.removeItem(at: folder)
            }
            manifest = try control.start(target, in: manifest)
            let started = try control.node(target.name, in: manifest)
            try await control.waitHealthy(started)
            try await ChaincodeConnectionRestore.restore(to: started, manifest: manifest, state: state)
            try await FaultRestore.restore(to: [started], manifest: manifest, state: state)
            let spec = try description.load(for: manifest).spec
            let clients = NodeClients(spec: spec, layout: .init(root: URL(fileURLWithPath: manifest.cryptoDirectory)), manifest: manifest)
            guard let orderer = clients.orderer else { throw ValidationError("the network has no orderer to fetch block 0 from") }
            for channel in channels {
                let (blocks, _, info) = try await clients.client(of: orderer, as: started.mspID).blocks(channel: channel, start: .number(0), stop: .number(0))
                guard let genesis = blocks.first else { throw ValidationError("the orderer has no block 0 of \(channel): \(info)") }
                var join = WireJoinChannel()
                join.genesisBlock = try genesis.serializedBytes()
                let response = try await clients.client(of: started).admin(.joinChannel(join))
                guard response.status == .success else { throw ValidationError("\(started.name) refused to join \(channel) again: \(response.info)") }
                // Caught up: as high as the highest of its org's running peers (gossip brings it).
                let mates = clients.peers.filter { $0.mspID == started.mspID && $0.name != started.name && state.isRunning($0) }
                var goal: UInt64 = 1
                for mate in mates {
                    if let height = try? await clients.status(of: mate).peerChannels.first(where: { $0.name == channel })?.height { goal = max(goal, height) }
                }
                let goalHeight = goal
                try await eventually(seconds: timeout, "\(started.name) holding \(goalHeight) blocks of \(channel)") {
                    (try? await clients.status(of: started).peerChannels.first(where: { $0.name == channel })?.height).flatMap { $0 } ?? 0 >= goalHeight
                }
                print("\(started.name): \(channel) rebuilt to height \(goalHeight) from the network")
            }
            print("the damaged files are kept at: \(kept.joined(separator: ", "))")
        }
    }
}
