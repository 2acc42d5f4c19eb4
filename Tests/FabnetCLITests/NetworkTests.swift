import FabnetTestKit
import FabnetWire
import Foundation
import OperationsEndpoint
import Testing

/// The whole default network as real processes over mutual TLS: `fabnet up`'s launcher, the
/// peers' gossip, leader failover, catch-up after a stop, and `down`.
@Suite(.serialized)
struct NetworkTests {
    /// Heights and last-block hashes of `channel` on every running peer.
    static func chains(_ network: TestNetwork, peers: [NetworkState.Node], channel: String = "mychannel") async throws -> [String: (UInt64, Data)] {
        var result: [String: (UInt64, Data)] = [:]
        for peer in peers {
            let response = try await network.clients.client(of: peer).admin(.listChannels(WireListChannels()))
            if let info = response.channels.first(where: { $0.name == channel }) { result[peer.name] = (info.height, info.currentHash) }
        }
        return result
    }

    static func leader(of org: String, in network: TestNetwork, among peers: [NetworkState.Node]) async throws -> [NetworkState.Node] {
        var leaders: [NetworkState.Node] = []
        for peer in peers where peer.mspID == org {
            if try await network.status(of: peer).peerChannels.contains(where: \.leader) { leaders.append(peer) }
        }
        return leaders
    }

    /// `fabnet_membership_declared_dead_total` summed over `peers` (from their `/metrics`).
    static func declaredDead(_ peers: [NetworkState.Node]) async throws -> Double {
        var total = 0.0
        for peer in peers {
            let text = try await HTTPProbe.get(port: peer.operationsPort, path: "/metrics").body
            let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("fabnet_membership_declared_dead_total ") }, "no counter on \(peer.name)")
            total += Double(line.split(separator: " ").last ?? "") ?? .nan
        }
        return total
    }

    static func waitSameChain(_ network: TestNetwork, peers: [NetworkState.Node], height: UInt64) async throws {
        try await eventually(seconds: 30, "every peer at height \(height) with the same last hash") {
            let chains = try await chains(network, peers: peers)
            return chains.count == peers.count && chains.values.allSatisfy { $0.0 == height }
                && Set(chains.values.map(\.1)).count == 1
        }
    }

    @Test func defaultNetworkCommitsFailsOverCatchesUpAndGoesDown() async throws {
        let network = try await TestNetwork(executable: fabnetBinary.path)
        defer { network.down() }
        do {
            // 200 transactions reach every peer: same height, same last hash, same world state.
            let writes = (0..<200).map { ("key\($0)", "value\($0)") }
            _ = try await network.put(writes)
            let ordererHeight = { @Sendable () async throws -> UInt64 in
                let response = try await network.clients.client(of: network.orderer).admin(.listChannels(WireListChannels()))
                return response.channels.first { $0.name == "mychannel" }?.height ?? 0
            }
            try await eventually(seconds: 30, "the orderer cuts all 200") {
                let height = try await ordererHeight()
                guard height > 1 else { return false }
                let blocks = try await network.clients.client(of: network.orderer).blocks(channel: "mychannel", start: .number(1), stop: .number(height - 1))
                return blocks.blocks.reduce(0) { $0 + $1.data.data.count } == 200
            }
            var height = try await ordererHeight()
            try await Self.waitSameChain(network, peers: network.peers, height: height)
            for peer in network.peers {
                #expect(try await network.query("key0", on: peer) == "value0")
                #expect(try await network.query("key199", on: peer) == "value199")
            }

            // A healthy network declares nobody dead.
            #expect(try await Self.declaredDead(network.peers) == 0)

            // kill -9 Org1's leader: another Org1 peer takes over and Org1 keeps receiving blocks.
            let leaders = try await Self.leader(of: "Org1MSP", in: network, among: network.peers)
            #expect(leaders.count == 1)
            let killed = try #require(leaders.first)
            try await network.kill(killed)
            var running = network.peers.filter { $0.name != killed.name }
            let survivors = running
            try await eventually(seconds: 30, "another Org1 peer leads") {
                try await Self.leader(of: "Org1MSP", in: network, among: survivors).count == 1
            }
            // Its death is confirmed (SWIM: probe, suspicion, no refutation) and counted.
            try await eventually(seconds: 30, "the survivors declare the killed leader dead") {
                try await Self.declaredDead(survivors) >= 1
            }
            _ = try await network.put([("after-failover", "yes")])
            height += 1
            let expected = height
            try await eventually(seconds: 30, "the orderer cuts the failover transaction") { try await ordererHeight() == expected }
            try await Self.waitSameChain(network, peers: running, height: height)

            // Stop a non-leader, submit 100 more, start it: it catches up.
            var nonLeader: NetworkState.Node?
            for peer in running where try await network.status(of: peer).peerChannels.allSatisfy({ !$0.leader }) { nonLeader = peer; break }
            let stopped = try #require(nonLeader)
            try await network.kill(stopped, signal: SIGTERM)
            running.removeAll { $0.name == stopped.name }
            _ = try await network.put((0..<100).map { ("later\($0)", "v\($0)") })
            try await eventually(seconds: 30, "the orderer cuts the 100") {
                let now = try await ordererHeight()
                guard now > expected else { return false }
                let blocks = try await network.clients.client(of: network.orderer).blocks(channel: "mychannel", start: .number(expected), stop: .number(now - 1))
                return blocks.blocks.reduce(0) { $0 + $1.data.data.count } == 100
            }
            height = try await ordererHeight()
            try await network.start(network.node(stopped.name)!)
            try await network.start(network.node(killed.name)!)
            try await Self.waitSameChain(network, peers: network.peers, height: height)
            #expect(try await network.query("later99", on: network.node(stopped.name)!) == "v99")
        } catch {
            Issue.record("\(error)\n\(network.logTails())")
        }

        // down leaves no process and no bound port.
        let nodes = network.manifest.nodes
        network.down()
        for node in nodes {
            #expect(!network.state.isRunning(node), "\(node.name) still runs")
            #expect(isFree(node.port) && isFree(node.operationsPort), "\(node.name)'s ports are still bound")
        }
    }
}
