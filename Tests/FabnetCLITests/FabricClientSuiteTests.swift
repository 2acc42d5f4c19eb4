import FabnetClient
import FabricWire
import FabnetTestKit
import Foundation
import Subprocess
import SystemPackage
import Testing

/// The default network checked by Hyperledger's own code: `Tests/fabric/network_suite.py` drives
/// the orderer's AtomicBroadcast and the peers' Deliver through the official protos and grpcio
/// over TLS (the Python set `make test` installs in `.venv-fabric/`), reached through what
/// `fabnet env Org1` exports and the connection profile `up` wrote. Skipped, saying so, when
/// that virtual environment is missing (`swift test` alone); `make test` and CI always run it.
@Suite(.serialized)
struct FabricClientSuiteTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let python = repository.appendingPathComponent(".venv-fabric/bin/python")
    static let suite = repository.appendingPathComponent("Tests/fabric/network_suite.py")
    static let contract = repository.appendingPathComponent("Tests/fabric/chaincode/asset_transfer.py")

    @Test(.enabled(if: FileManager.default.fileExists(atPath: python.path), "needs .venv-fabric (make fabric-venv)"))
    func officialProtosAndGRPCClientsTalkToTheNetwork() async throws {
        let network = try await TestNetwork(executable: fabnetBinary.path)
        defer { network.down() }
        // Hyperledger's Python contract, served as chaincode-as-a-service, defined on mychannel.
        let port = try freePort()
        let chaincode = try ChildProcess(
            executable: "/usr/bin/env",
            arguments: ["CHAINCODE_SERVER_ADDRESS=127.0.0.1:\(port)", "CHAINCODE_ID=basic", Self.python.path, Self.contract.path],
            logFile: network.root.appendingPathComponent("chaincode.log"))
        defer { chaincode.killAndReap() }
        try await eventually(seconds: 60, "the chaincode server listening") { acceptsConnections(port: port) || chaincode.hasExited }
        // A peer that is down during the deploy reads the definition from its ledger when it is
        // back, and flags the blocks as the others do (the suite compares every peer's flags).
        let absent = try #require(network.node("peer1.org2.example.com"))
        try await network.kill(absent, signal: SIGTERM)
        let deployed = try await runFabnet(["chaincode", "deploy", "basic", "--address", "127.0.0.1:\(port)", "-c", "mychannel",
                                            "--state", network.state.directory.path])
        #expect(deployed.status == 0, "\(deployed.errors)")
        try await network.start(absent)
        // As a user would: `eval "$(fabnet env Org1)"`, then a client that reads those variables
        // and the connection profile they name.
        let script = #"eval "$("$0" env Org1 --state "$1")" || exit 9; exec "$2" "$3" "$1""#
        let result = try await Subprocess.run(
            .path(FilePath("/bin/sh")),
            arguments: ["-c", script, fabnetBinary.path, network.state.directory.path, Self.python.path, Self.suite.path],
            environment: .inherit.updating(["FABNET_CHAINCODE": "basic"]),
            output: .string(limit: 16 << 20), error: .string(limit: 16 << 20))
        let output = result.standardOutput
        let summary = output.split(separator: "\n").last.map(String.init) ?? ""
        #expect(result.terminationStatus.isSuccess, "\(output)\n\(result.standardError)\n\(network.logTails())\n--- chaincode ---\n\(chaincode.log)")
        #expect(summary.hasSuffix(" passed, 0 failed"), "\(output)")
        #expect(output.contains("PASS exported_environment_and_profile_reach_the_network"), "\(output)")
        print(summary)

        // `chaincode list` shows each peer's connection: the peers that endorsed are ready.
        func states() async throws -> [String: String] {
            let listed = try await runFabnet(["chaincode", "list", "-c", "mychannel", "--json", "--state", network.state.directory.path])
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]], "\(listed.errors)")
            return Dictionary(uniqueKeysWithValues: rows.compactMap { row in (row["peer"] as? String).map { ($0, row["state"] as? String ?? "") } })
        }
        let before = try await states()
        for org in ["org1", "org2"] {
            #expect(before.contains { $0.key.hasSuffix("\(org).example.com") && $0.value == "ready" }, "\(before)")
        }
        #expect(before.filter { $0.key != absent.name }.values.allSatisfy { $0 == "ready" || $0 == "idle (dialled on the first call)" }, "\(before)")
        // The peer that was down during the deploy has the definition (from its ledger) but not the address (kept in homes).
        #expect(before[absent.name]?.hasPrefix("no server known") == true, "\(before)")

        // A new --version upgrades the definition: endorsements name the new version.
        let peer = try #require(network.peers.first { $0.mspID == "Org1MSP" })
        let client = try network.clients.client(of: peer, as: "Org1MSP", role: .client)
        let upgraded = try await runFabnet(["chaincode", "deploy", "basic", "--address", "127.0.0.1:\(port)", "-c", "mychannel", "--version", "2.0",
                                            "--state", network.state.directory.path])
        #expect(upgraded.status == 0 && upgraded.output.contains("basic 2.0 (sequence 2)"), "\(upgraded.output) \(upgraded.errors)")
        let (read, _) = try ProposalBuilder.make(channel: "mychannel", chaincode: "basic", arguments: ["ReadAsset", "asset1"].map { Data($0.utf8) },
                                                 creator: client.signer)
        let endorsed = try await client.endorse(read)
        #expect(endorsed.response.status == 200, "\(endorsed.response.message)")
        let action = try Protos_ChaincodeAction(serializedBytes: try Protos_ProposalResponsePayload(serializedBytes: endorsed.payload).extension)
        #expect(action.chaincodeID.name == "basic" && action.chaincodeID.version == "2.0")

        // A chaincode that is stopped: its proposals fail with where it was, not a hang.
        chaincode.killAndReap()
        let (proposal, _) = try ProposalBuilder.make(channel: "mychannel", chaincode: "basic", arguments: ["ReadAsset", "asset1"].map { Data($0.utf8) },
                                                     creator: client.signer)
        let refused = try await client.endorse(proposal)
        #expect(refused.response.status == 500 && !refused.hasEndorsement)
        #expect(refused.response.message.contains("127.0.0.1:\(port)"), "\(refused.response.message)")
        let after = try await states()
        let asked = try #require(after[peer.name], "\(after)")
        #expect(asked.hasPrefix("unavailable") || asked == "connecting", "\(after)")
    }
}
