import FabnetConfig
import FabnetTestKit
import FabnetWire
import Foundation
import OperationsEndpoint
import PeerNode
import Testing

/// A network with a second channel only Org1 is in: channel isolation between orgs, discovery
/// of another org through its anchor peer only, and the commands that manage a running network
/// (`status`, `channel list|getinfo|join`, `tx get`, `logs`, `kill`, `start`, `/logspec`).
@Suite(.serialized)
struct NetworkCommandsTests {
    /// The default network plus channel `org1only` (profile Org1Only: Org1 and the orderer).
    static func twoChannelDescription() throws -> URL {
        var text = DefaultNetwork.configtx
        text = text.replacingOccurrences(of: "Profiles:\n", with: """
            Profiles:
              Org1Only:
                <<: *ChannelDefaults
                Orderer:
                  <<: *OrdererDefaults
                  Organizations:
                    - *OrdererOrg
                  Capabilities: *OrdererCapabilities
                Application:
                  <<: *ApplicationDefaults
                  Organizations:
                    - *Org1
                  Capabilities: *ApplicationCapabilities

            """)
        text += "\n  - Name: org1only\n    Profile: Org1Only\n"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-two-channels-\(UUID().uuidString.prefix(8)).yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    /// Blocks each of `peers` received by any path, from their /metrics.
    static func blocksReceived(_ peers: [NetworkState.Node]) async throws -> [Int] {
        var received: [Int] = []
        for peer in peers { received.append(try await blocksReceived(peer)) }
        return received
    }

    /// Blocks a peer received by any path, from its /metrics.
    static func blocksReceived(_ peer: NetworkState.Node) async throws -> Int {
        let metrics = try await HTTPProbe.get(port: peer.operationsPort, path: "/metrics").body
        return metrics.split(separator: "\n").filter { $0.hasPrefix("fabnet_blocks_received_total") }
            .compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }.reduce(0, +)
    }

    @Test func orgsOutsideAChannelGetNothingOfItAndCommandsManageTheNetwork() async throws {
        let file = try Self.twoChannelDescription()
        defer { try? FileManager.default.removeItem(at: file) }
        let network = try await TestNetwork(file: file, executable: fabnetBinary.path)
        defer { network.down() }
        let org1 = network.peers.filter { $0.mspID == "Org1MSP" }, org2 = network.peers.filter { $0.mspID == "Org2MSP" }
        // No -f: commands find the description `up` was given through the state folder.
        func cli(_ arguments: [String]) async throws -> CommandResult {
            try await runFabnet(arguments + ["--state", network.state.directory.path])
        }
        do {
            // Org2 was given only Org1's anchor peer, yet sees every Org1 peer: it learned the
            // others through the anchor.
            let home = try PeerHome.load(network.state.home(of: org2[0].name))
            let org1Endpoints = Set(org1.map { "\($0.host):\($0.port)" })
            let configured = Set(home.configuration.bootstrap + home.configuration.anchors.values.flatMap { $0 })
            #expect(configured.intersection(org1Endpoints) == ["\(org1[0].host):\(org1[0].port)"])
            let seen = Set(try await network.status(of: org2[0]).members.filter(\.alive).map(\.endpoint))
            #expect(org1Endpoints.isSubset(of: seen))

            // Blocks of org1only reach Org1's peers and nothing of it reaches Org2's.
            let before = try await Self.blocksReceived(org2)
            _ = try await network.put((0..<20).map { ("only\($0)", "v\($0)") }, channel: "org1only")
            try await eventually(seconds: 30, "Org1's peers hold only19") {
                for peer in org1 where try await network.query("only19", channel: "org1only", on: peer) != "v19" { return false }
                return true
            }
            #expect(try await Self.blocksReceived(org2) == before, "an Org2 peer received blocks of a channel its org is not in")
            for peer in org2 {
                let channels = try await network.status(of: peer).peerChannels.map(\.name)
                #expect(channels == ["mychannel"])
            }

            // The commands.
            let status = try await cli(["status", "--json"])
            #expect(status.status == 0, "\(status.errors)")
            // Org1's peers report a height of org1only, Org2's do not.
            let statusNodes = (try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any])?["nodes"] as? [[String: Any]] ?? []
            for node in statusNodes where node["role"] as? String == "peer" {
                let hasOrg1Only = (node["heights"] as? [String: Int])?["org1only"] != nil
                #expect(hasOrg1Only == (node["mspID"] as? String == "Org1MSP"), "\(node)")
            }
            #expect(statusNodes.count == 5, "\(status.output)")
            let list = try await cli(["channel", "list", "--peer", "peer0.org1"])
            #expect(list.output.contains("mychannel") && list.output.contains("org1only"), "\(list.errors)")
            let info = try await cli(["channel", "getinfo", "org1only", "--peer", "peer1.org1"])
            #expect(info.status == 0 && info.output.contains("\"height\""), "\(info.errors)")
            let refused = try await cli(["channel", "join", "org1only", "--peer", "peer0.org2"])
            #expect(refused.status != 0 && refused.errors.contains("Org2MSP is not an organization of this channel"), "\(refused.output) \(refused.errors)")
            let value = try await cli(["tx", "get", "only7", "--channel", "org1only", "--peer", "peer1.org1"])
            #expect(value.output == "v7\n", "\(value.errors)")
            let absent = try await cli(["tx", "get", "nothing", "--channel", "org1only", "--peer", "peer1.org1"])
            #expect(absent.status != 0)
            let logs = try await cli(["logs", "--tail", "1", "peer0.org1"])
            #expect(logs.output.hasPrefix("peer0.org1.example.com | "), "\(logs.errors)")

            // /logspec: a new spec is taken, a bad one refused with the reason.
            let port = org1[0].operationsPort
            #expect(try await HTTPProbe.request("PUT", port: port, path: "/logspec", body: #"{"spec":"ledger=debug:info"}"#).status == 204)
            #expect(try await HTTPProbe.get(port: port, path: "/logspec").body == #"{"spec":"ledger=debug:info"}"#)
            #expect(try await HTTPProbe.request("PUT", port: port, path: "/logspec", body: #"{"spec":"loud"}"#).status == 400)

            // status for scripts: an object with the version, every node's ports and heights
            // (the orderer's too), selected by FABNET_STATE as by --state.
            let byEnvironment = try await runFabnet(["status", "--json"], environment: ["FABNET_STATE": network.state.directory.path])
            #expect(byEnvironment.status == 0, "\(byEnvironment.errors)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(byEnvironment.output.utf8)) as? [String: Any])
            #expect(report["version"] is String)
            let nodes = try #require(report["nodes"] as? [[String: Any]])
            #expect(nodes.count == network.manifest.nodes.count)
            for node in nodes {
                let ports = node["ports"] as? [String: Int]
                #expect(ports?["operations"] != nil && ports?["framing"] != nil && node["operationsPort"] != nil, "\(node)")
                #expect((node["heights"] as? [String: Int])?["mychannel"].map { $0 > 0 } == true, "\(node)")
            }
            #expect(nodes.contains { $0["role"] as? String == "orderer" && ($0["heights"] as? [String: Int])?["org1only"] != nil })
            let table = try await cli(["status"])
            #expect(table.output.hasPrefix("NAME") && table.output.contains("PORTS") && table.output.contains("LEADER"), "\(table.output)")
            #expect(try await cli(["wait", "--ready", "--timeout", "60"]).status == 0)

            // check: every channel's peers agree; a paused peer keeps the heights from settling.
            let agreed = try await cli(["check", "--timeout", "60"])
            #expect(agreed.status == 0 && agreed.output.contains("mychannel: 4 peers agree") && agreed.output.contains("org1only: 2 peers agree"),
                    "\(agreed.output) \(agreed.errors)")
            let checkJSON = try await cli(["check", "-c", "org1only", "--json"])
            #expect(checkJSON.status == 0 && checkJSON.output.contains("\"stateDigest\""), "\(checkJSON.output)")
            let paused = try #require(org2[1].pid)
            kill(paused, SIGSTOP)
            let unsettled: CommandResult
            do {
                defer { kill(paused, SIGCONT) }  // never leave it frozen, whatever happens
                unsettled = try await cli(["check", "-c", "mychannel", "--timeout", "2"])
            }
            #expect(unsettled.status == 2 && unsettled.errors.contains("peer1.org2.example.com not answering"), "\(unsettled.output) \(unsettled.errors)")
            #expect(try await cli(["check", "--timeout", "60"]).status == 0)

            // logs of several nodes come merged in time order.
            let merged = try await cli(["logs", "--tail", "30"])
            let stamps = merged.output.split(separator: "\n").compactMap { line -> Substring? in
                guard let bar = line.range(of: " | ") else { return nil }
                let rest = line[bar.upperBound...]
                return rest.count >= 24 && rest.hasPrefix("20") ? rest.prefix(24) : nil
            }
            #expect(stamps.count >= 10 && stamps == stamps.sorted(), "logs not in time order:\n\(merged.output)")

            // kill and start by name: the node goes down, comes back, and catches up.
            let killed = try await cli(["kill", "peer1.org2"])
            #expect(killed.status == 0, "\(killed.errors)")
            let statusDown = try await cli(["status", "--json"])
            #expect(statusDown.output.contains("\"up\" : false"))
            #expect(statusDown.status == 3, "status exits 3 when a node is down")
            let waitDown = try await cli(["wait", "--ready", "--json"])
            #expect(waitDown.status == 3 && waitDown.output.contains("peer1.org2.example.com is down"), "\(waitDown.output)")
            _ = try await network.put([("while-down", "yes")])
            let started = try await cli(["start", "peer1.org2"])
            #expect(started.status == 0, "\(started.errors)")
            let waited = try await cli(["wait", "--ready", "--timeout", "60"])
            #expect(waited.status == 0, "\(waited.output) \(waited.errors)")
            try await eventually(seconds: 30, "peer1.org2 catches up") {
                try await network.query("while-down", on: org2[1]) == "yes"
            }
        } catch {
            Issue.record("\(error)\n\(network.logTails())")
        }
    }
}
