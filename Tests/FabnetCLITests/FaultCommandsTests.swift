import FabnetTestKit
import FabricWire
import Ledger
import Foundation
import OperationsEndpoint
import Testing

/// `fabnet fault` on a running network: a partition keeps a peer's height from settling (so
/// `check` exits 2) even across its restart, until `heal`; pause, delay and loss show in
/// `fault list`, `status` and the nodes' metrics.
@Suite(.serialized)
struct FaultCommandsTests {
    @Test func aPartitionHoldsUntilHealedAndTheOtherFaultsShow() async throws {
        let network = try CLINetwork()
        defer { network.remove() }
        try await network.up()
        func cli(_ arguments: String...) async throws -> CommandResult { try await network.cli(arguments) }

        // peer1.org2 alone: the block reaches every peer but it.
        let partition = try await cli("fault", "partition", "peer1.org2", "orderer,Org1MSP,peer0.org2")
        #expect(partition.status == 0 && partition.output.contains("partition: [peer1.org2.example.com]"), "\(partition.output) \(partition.errors)")
        #expect(try await cli("tx", "put", "cut", "1", "-c", "mychannel", "--wait").status == 0)
        let unsettled = try await cli("check", "--timeout", "3")
        #expect(unsettled.status == 2 && unsettled.errors.contains("peer1.org2.example.com="), "\(unsettled.output) \(unsettled.errors)")
        // A restarted peer is given the plan again (its own switch holds it, not only the others').
        #expect(try await cli("restart", "peer1.org2").status == 0)
        #expect(try await cli("check", "--timeout", "3").status == 2)
        let restarted = try #require(network.manifest?.nodes.first { $0.name == "peer1.org2.example.com" })
        #expect(try await HTTPProbe.get(port: restarted.operationsPort, path: "/metrics").body.contains("fabnet_faults_active 1"))
        let status = try await cli("status")
        #expect(status.output.contains("faults (fabnet fault list"), "\(status.output)")

        // Heal: it catches up and every peer agrees.
        #expect(try await cli("fault", "heal").output.contains("no faults"))
        let agreed = try await cli("check", "--timeout", "60")
        #expect(agreed.status == 0, "\(agreed.output) \(agreed.errors)")

        // Pause, delay and loss: recorded, shown, in the metrics, and ended by heal.
        #expect(try await cli("fault", "pause", "peer1.org1").status == 0)
        #expect(try await cli("fault", "delay", "Org2MSP", "5-10").status == 0)
        #expect(try await cli("fault", "loss", "peer0.org1", "0.2").status == 0)
        let list = try await cli("fault", "list")
        #expect(list.output.contains("paused: peer1.org1.example.com") && list.output.contains("peer0.org2.example.com: delay 5-10 ms")
                && list.output.contains("peer0.org1.example.com: loss 0.2"), "\(list.output)")
        let paused = try await cli("status", "--json")
        let nodes = (try JSONSerialization.jsonObject(with: Data(paused.output.utf8)) as? [String: Any])?["nodes"] as? [[String: Any]] ?? []
        #expect(paused.status == 3 && nodes.contains { $0["name"] as? String == "peer1.org1.example.com" && $0["state"] as? String == "paused" },
                "\(paused.output)")
        let peer0 = try #require(network.manifest?.nodes.first { $0.name == "peer0.org1.example.com" })
        #expect(try await HTTPProbe.get(port: peer0.operationsPort, path: "/metrics").body.contains("fabnet_faults_active 1"))
        #expect(try await cli("fault", "heal").status == 0)
        #expect(try await cli("fault", "list").output == "no faults\n")
        #expect(try await cli("status").status == 0)
        #expect(try await HTTPProbe.get(port: peer0.operationsPort, path: "/metrics").body.contains("fabnet_faults_active 0"))
        #expect(try await cli("check", "--timeout", "60").status == 0)
    }

    @Test func checkNamesAPeerWhoseLedgerDivergesAndExitsOne() async throws {
        let network = try CLINetwork()
        defer { network.remove() }
        try await network.up()
        func cli(_ arguments: String...) async throws -> CommandResult { try await network.cli(arguments) }
        #expect(try await cli("tx", "put", "color", "blue", "-c", "mychannel", "--wait").status == 0)
        #expect(try await cli("check", "--timeout", "60").status == 0)

        // peer1.org2's copy of the last block now says its transaction was invalid: the record's
        // checksums are right (the peer starts), the chain holds (flags are not hashed), but its
        // flags and world state differ from the other peers'.
        #expect(try await cli("stop", "peer1.org2").status == 0)
        let path = NetworkState(directory: network.state).home(of: "peer1.org2.example.com").appendingPathComponent("ledger/mychannel/blocks.fabric").path
        let file = try BlockFile(path: path, durability: .fsyncEachAppend)
        var payloads = try file.readAll()
        var last = try Common_Block(serializedBytes: try #require(payloads.last))
        #expect(BlockMetadataLayout.transactionsFilter(of: last) == [0])
        BlockMetadataLayout.setTransactionsFilter([.mvccReadConflict], in: &last)
        payloads[payloads.count - 1] = try last.serializedBytes()
        try file.replaceAll(with: payloads)
        #expect(try await cli("start", "peer1.org2").status == 0)

        let check = try await cli("check", "--timeout", "60")
        #expect(check.status == 1, "\(check.output) \(check.errors)")
        #expect(check.output.contains("peer1.org2.example.com diverges at block \(payloads.count - 1): its validation flags differ"), "\(check.output)")
        let json = try await cli("check", "--timeout", "60", "--json")
        #expect(json.status == 1 && json.output.contains("\"what\" : \"validation flags\""), "\(json.output)")
    }
}
