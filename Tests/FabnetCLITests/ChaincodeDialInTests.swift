import FabnetClient
import FabnetTestKit
import Foundation
import Subprocess
import SystemPackage
import Testing

/// Chaincode reached both ways on a real network, driven by Hyperledger's Python shim
/// (`.venv-fabric`, as `make test` installs it; skipped, saying so, without it):
/// - dialing in: deployed without --address, the shim's own handler registers with every peer
///   over `protos.ChaincodeSupport/Register` (Tests/fabric/chaincode/dial_in.py) and answers
///   the Gateway's proposals;
/// - served with TLS that requires client certificates: the peers present their own TLS
///   certificates and the server accepts them.
@Suite(.serialized, .enabled(if: FileManager.default.fileExists(atPath: FabricClientSuiteTests.python.path), "needs .venv-fabric (make fabric-venv)"))
struct ChaincodeDialInTests {
    static let driver = FabricClientSuiteTests.repository.appendingPathComponent("Tests/fabric/chaincode/dial_in.py")
    static let roundtrip = FabricClientSuiteTests.repository.appendingPathComponent("Tests/fabric/gateway_roundtrip.py")

    /// The TLS CA certificate of each peer org, concatenated into one PEM file in the network's folder.
    func peerTLSRoots(_ network: TestNetwork) throws -> (file: URL, org1: URL) {
        let organizations = URL(fileURLWithPath: network.manifest.cryptoDirectory).appendingPathComponent("peerOrganizations")
        var pems = Data()
        var org1: URL?
        for domain in try FileManager.default.contentsOfDirectory(atPath: organizations.path).sorted() {
            let folder = organizations.appendingPathComponent("\(domain)/tlsca")
            for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".pem") {
                pems.append(try Data(contentsOf: folder.appendingPathComponent(file)))
                if domain.hasPrefix("org1.") { org1 = folder.appendingPathComponent(file) }
            }
        }
        let file = network.root.appendingPathComponent("peer-tls-roots.pem")
        try pems.write(to: file)
        return (file, try #require(org1))
    }

    /// Creates and reads an asset through the Gateway (gateway_roundtrip.py); its one JSON line.
    func roundtrip(_ network: TestNetwork, asset: String, logs: @escaping @Sendable () -> String) async throws -> String {
        let state = network.state.directory.path
        let result = try await withDeadline(seconds: 180, "the gateway round trip") {
            try await Subprocess.run(.path(FilePath(FabricClientSuiteTests.python.path)), arguments: [Self.roundtrip.path, state, "basic", asset],
                                     output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        }
        let output = result.standardOutput
        #expect(result.terminationStatus.isSuccess, "\(output)\n\(result.standardError)\n\(logs())")
        return output
    }

    @Test func chaincodeThatDialsThePeersIsCalledThroughTheGateway() async throws {
        let network = try await TestNetwork(executable: fabnetBinary.path)
        defer { network.down() }
        let state = network.state.directory.path
        let deployed = try await runFabnet(["chaincode", "deploy", "basic", "-c", "mychannel", "--state", state])
        #expect(deployed.status == 0, "\(deployed.errors)")
        #expect(deployed.output.contains("4 peer(s) wait for basic to dial in"), "\(deployed.output)")
        let addresses = network.peers.compactMap { $0.grpcPort.map { "127.0.0.1:\($0)" } }
        #expect(addresses.count == 4 && addresses.allSatisfy { deployed.output.contains($0) }, "\(deployed.output)")
        let listed = try await runFabnet(["chaincode", "list", "-c", "mychannel", "--state", state])
        #expect(listed.output.contains("dials in"), "\(listed.output)")

        // Nothing registered yet: a proposal fails at once, saying how to start the chaincode.
        let peer = try #require(network.peers.first { $0.mspID == "Org1MSP" })
        let client = try network.clients.client(of: peer, as: "Org1MSP", role: .client)
        let (proposal, _) = try ProposalBuilder.make(channel: "mychannel", chaincode: "basic", arguments: ["ReadAsset", "a"].map { Data($0.utf8) },
                                                     creator: client.signer)
        let started = ContinuousClock.now
        let refused = try await client.endorse(proposal)
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(refused.response.status == 500 && !refused.hasEndorsement)
        #expect(refused.response.message.contains("CORE_PEER_ADDRESS=127.0.0.1:\(peer.grpcPort ?? 0) CORE_CHAINCODE_ID_NAME=basic"),
                "\(refused.response.message)")

        let roots = try peerTLSRoots(network)
        // The chaincode's TLS client certificate: User1 of Org1's (cryptogen's users/…/tls).
        let userTLS = URL(fileURLWithPath: network.manifest.cryptoDirectory)
            .appendingPathComponent("peerOrganizations/org1.example.com/users/User1@org1.example.com/tls")
        func driver(_ id: String, log: String, withCertificate: Bool = true) throws -> ChildProcess {
            let certificate = withCertificate ? ["CORE_TLS_CLIENT_CERT_PATH=\(userTLS.appendingPathComponent("client.crt").path)",
                                                 "CORE_TLS_CLIENT_KEY_PATH=\(userTLS.appendingPathComponent("client.key").path)"] : []
            return try ChildProcess(executable: "/usr/bin/env",
                                    arguments: ["CORE_PEER_ADDRESS=\(addresses.joined(separator: ","))", "CORE_CHAINCODE_ID_NAME=\(id)",
                                                "CORE_PEER_TLS_ROOTCERT_FILE=\(roots.file.path)"] + certificate
                                        + [FabricClientSuiteTests.python.path, Self.driver.path],
                                    logFile: network.root.appendingPathComponent(log))
        }

        // Without a TLS client certificate of a network org, nobody registers in a chaincode's place.
        let anonymous = try driver("basic:1.0", log: "anonymous.log", withCertificate: false)
        defer { anonymous.killAndReap() }
        try await eventually(seconds: 60, "the anonymous driver exits") { anonymous.hasExited }
        #expect(anonymous.log.contains("must present a TLS client certificate"), "\(anonymous.log.suffix(2000))")

        // A chaincode the peers do not define is refused with the peer's ERROR, and its streams end.
        let stranger = try driver("nosuchcc:1.0", log: "stranger.log")
        defer { stranger.killAndReap() }
        try await eventually(seconds: 60, "the unknown chaincode's driver exits") { stranger.hasExited }
        #expect(stranger.exitCode == 1)
        #expect(stranger.log.contains("chaincode 'nosuchcc:1.0' is not defined on any channel of this peer"), "\(stranger.log.suffix(2000))")
        #expect(stranger.log.contains("FAILED_PRECONDITION"), "\(stranger.log.suffix(2000))")

        // Hyperledger's shim handler registers with every peer and answers through the Gateway.
        let chaincode = try driver("basic:1.0", log: "chaincode.log")
        defer { chaincode.killAndReap() }
        try await eventually(seconds: 60, "the chaincode registered with all 4 peers") {
            chaincode.log.split(separator: "\n").filter { $0.hasPrefix("registered ") }.count >= 4 || chaincode.hasExited
        }
        #expect(!chaincode.hasExited, "\(chaincode.log.suffix(3000))")
        let output = try await roundtrip(network, asset: "dialed-in") { "\(network.logTails())\n--- chaincode ---\n\(chaincode.log.suffix(4000))" }
        #expect(output.contains("\"status\": \"VALID\""), "\(output)")
        #expect(output.contains("\"Org1MSP\": \"Tom\"") && output.contains("\"Org2MSP\": \"Tom\""), "\(output)")
    }

    @Test func aPeerPresentsItsTLSCertificateToAChaincodeServerThatRequiresOne() async throws {
        let network = try await TestNetwork(executable: fabnetBinary.path)
        defer { network.down() }
        let roots = try peerTLSRoots(network)
        // The server's certificate: any the peers trust; peer0.org1's names 127.0.0.1.
        let serverTLS = URL(fileURLWithPath: network.manifest.cryptoDirectory)
            .appendingPathComponent("peerOrganizations/org1.example.com/peers/peer0.org1.example.com/tls")
        let port = try freePort()
        let chaincode = try ChildProcess(
            executable: "/usr/bin/env",
            arguments: ["CHAINCODE_SERVER_ADDRESS=127.0.0.1:\(port)", "CHAINCODE_ID=basic",
                        "CORE_TLS_CLIENT_KEY_PATH=\(serverTLS.appendingPathComponent("server.key").path)",
                        "CORE_TLS_CLIENT_CERT_PATH=\(serverTLS.appendingPathComponent("server.crt").path)",
                        // Client CAs: the shim then requires a client certificate from them.
                        "CORE_PEER_TLS_ROOTCERT_FILE=\(roots.file.path)",
                        FabricClientSuiteTests.python.path, FabricClientSuiteTests.contract.path],
            logFile: network.root.appendingPathComponent("chaincode.log"))
        defer { chaincode.killAndReap() }
        let deployed = try await runFabnet(["chaincode", "deploy", "basic", "--address", "127.0.0.1:\(port)", "--tls-root", roots.org1.path,
                                            "-c", "mychannel", "--state", network.state.directory.path])
        #expect(deployed.status == 0, "\(deployed.errors)")
        #expect(deployed.output.contains("over TLS"), "\(deployed.output)")
        try await eventually(seconds: 60, "the chaincode server listening") { acceptsConnections(port: port) || chaincode.hasExited }
        let output = try await roundtrip(network, asset: "mutual-tls") { "\(network.logTails())\n--- chaincode ---\n\(chaincode.log.suffix(4000))" }
        #expect(output.contains("\"status\": \"VALID\""), "\(output)")
    }
}
