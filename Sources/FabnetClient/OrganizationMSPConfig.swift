import FabnetConfig
import FabnetCrypto
import FabricWire
import Foundation
import SwiftProtobuf

/// An org's verifying MSP as configtxgen puts it in a channel configuration: `MSPConfig{type 0
/// (Fabric), config = FabricMSPConfig}` with the MSP ID as name, the CA and TLS CA certificates
/// (PEM bytes, as read from `cacerts/` and `tlscacerts/`), the `admincerts/` PEMs (none when NodeOUs
/// are on, as fabnet and cryptogen write), NodeOUs for client, peer, admin and orderer certified
/// by the org's CA certificate (as the MSP's `config.yaml` says), and SHA2/SHA256 crypto settings.
enum OrganizationMSPConfig {
    static func make(for org: OrganizationSpec, layout: CryptoLayout) throws -> Msp_MSPConfig {
        let directory = layout.organizationMSPDirectory(org)
        let msp = try LocalMSP.load(directory: directory, mspID: org.mspID)
        var fabric = Msp_FabricMSPConfig()
        fabric.name = org.mspID
        fabric.rootCerts = msp.caCertificatesPEM.map { Data($0.utf8) }
        fabric.tlsRootCerts = msp.tlsCACertificatesPEM.map { Data($0.utf8) }
        fabric.admins = pemFiles(in: directory.appendingPathComponent("admincerts"))
        if msp.nodeOUs {
            let caFile = directory.appendingPathComponent("cacerts").appendingPathComponent(layout.caCertificateName(org))
            let caCertificate = (try? Data(contentsOf: caFile)) ?? fabric.rootCerts.first ?? Data()
            func identifier(_ ou: String) -> Msp_FabricOUIdentifier {
                var identifier = Msp_FabricOUIdentifier()
                identifier.certificate = caCertificate
                identifier.organizationalUnitIdentifier = ou
                return identifier
            }
            var ous = Msp_FabricNodeOUs()
            ous.enable = true
            ous.clientOuIdentifier = identifier("client")
            ous.peerOuIdentifier = identifier("peer")
            ous.adminOuIdentifier = identifier("admin")
            ous.ordererOuIdentifier = identifier("orderer")
            fabric.fabricNodeOus = ous
        }
        var crypto = Msp_FabricCryptoConfig()
        crypto.signatureHashFamily = "SHA2"
        crypto.identityIdentifierHashFunction = "SHA256"
        fabric.cryptoConfig = crypto
        var config = Msp_MSPConfig()
        config.type = 0
        config.config = try fabric.serializedBytes()
        return config
    }

    static func pemFiles(in directory: URL) -> [Data] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
        return names.compactMap { try? Data(contentsOf: directory.appendingPathComponent($0)) }
    }
}
