import FabnetConfig
import FabnetCrypto
import FabnetWire
import FabricWire
import Foundation
import SwiftProtobuf

/// Block 0 of a channel: its configuration (member orgs with their CA and TLS roots and anchor
/// peers, orderer orgs and endpoints, batch parameters, capabilities), made from a profile of the
/// description and the generated crypto material, signed by the admin who creates it.
public enum ChannelGenesis {
    /// The configuration of `channel` as block 0 carries it.
    public static func configuration(of channel: ChannelSpec, in spec: NetworkSpec, layout: CryptoLayout) throws -> WireChannelConfig {
        var config = WireChannelConfig()
        config.channelID = channel.name
        config.applicationOrgs = try channel.memberOrgs.compactMap(spec.organization(mspID:)).map { try organization($0, layout: layout) }
        config.ordererOrgs = try channel.ordererOrgs.compactMap(spec.organization(mspID:)).map { try organization($0, layout: layout) }
        config.ordererEndpoints = channel.ordererOrgs.compactMap(spec.organization(mspID:)).flatMap(\.orderers).map {
            WireEndpoint(host: $0.commonName, port: $0.port)
        }
        config.batch.batchTimeoutNanos = Int64(channel.batch.batchTimeout.components.seconds) * 1_000_000_000
            + channel.batch.batchTimeout.components.attoseconds / 1_000_000_000
        config.batch.maxMessageCount = UInt32(channel.batch.maxMessageCount)
        config.batch.absoluteMaxBytes = UInt64(channel.batch.absoluteMaxBytes)
        config.batch.preferredMaxBytes = UInt64(channel.batch.preferredMaxBytes)
        config.capabilities = channel.capabilities.channel
        return config
    }

    static func organization(_ org: OrganizationSpec, layout: CryptoLayout) throws -> WireOrganizationConfig {
        let msp = try LocalMSP.load(directory: layout.organizationMSPDirectory(org), mspID: org.mspID)
        var config = WireOrganizationConfig()
        config.mspID = org.mspID
        config.name = org.name
        config.rootCerts = msp.caCertificatesPEM.map { Data($0.utf8) }
        config.tlsRootCerts = msp.tlsCACertificatesPEM.map { Data($0.utf8) }
        config.nodeOus = msp.nodeOUs
        config.anchorPeers = org.anchorPeers.map { WireEndpoint(host: $0.host, port: $0.port) }
        return config
    }

    /// Block 0: one CONFIG envelope carrying `config`, signed by `creator`, in a Fabric block
    /// with Fabric's hashes and empty metadata (the orderer signs it when it creates the channel).
    public static func block(_ config: WireChannelConfig, creator: SigningIdentity, now: Date = Date()) throws -> Common_Block {
        var channelHeader = Common_ChannelHeader()
        channelHeader.type = Int32(Common_HeaderType.config.rawValue)
        channelHeader.channelID = config.channelID
        channelHeader.timestamp = Google_Protobuf_Timestamp(date: now)
        var signatureHeader = Common_SignatureHeader()
        signatureHeader.creator = try creator.serialized.serializedBytes()
        signatureHeader.nonce = FabricTransactionID.randomNonce()
        channelHeader.txID = FabricTransactionID.make(nonce: signatureHeader.nonce, creator: signatureHeader.creator)
        var payload = Common_Payload()
        payload.header.channelHeader = try channelHeader.serializedBytes()
        payload.header.signatureHeader = try signatureHeader.serializedBytes()
        payload.data = try config.serializedBytes()
        var envelope = Common_Envelope()
        envelope.payload = try payload.serializedBytes()
        envelope.signature = try creator.sign(envelope.payload)
        var block = Common_Block()
        block.header.number = 0
        block.data.data = [try envelope.serializedBytes()]
        block.header.dataHash = BlockDataRules.dataHash(block.data.data)
        block.metadata = BlockMetadataLayout.empty
        return block
    }

    /// The configuration block 0 carries, or `nil` if it carries none.
    public static func configuration(in block: Common_Block) -> WireChannelConfig? {
        guard block.header.number == 0, block.data.data.count == 1,
              let view = try? EnvelopeView.open(block.data.data[0]), view.headerType == .config,
              let config = try? WireChannelConfig(serializedBytes: view.payload.data) else { return nil }
        return config
    }
}

extension WireTimestamp {
    public init(_ date: Date) {
        self.init()
        let interval = date.timeIntervalSince1970
        seconds = Int64(interval.rounded(.down))
        nanos = Int32((interval - interval.rounded(.down)) * 1e9)
    }

    public var date: Date { Date(timeIntervalSince1970: Double(seconds) + Double(nanos) / 1e9) }
}
