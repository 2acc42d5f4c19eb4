import ArgumentParser
import FabnetModel
import Foundation
import GossipCore
import Simulator

/// `fabnet sim`: the gossip cores of many peers on a simulated network.
struct SimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run the gossip protocol code of many peers on a simulated network (virtual time, seeded).",
        discussion: """
        The very code a peer process runs, for N peers in M orgs and C channels on a virtual clock:
        peer0 of each org is its anchor peer (with peer1 as its bootstrap peer, so a restarted anchor finds
        its org again), every peer has an internal and an external endpoint, is in
        every channel and elects one leader per org and channel. From 1.5 s on the orderer cuts --blocks
        blocks per channel (one every --block-interval-ms) and hands each to the peers leading their org;
        push, pull and state transfer spread them.

        Faults (--fault, comma-separated, times in simulated seconds; peers are numbered 0..N-1 and peer i
        is in org i mod M):
          crash:3@2.5          peer 3 stops
          restart:3@5          peer 3 starts again with its ledger
          restart-empty:3@5    ... with an empty ledger (a new peer)
          partition:0-9/10-19@3   two groups that cannot reach each other (peers in no group: a third)
          heal@6               the partition ends
        --chaos K adds K random crashes/restarts/partitions, all over by the end of the blocks.

        Every run checks the invariants: in-order once-only commits; nothing of a channel reaching a peer
        outside it; no internal endpoint outside its org; and, once settled (--settle seconds after the last
        block and fault), at most one leader per org and channel and every live peer holding every block.
        A failure prints the seed and the last events. The same --seed gives the same run.

        Reported per channel: the latency from cut to the last peer's commit and to each peer's commit
        (p50/p90/p99/max, simulated ms), gossip hops from the orderer, block copies and estimated bytes
        received per peer per block, and the orderer's deliveries.

        Examples:
          fabnet sim --peers 40 --orgs 4 --blocks 50 --seed 7
          fabnet sim --peers 16 --orgs 1 --blocks 100 --settings fabric
          fabnet sim --peers 12 --orgs 2 --blocks 40 --fault crash:3@2.5,restart-empty:3@4 --json
        """
    )

    enum SettingsChoice: String, ExpressibleByArgument, CaseIterable {
        case fabnet, fabric
    }

    @Option(help: "Peers in all (peer i is in org i mod --orgs).")
    var peers = 20

    @Option(help: "Organizations.")
    var orgs = 2

    @Option(help: "Channels every peer is in (channel0, channel1, …).")
    var channels = 1

    @Option(help: "Blocks the orderer cuts on every channel.")
    var blocks = 0

    @Option(name: .customLong("block-size"), help: "Bytes per block.")
    var blockSize = 65536

    @Option(name: .customLong("block-interval-ms"), help: "Milliseconds between blocks.")
    var blockInterval = 50

    @Option(help: "Simulated seconds to run. Default: until the blocks and faults are over, plus --settle.")
    var seconds: Double?

    @Option(help: "Simulated seconds after the last block and fault before the settled invariants are checked.")
    var settle: Double = 3

    @Option(help: "Seed of the run.")
    var seed: UInt64 = 1

    @Option(help: "Probability that a message is lost (0 to 1).")
    var loss: Double = 0

    @Option(name: .customLong("latency-ms"), help: "Link latency range in ms, MIN-MAX.")
    var latency = "1-5"

    @Option(help: "Gossip settings: fabnet (its dev defaults) or fabric (Fabric's peer.gossip defaults, with dynamic election and state transfer on).")
    var settings: SettingsChoice = .fabnet

    @Option(help: "Push fanout (peer.gossip.propagatePeerNum).")
    var fanout: Int?

    @Option(parsing: .singleValue, help: "Faults to inject (see above); repeatable.")
    var fault: [String] = []

    @Option(help: "Random faults to add (crashes with restarts, partitions with heals).")
    var chaos = 0

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard orgs >= 1, peers >= orgs else { throw ValidationError("need at least one peer per org (--peers ≥ --orgs ≥ 1)") }
        guard (0..<1).contains(loss) else { throw ValidationError("--loss must be in [0, 1)") }
        guard channels >= 1, blocks >= 0, blockSize >= 0, blockInterval >= 1, chaos >= 0, settle >= 0 else {
            throw ValidationError("--channels must be ≥ 1, --block-interval-ms ≥ 1, and --blocks, --block-size, --chaos, --settle not negative")
        }
        if let seconds, seconds <= 0 { throw ValidationError("--seconds must be positive") }
        guard latencyRange != nil else { throw ValidationError("--latency-ms must be MIN-MAX in milliseconds, e.g. 1-5") }
        do {
            if let highest = try faultPlan().highestPeer, highest >= peers {
                throw ValidationError("--fault names peer \(highest), but the peers are numbered 0 to \(peers - 1)")
            }
        } catch let error as FaultPlanError {
            throw ValidationError("\(error); e.g. --fault crash:3@2.5,restart:3@5")
        }
    }

    var latencyRange: ClosedRange<Duration>? {
        let parts = latency.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 2, parts[0] >= 0, parts[0] <= parts[1] else { return nil }
        return .milliseconds(parts[0])...(.milliseconds(parts[1]))
    }

    func faultPlan() throws -> FaultPlan { try FaultPlan.parse(fault.joined(separator: ",")) }

    var gossipSettings: GossipSettings {
        var chosen: GossipSettings
        switch settings {
        case .fabnet: chosen = .fabnetDefaults
        case .fabric:
            chosen = .fabric
            chosen.useLeaderElection = true
            chosen.orgLeader = false
            chosen.state.enabled = true
        }
        if let fanout { chosen.propagatePeerNum = fanout }
        return chosen
    }

    static let blocksStart = GossipTime.zero + .milliseconds(1500)

    func run() throws {
        let channelNames = (0..<channels).map { "channel\($0)" }
        var network = SimulatedNetwork(options: .init(latency: latencyRange!, loss: loss, seed: seed))
        var anchors: [String: [Endpoint]] = [:]
        // Short host names (at most 15 bytes) are stored inline by Swift: big runs copy them for free.
        func host(_ peer: Int, _ org: Int, external: Bool) -> String { "p\(peer).o\(org + 1).\(external ? "ex" : "in")" }
        for org in 0..<orgs { anchors["Org\(org + 1)MSP"] = [Endpoint(host: host(0, org, external: true), port: 7051)!] }
        let allOrgs = Set(anchors.keys)
        func peersInOrg(_ org: Int) -> Int { peers / orgs + (org < peers % orgs ? 1 : 0) }
        for index in 0..<peers {
            let org = index % orgs, peer = index / orgs
            let configuration = MembershipConfiguration(
                pkiID: PKIID([UInt8(org), UInt8(truncatingIfNeeded: peer >> 8), UInt8(truncatingIfNeeded: peer)]), mspID: "Org\(org + 1)MSP",
                internalEndpoint: Endpoint(host: host(peer, org, external: false), port: 7051)!,
                externalEndpoint: Endpoint(host: host(peer, org, external: true), port: 7051)!,
                bootstrap: peer == 0 && peersInOrg(org) > 1 ? [Endpoint(host: host(1, org, external: false), port: 7051)!] : [],
                anchors: anchors, organizationsSharingAChannel: allOrgs, settings: gossipSettings)
            network.start(network.addPeer(configuration, channels: channelNames, mode: .dynamic))
        }
        let blocksEnd = Self.blocksStart + .milliseconds(blockInterval) * max(0, blocks - 1)
        var plan = try faultPlan()
        if chaos > 0 {
            var random = SeededGenerator(seed: seed &* 0x9E37_79B9)
            plan.faults += FaultPlan.random(peers: peers, count: chaos, from: Self.blocksStart, until: max(blocksEnd, Self.blocksStart + .seconds(4)),
                                            random: &random).faults
        }
        network.schedule(plan)
        for channel in channelNames where blocks > 0 {
            network.produceBlocks(channel: channel, count: blocks, every: .milliseconds(blockInterval), size: blockSize, startingAt: Self.blocksStart)
        }
        let lastActivity = max(blocks > 0 ? blocksEnd : .zero, plan.faults.map(\.at).max() ?? .zero)
        let settledAt = lastActivity + .nanoseconds(Int64(settle * 1e9))
        let end = seconds.map { GossipTime.zero + .nanoseconds(Int64($0 * 1e9)) } ?? max(settledAt, GossipTime.zero + .seconds(5))

        var converged: Double?
        let (_, wall) = Stopwatch.time {
            let step = Duration.milliseconds(100)
            var lastReport = GossipTime.zero
            while network.now < end {
                network.run(until: min(end, network.now + step))
                if converged == nil, network.peers.allSatisfy({ !$0.isRunning || $0.membership.aliveCount == peers - 1 }) {
                    converged = Double(network.now.nanoseconds) / 1e6
                }
                if network.now - lastReport >= .seconds(1) {
                    lastReport = network.now
                    Console.progress(String(format: "simulated %.0f s of %.1f", Double(network.now.nanoseconds) / 1e9, Double(end.nanoseconds) / 1e9))
                }
            }
            Console.progress("", done: false)
        }
        let settledChecked = end >= settledAt
        if settledChecked { network.checkSettled() }
        let result = SimReport(network: network, channels: channelNames, blocks: blocks, blockSize: blockSize, seed: seed,
                               converged: converged, settledChecked: settledChecked, wall: wall, faults: plan)
        if json {
            print(try Console.json(result))
        } else {
            result.printHuman(latency: latency, loss: loss, settings: settings.rawValue)
        }
        if !network.violations.isEmpty { throw ExitCode.failure }
    }
}
