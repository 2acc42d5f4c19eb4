import FabnetConfig
import FabnetCrypto
import Foundation
import Testing

/// The generated tree has cryptogen's folders and file names, with private keys at 0600.
@Suite struct CryptoTreeTests {
    @Test func defaultNetworkTreeMatchesCryptogen() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let spec = try Networks.defaultSpec()
        let report = try CryptoMaterialGenerator(output: scratch.url).generate(spec)
        #expect(report.createdAuthorities.count == 6)
        #expect(report.createdIdentities.count == 10)

        let expected = """
            ordererOrganizations/example.com/ca/priv_sk
            ordererOrganizations/example.com/ca/ca.example.com-cert.pem
            ordererOrganizations/example.com/tlsca/priv_sk
            ordererOrganizations/example.com/tlsca/tlsca.example.com-cert.pem
            ordererOrganizations/example.com/msp/cacerts/ca.example.com-cert.pem
            ordererOrganizations/example.com/msp/tlscacerts/tlsca.example.com-cert.pem
            ordererOrganizations/example.com/msp/config.yaml
            ordererOrganizations/example.com/orderers/orderer.example.com/msp/keystore/priv_sk
            ordererOrganizations/example.com/orderers/orderer.example.com/msp/signcerts/orderer.example.com-cert.pem
            ordererOrganizations/example.com/orderers/orderer.example.com/msp/cacerts/ca.example.com-cert.pem
            ordererOrganizations/example.com/orderers/orderer.example.com/msp/tlscacerts/tlsca.example.com-cert.pem
            ordererOrganizations/example.com/orderers/orderer.example.com/msp/config.yaml
            ordererOrganizations/example.com/orderers/orderer.example.com/tls/ca.crt
            ordererOrganizations/example.com/orderers/orderer.example.com/tls/server.crt
            ordererOrganizations/example.com/orderers/orderer.example.com/tls/server.key
            ordererOrganizations/example.com/users/Admin@example.com/msp/signcerts/Admin@example.com-cert.pem
            ordererOrganizations/example.com/users/Admin@example.com/tls/client.crt
            ordererOrganizations/example.com/users/Admin@example.com/tls/client.key
            peerOrganizations/org1.example.com/ca/ca.org1.example.com-cert.pem
            peerOrganizations/org1.example.com/tlsca/tlsca.org1.example.com-cert.pem
            peerOrganizations/org1.example.com/msp/config.yaml
            peerOrganizations/org1.example.com/peers/peer0.org1.example.com/msp/keystore/priv_sk
            peerOrganizations/org1.example.com/peers/peer0.org1.example.com/msp/signcerts/peer0.org1.example.com-cert.pem
            peerOrganizations/org1.example.com/peers/peer1.org1.example.com/tls/server.key
            peerOrganizations/org1.example.com/users/Admin@org1.example.com/msp/keystore/priv_sk
            peerOrganizations/org1.example.com/users/User1@org1.example.com/msp/signcerts/User1@org1.example.com-cert.pem
            peerOrganizations/org1.example.com/users/User1@org1.example.com/tls/client.crt
            peerOrganizations/org2.example.com/peers/peer1.org2.example.com/tls/ca.crt
            """.split(separator: "\n").map(String.init)
        for path in expected {
            #expect(FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent(path).path), "missing \(path)")
        }
        for folder in ["peerOrganizations/org1.example.com/msp/admincerts",
                       "peerOrganizations/org1.example.com/peers/peer0.org1.example.com/msp/admincerts"] {
            let contents = try FileManager.default.contentsOfDirectory(atPath: scratch.url.appendingPathComponent(folder).path)
            #expect(contents.isEmpty, "\(folder) should be empty with NodeOUs on")
        }
    }

    @Test func privateKeysAreOwnerOnlyAndPKCS8() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let spec = try Networks.defaultSpec()
        _ = try CryptoMaterialGenerator(output: scratch.url).generate(spec)
        let layout = CryptoLayout(root: scratch.url)
        var keys = IdentityFiles.all(spec, layout: layout).flatMap { [$0.signKey, $0.tlsKey] }
        for org in spec.organizations {
            keys += [layout.caDirectory(org).appendingPathComponent("priv_sk"), layout.tlsCADirectory(org).appendingPathComponent("priv_sk")]
        }
        #expect(keys.count == 26)
        for key in keys {
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: key.path)[.posixPermissions] as? Int)
            #expect(mode == 0o600, "\(key.path) has mode \(String(mode, radix: 8))")
            let pem = try String(contentsOf: key, encoding: .utf8)
            #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        }
        let certificate = layout.caDirectory(spec.organizations[1]).appendingPathComponent("ca.org1.example.com-cert.pem")
        let mode = try FileManager.default.attributesOfItem(atPath: certificate.path)[.posixPermissions] as? Int
        #expect(mode == 0o644)
    }

    @Test func nodeOUsConfigPointsAtTheOrgCA() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        _ = try CryptoMaterialGenerator(output: scratch.url).generate(try Networks.defaultSpec())
        let config = try String(contentsOf: scratch.url.appendingPathComponent("peerOrganizations/org1.example.com/msp/config.yaml"), encoding: .utf8)
        #expect(config.contains("Enable: true"))
        for ou in ["client", "peer", "admin", "orderer"] {
            #expect(config.contains("OrganizationalUnitIdentifier: \(ou)"))
        }
        #expect(config.contains("Certificate: cacerts/ca.org1.example.com-cert.pem"))
    }

    @Test func withoutNodeOUsAdmincertsHoldTheAdmin() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let text = DefaultNetwork.configtx.replacingOccurrences(of: "    Domain: org1.example.com\n", with: "    Domain: org1.example.com\n    EnableNodeOUs: false\n")
        let spec = try NetworkLoader.load(text: text, file: "no-ous.yaml", directory: URL(fileURLWithPath: "/tmp")).spec
        _ = try CryptoMaterialGenerator(output: scratch.url).generate(spec)
        let org = scratch.url.appendingPathComponent("peerOrganizations/org1.example.com")
        for msp in ["msp", "peers/peer0.org1.example.com/msp"] {
            #expect(FileManager.default.fileExists(atPath: org.appendingPathComponent("\(msp)/admincerts/Admin@org1.example.com-cert.pem").path))
            #expect(!FileManager.default.fileExists(atPath: org.appendingPathComponent("\(msp)/config.yaml").path))
        }
        let subject = try OpenSSLTool.text(of: org.appendingPathComponent("peers/peer0.org1.example.com/msp/signcerts/peer0.org1.example.com-cert.pem"))
        #expect(!subject.contains("OU = peer"))
    }
}
