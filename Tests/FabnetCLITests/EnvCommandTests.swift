import FabnetCrypto
import FabnetTestKit
import Foundation
import Subprocess
import SystemPackage
import Testing

/// `fabnet env ORG`: exports a shell can eval, the same facts as JSON, the identity and peer
/// chosen, and errors that list what there is.
@Suite struct EnvCommandTests {
    /// What a POSIX shell has after `eval "$(fabnet env ARGUMENTS)"`: each variable's value.
    func evaluated(_ prepared: PreparedState, _ arguments: [String], names: [String]) async throws -> [String: String] {
        let script = #"eval "$("$0" "$@")" || exit 9; for name in "#
            + names.joined(separator: " ") + #"; do eval "printf '%s=%s\n' \"\$name\" \"\${$name}\""; done"#
        let result = try await Subprocess.run(
            .path(FilePath("/bin/sh")), arguments: Arguments(["-c", script, fabnetBinary.path, "env"] + arguments + ["--state", prepared.state.directory.path]),
            output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        #expect(result.terminationStatus.isSuccess, "\(result.standardError)")
        var values: [String: String] = [:]
        for line in result.standardOutput.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return values
    }

    static let names = ["CORE_PEER_TLS_ENABLED", "CORE_PEER_LOCALMSPID", "CORE_PEER_TLS_ROOTCERT_FILE", "CORE_PEER_MSPCONFIGPATH",
                        "CORE_PEER_ADDRESS", "ORDERER_ADDRESS", "ORDERER_CA", "FABNET_ORDERER_HOST_ALIAS", "FABNET_MSP_ID",
                        "FABNET_GATEWAY_ENDPOINT", "FABNET_GATEWAY_HOST_ALIAS", "FABNET_TLS_ROOT_CERT", "FABNET_CERT_PATH",
                        "FABNET_KEY_PATH", "FABNET_CONNECTION_PROFILE"]

    @Test func exportsPointThePeerCLIAndGatewayClientsAtTheOrgsFirstPeerAsUser1() async throws {
        let prepared = try PreparedState()
        defer { prepared.remove() }
        let printed = try await prepared.cli(["env", "Org1"])
        #expect(printed.status == 0, "\(printed.errors)")
        let lines = printed.output.split(separator: "\n")
        #expect(lines.count == Self.names.count && lines.allSatisfy { $0.hasPrefix("export ") }, "\(printed.output)")
        #expect(lines.map { String($0.dropFirst(7).prefix { $0 != "=" }) } == Self.names)

        let values = try await evaluated(prepared, ["Org1"], names: Self.names)
        let peer0 = try #require(prepared.manifest.nodes.first { $0.name == "peer0.org1.example.com" })
        let orderer = try #require(prepared.manifest.nodes.first { $0.role == "orderer" })
        let org = try #require(prepared.spec.organization(mspID: "Org1MSP"))
        let layout = CryptoLayout(root: prepared.crypto)
        let user = layout.userDirectory(org.users[1], in: org).appendingPathComponent("msp")
        #expect(org.users[1].name == "User1")
        #expect(values["CORE_PEER_TLS_ENABLED"] == "true")
        #expect(values["CORE_PEER_LOCALMSPID"] == "Org1MSP" && values["FABNET_MSP_ID"] == "Org1MSP")
        #expect(values["CORE_PEER_ADDRESS"] == "localhost:\(peer0.grpcPort!)" && values["FABNET_GATEWAY_ENDPOINT"] == values["CORE_PEER_ADDRESS"])
        #expect(values["FABNET_GATEWAY_HOST_ALIAS"] == "peer0.org1.example.com")
        #expect(values["ORDERER_ADDRESS"] == "localhost:\(orderer.grpcPort!)")
        #expect(values["FABNET_ORDERER_HOST_ALIAS"] == "orderer.example.com")
        #expect(values["CORE_PEER_MSPCONFIGPATH"] == user.standardizedFileURL.path, "paths survive the space and quote in the folder's name")
        #expect(values["CORE_PEER_TLS_ROOTCERT_FILE"] == layout.tlsCADirectory(org).appendingPathComponent("tlsca.org1.example.com-cert.pem").path)
        #expect(values["FABNET_TLS_ROOT_CERT"] == values["CORE_PEER_TLS_ROOTCERT_FILE"])
        #expect(values["FABNET_CERT_PATH"]?.hasPrefix(user.appendingPathComponent("signcerts").path + "/") == true)
        #expect(values["FABNET_KEY_PATH"]?.hasPrefix(user.appendingPathComponent("keystore").path + "/") == true)
        #expect(values["FABNET_CONNECTION_PROFILE"] == ConnectionProfiles(state: prepared.state).file(stem: "org1", extension: "json").path)
        for name in ["CORE_PEER_TLS_ROOTCERT_FILE", "CORE_PEER_MSPCONFIGPATH", "ORDERER_CA", "FABNET_CERT_PATH", "FABNET_KEY_PATH", "FABNET_CONNECTION_PROFILE"] {
            let path = try #require(values[name], "\(name)")
            #expect(path.hasPrefix("/") && FileManager.default.fileExists(atPath: path), "\(name)=\(path)")
        }
        // The certificate is User1's, and the key is its pair (both read as the MSP reads them).
        let certificate = try #require(values["FABNET_CERT_PATH"])
        #expect(try String(contentsOfFile: certificate, encoding: .utf8).contains("BEGIN CERTIFICATE"))
    }

    @Test func jsonAdminAndPeerChooseTheIdentityAndThePeer() async throws {
        let prepared = try PreparedState()
        defer { prepared.remove() }
        let result = try await prepared.cli(["env", "org2msp", "--admin", "--peer", "peer1", "--json"])
        #expect(result.status == 0, "\(result.errors)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["organization", "mspID", "user", "mspConfigPath", "certPath", "keyPath", "peer", "peerAddress",
                                     "tlsRootCert", "connectionProfile", "orderer", "ordererAddress", "ordererCA", "variables"])
        let peer1 = try #require(prepared.manifest.nodes.first { $0.name == "peer1.org2.example.com" })
        #expect(object["organization"] as? String == "Org2")
        #expect(object["user"] as? String == "Admin@org2.example.com")
        #expect(object["peer"] as? String == "peer1.org2.example.com")
        #expect(object["peerAddress"] as? String == "localhost:\(peer1.grpcPort!)")
        #expect((object["mspConfigPath"] as? String)?.hasSuffix("/users/Admin@org2.example.com/msp") == true)
        let variables = try #require(object["variables"] as? [String: String])
        #expect(Set(variables.keys) == Set(Self.names))
        #expect(variables["FABNET_CERT_PATH"] == object["certPath"] as? String)
        let values = try await evaluated(prepared, ["org2.example.com", "--user", "admin@org2.example.com", "--peer", "peer1.org2"], names: Self.names)
        #expect(values == variables, "the exports set what --json lists")
    }

    @Test func unknownNamesAndAMissingNetworkAreErrorsThatSayWhatThereIs() async throws {
        let prepared = try PreparedState()
        defer { prepared.remove() }
        let typo = try await prepared.cli(["env", "Org3MSP"])
        #expect(typo.status == 1 && typo.output.isEmpty)
        #expect(typo.errors.contains("no organization Org3MSP"), "\(typo.errors)")
        #expect(typo.errors.contains("did you mean Org1MSP?") || typo.errors.contains("did you mean Org2MSP?"), "\(typo.errors)")
        #expect(typo.errors.contains("Org1MSP (org1), Org2MSP (org2), OrdererMSP") || typo.errors.contains("OrdererMSP, Org1MSP (org1), Org2MSP (org2)"), "\(typo.errors)")
        let orderer = try await prepared.cli(["env", "OrdererMSP"])
        #expect(orderer.status == 1 && orderer.errors.contains("OrdererMSP runs no peers"), "\(orderer.errors)")
        let user = try await prepared.cli(["env", "Org1", "--user", "User7"])
        #expect(user.status == 1 && user.errors.contains("Org1MSP has no user User7; its users are: Admin, User1"), "\(user.errors)")
        let peer = try await prepared.cli(["env", "Org1", "--peer", "peer0.org2.example.com"])
        #expect(peer.status == 1 && peer.errors.contains("its peers are: peer0.org1.example.com, peer1.org1.example.com"), "\(peer.errors)")
        let both = try await prepared.cli(["env", "Org1", "--user", "User1", "--admin"])
        #expect(both.status != 0 && both.errors.contains("--user and --admin"), "\(both.errors)")
        let nowhere = prepared.root.appendingPathComponent("none").path
        let missing = try await runFabnet(["env", "Org1", "--state", nowhere])
        #expect(missing.status == 1 && missing.errors.contains("no network in \(nowhere)/ (start one with `fabnet up`)"), "\(missing.errors)")
        let help = try await runFabnet(["env", "--help"])
        #expect(help.output.contains(#"eval "$(fabnet env Org1)""#), "\(help.output)")
    }
}
