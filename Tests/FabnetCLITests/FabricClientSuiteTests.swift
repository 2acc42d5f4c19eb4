import FabnetTestKit
import Foundation
import Subprocess
import SystemPackage
import Testing

/// The default network checked by Hyperledger's own code: `Tests/fabric/network_suite.py` drives
/// the orderer's AtomicBroadcast and the peers' Deliver through the official protos and grpcio
/// over TLS (the Python set `make test` installs in `.venv-fabric/`). Skipped, saying so, when
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
        let result = try await Subprocess.run(
            .path(FilePath(Self.python.path)), arguments: [Self.suite.path, network.state.directory.path],
            environment: .inherit.updating(["FABNET_CHAINCODE": "basic"]),
            output: .string(limit: 16 << 20), error: .string(limit: 16 << 20))
        let output = result.standardOutput
        let summary = output.split(separator: "\n").last.map(String.init) ?? ""
        #expect(result.terminationStatus.isSuccess, "\(output)\n\(result.standardError)\n\(network.logTails())\n--- chaincode ---\n\(chaincode.log)")
        #expect(summary.hasSuffix(" passed, 0 failed"), "\(output)")
        print(summary)
    }
}
