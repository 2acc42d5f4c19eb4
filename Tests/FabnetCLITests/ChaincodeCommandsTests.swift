import FabnetConfig
import FabnetTestKit
import Foundation
import Testing

/// `fabnet chaincode deploy|list` on a running network: definitions committed on the channel in
/// fabnet's lifecycle namespace, every peer told where the server is.
@Suite(.serialized)
struct ChaincodeCommandsTests {
    @Test func deployCommitsADefinitionEveryPeerReadsAndCountsItsSequence() async throws {
        let network = try CLINetwork()
        defer { network.remove() }
        try await network.up(["--base-port", String(network.basePort)])
        let empty = try await network.cli(["chaincode", "list", "-c", "mychannel"])
        #expect(empty.status == 0, "\(empty.errors)")
        #expect(empty.output.contains("no chaincode is defined on mychannel"))

        let first = try await network.cli(["chaincode", "deploy", "basic", "--address", "127.0.0.1:9999", "-c", "mychannel"])
        #expect(first.status == 0, "\(first.errors)")
        #expect(first.output.contains("basic 1.0 (sequence 1) defined on mychannel"), "\(first.output)")
        #expect(first.output.contains("4 peer(s) reach it at 127.0.0.1:9999"), "\(first.output)")

        let second = try await network.cli(["chaincode", "deploy", "basic", "--address", "127.0.0.1:9998", "-c", "mychannel",
                                            "--version", "2.0", "--policy", "AND('Org1MSP.peer','Org2MSP.peer')"])
        #expect(second.status == 0, "\(second.errors)")
        #expect(second.output.contains("basic 2.0 (sequence 2)"), "\(second.output)")

        let listed = try await network.cli(["chaincode", "list", "-c", "mychannel", "--json"])
        #expect(listed.status == 0, "\(listed.errors)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]])
        #expect(rows.count == 4, "one row per peer: \(listed.output)")
        for row in rows {
            #expect(row["name"] as? String == "basic")
            #expect(row["version"] as? String == "2.0")
            #expect(row["sequence"] as? Int == 2)
            #expect(row["policy"] as? String == "AND('Org1MSP.peer','Org2MSP.peer')")
            #expect(row["address"] as? String == "127.0.0.1:9998")
            #expect(row["state"] as? String == "idle (dialled on the first call)", "nothing called it yet")
        }

        // The definition is a transaction in a block, readable by any Fabric tool.
        let block = try await network.cli(["block", "fetch", "newest", "--channel", "mychannel", "--json"])
        #expect(block.output.contains("_fabnet_lifecycle"), "\(block.output.prefix(400))")

        let bad = try await network.cli(["chaincode", "deploy", "other", "--address", "127.0.0.1:9999", "-c", "mychannel", "--policy", "AND('Org1MSP.peer'"])
        #expect(bad.status == 1)
        #expect(bad.errors.contains("--policy AND('Org1MSP.peer'"), "\(bad.errors)")
        let noChannel = try await network.cli(["chaincode", "deploy", "other", "--address", "127.0.0.1:9999", "-c", "nochannel"])
        #expect(noChannel.status == 1)
        #expect(noChannel.errors.contains("no channel nochannel"), "\(noChannel.errors)")

        // A restarted peer keeps the connection it was given (its home).
        #expect(try await network.cli(["restart", "peer0.org1"]).status == 0)
        let again = try await network.cli(["chaincode", "list", "-c", "mychannel", "--peer", "peer0.org1", "--json"])
        let row = try #require((try JSONSerialization.jsonObject(with: Data(again.output.utf8)) as? [[String: Any]])?.first, "\(again.output) \(again.errors)")
        #expect(row["address"] as? String == "127.0.0.1:9998")

        // A peer stopped during a deploy is given the connection when `fabnet start` brings it back.
        #expect(try await network.cli(["stop", "peer1.org2"]).status == 0)
        let whileDown = try await network.cli(["chaincode", "deploy", "late", "--address", "127.0.0.1:9997", "-c", "mychannel"])
        #expect(whileDown.status == 0, "\(whileDown.errors)")
        let started = try await network.cli(["start", "peer1.org2"])
        #expect(started.status == 0 && started.output.contains("reaches chaincode"), "\(started.output) \(started.errors)")
        // (it lists the definition once it has caught up on the block that holds it)
        try await eventually(seconds: 30, "peer1.org2 to list chaincode late at its address") {
            let late = try await network.cli(["chaincode", "list", "-c", "mychannel", "--peer", "peer1.org2", "--json"])
            let rows = try JSONSerialization.jsonObject(with: Data(late.output.utf8)) as? [[String: Any]] ?? []
            return rows.first { $0["name"] as? String == "late" }?["address"] as? String == "127.0.0.1:9997"
        }
    }

    @Test func txPutIsEndorsedByAPeerOfEachOrgBeforeItIsOrdered() async throws {
        let network = try CLINetwork()
        defer { network.remove() }
        try await network.up(["--base-port", String(network.basePort)])
        let put = try await network.cli(["tx", "put", "greeting", "hello", "--channel", "mychannel", "--wait"])
        #expect(put.status == 0, "\(put.errors)")
        let fetched = try await network.cli(["block", "fetch", "newest", "--channel", "mychannel", "--json"])
        let block = try #require(try JSONSerialization.jsonObject(with: Data(fetched.output.utf8)) as? [String: Any])
        let entry = try #require(((block["data"] as? [String: Any])?["data"] as? [[String: Any]])?.first)
        let actions = try #require(((entry["payload"] as? [String: Any])?["data"] as? [String: Any])?["actions"] as? [[String: Any]])
        let endorsed = try #require((actions.first?["payload"] as? [String: Any])?["action"] as? [String: Any])
        let endorsements = try #require(endorsed["endorsements"] as? [[String: Any]])
        let orgs = Set(endorsements.compactMap { ($0["endorser"] as? [String: Any])?["mspid"] as? String })
        #expect(orgs == ["Org1MSP", "Org2MSP"], "\(endorsements)")
        try await eventually(seconds: 30, "peer1.org2 reads greeting") {
            try await network.cli(["tx", "get", "greeting", "--channel", "mychannel", "--peer", "peer1.org2"]).output.contains("hello")
        }
    }

    @Test func upDeploysTheDescriptionsChaincodesOnceAndKeepsThemAcrossRestarts() async throws {
        let network = try CLINetwork()
        defer { network.remove() }
        let file = network.root.appendingPathComponent("net.yaml")
        try (DefaultNetwork.configtx + """

            Chaincodes:
              - Name: basic
                Address: 127.0.0.1:9999
                Channels: [mychannel]
                Policy: "OR('Org1MSP.peer','Org2MSP.peer')"
            """).write(to: file, atomically: true, encoding: .utf8)
        try await network.up(["-f", file.path, "--base-port", String(network.basePort)])
        func rows() async throws -> [[String: Any]] {
            let listed = try await network.cli(["chaincode", "list", "-c", "mychannel", "-f", file.path, "--json"])
            return try #require(try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]], "\(listed.errors)")
        }
        let first = try await rows()
        #expect(first.count == 4, "\(first)")
        #expect(first.allSatisfy { $0["policy"] as? String == "OR('Org1MSP.peer','Org2MSP.peer')" && $0["sequence"] as? Int == 1 })
        #expect(first.allSatisfy { $0["address"] as? String == "127.0.0.1:9999" })
        #expect(try await network.cli(["down"]).status == 0)
        try await network.up(["-f", file.path])
        #expect(try await rows().allSatisfy { $0["sequence"] as? Int == 1 }, "an unchanged definition is not committed again")
    }
}
