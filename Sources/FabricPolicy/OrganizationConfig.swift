import FabricWire
import Foundation
import SwiftProtobuf

/// One org of a channel configuration as its group says: MSP ID (the `FabricMSPConfig` name,
/// which may differ from the group's name), CA and TLS CA roots (PEM bytes as stored), NodeOU
/// settings, anchor peers and orderer endpoints. Guarantees the org's `MSP` value was present and
/// decoded as a Fabric MSP (type 0).
public struct OrganizationConfig: Sendable {
    /// The group's key under Application or Orderer.
    public let groupName: String
    public let mspID: String
    public let rootCertificates: [Data]
    public let intermediateCertificates: [Data]
    public let tlsRootCertificates: [Data]
    public let admins: [Data]
    public let nodeOUs: NodeOUs
    public let anchorPeers: [AnchorPeer]
    /// The org's `Endpoints` (orderer orgs).
    public let ordererEndpoints: [String]

    init(group: Common_ConfigGroup, name: String, path: String) throws {
        groupName = name
        let msp = try ChannelConfigView.value(Msp_MSPConfig.self, "MSP", in: group, path: path)
        guard msp.type == 0 else {
            throw ChannelConfigError(path: "\(path)/MSP", problem: "MSP type \(msp.type) is not a Fabric (X.509) MSP, type 0")
        }
        let fabric: Msp_FabricMSPConfig
        do {
            fabric = try Msp_FabricMSPConfig(serializedBytes: msp.config)
        } catch {
            throw ChannelConfigError(path: "\(path)/MSP", problem: "its config does not decode as msp.FabricMSPConfig: \(error)")
        }
        mspID = fabric.name
        rootCertificates = fabric.rootCerts
        intermediateCertificates = fabric.intermediateCerts
        tlsRootCertificates = fabric.tlsRootCerts
        admins = fabric.admins
        let ous = fabric.fabricNodeOus
        func identifier(_ present: Bool, _ value: Msp_FabricOUIdentifier) -> NodeOUs.Identifier? {
            present ? NodeOUs.Identifier(organizationalUnit: value.organizationalUnitIdentifier, certificate: value.certificate) : nil
        }
        nodeOUs = NodeOUs(
            enabled: fabric.hasFabricNodeOus && ous.enable,
            client: identifier(ous.hasClientOuIdentifier, ous.clientOuIdentifier),
            peer: identifier(ous.hasPeerOuIdentifier, ous.peerOuIdentifier),
            admin: identifier(ous.hasAdminOuIdentifier, ous.adminOuIdentifier),
            orderer: identifier(ous.hasOrdererOuIdentifier, ous.ordererOuIdentifier))
        anchorPeers = try ChannelConfigView.optionalValue(Protos_AnchorPeers.self, "AnchorPeers", in: group, path: path)?
            .anchorPeers.map { AnchorPeer(host: $0.host, port: Int($0.port)) } ?? []
        ordererEndpoints = try ChannelConfigView.optionalValue(Common_OrdererAddresses.self, "Endpoints", in: group, path: path)?.addresses ?? []
    }

    /// Whether an identity's role comes from its certificate's OU, and which OU names each role.
    public struct NodeOUs: Sendable, Hashable {
        public var enabled: Bool
        public var client: Identifier?
        public var peer: Identifier?
        public var admin: Identifier?
        public var orderer: Identifier?

        /// An OU name (`client`), and the CA certificate it applies to (empty: any of the org's CAs).
        public struct Identifier: Sendable, Hashable {
            public var organizationalUnit: String
            public var certificate: Data

            public init(organizationalUnit: String, certificate: Data) {
                self.organizationalUnit = organizationalUnit
                self.certificate = certificate
            }
        }
    }

    public struct AnchorPeer: Sendable, Hashable {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }
}
