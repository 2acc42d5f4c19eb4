import FabnetClient
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

        // A chaincode that is stopped: its proposals fail with where it was, not a hang.
        chaincode.killAndReap()
        let peer = try #require(network.peers.first { $0.mspID == "Org1MSP" })
        let client = try network.clients.client(of: peer, as: "Org1MSP", role: .client)
        let (proposal, _) = try ProposalBuilder.make(channel: "mychannel", chaincode: "basic", arguments: ["ReadAsset", "asset1"].map { Data($0.utf8) },
                                                     creator: client.signer)
        let refused = try await client.endorse(proposal)
        #expect(refused.response.status == 500 && !refused.hasEndorsement)
        #expect(refused.response.message.contains("127.0.0.1:\(port)"), "\(refused.response.message)")
    }
}
