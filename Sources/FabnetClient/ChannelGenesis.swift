import FabnetConfig
import FabnetCrypto
import FabnetWire
import FabricPolicy
import FabricWire
import Foundation
import SwiftProtobuf

/// Block 0 of a channel, as configtxgen makes it: one CONFIG envelope whose `ConfigEnvelope`
/// holds the channel's configuration tree (`ChannelConfigBuilder`: orgs with their MSPs, the
/// policies, batch values, capabilities), signed by the admin who creates the channel; and the
/// way back from such a block to what the nodes run with.
///
/// Guarantees: `block` has Fabric's data hash and five empty metadata slots (the orderer signs
/// it when it creates the channel); `view(in:)` and `configuration(in:)` read any block 0 whose
/// one entry is a CONFIG envelope carrying a `ConfigEnvelope` (configtxgen's too), and give
/// `nil` for anything else.
public enum ChannelGenesis {
    /// Block 0 of `channel` of `spec`, with the crypto material under `layout`.
    public static func block(of channel: ChannelSpec, in spec: NetworkSpec, layout: CryptoLayout, creator: SigningIdentity,
                             now: Date = Date()) throws -> Common_Block {
        let config = try ChannelConfigBuilder.config(of: channel, in: spec, layout: layout)
        let envelope = try ConfigEnvelopeBuilder.envelope(config: config, channelID: channel.name, creator: creator, now: now)
        var block = Common_Block()
        block.header.number = 0
        block.data.data = [try envelope.serializedBytes()]
        block.header.dataHash = BlockDataRules.dataHash(block.data.data)
        block.metadata = BlockMetadataLayout.empty
        return block
    }

    /// The configuration tree block 0 carries, read (`nil` when it carries none).
    public static func view(in block: Common_Block) -> ChannelConfigView? {
        guard block.header.number == 0, block.data.data.count == 1,
              let envelope = try? Common_Envelope(serializedBytes: block.data.data[0]),
              let (channelID, config) = try? ConfigEnvelopeBuilder.config(in: envelope) else { return nil }
        return try? ChannelConfigView(config: config, channelID: channelID)
    }

    /// What a node runs a channel with (orgs and their roots, anchor peers, orderer endpoints,
    /// batch values), from block 0's configuration; `nil` when it carries none.
    public static func configuration(in block: Common_Block) -> WireChannelConfig? {
        view(in: block).map(settings)
    }

    /// The node-side summary of a configuration tree.
    public static func settings(of view: ChannelConfigView) -> WireChannelConfig {
        func organization(_ org: OrganizationConfig) -> WireOrganizationConfig {
            var result = WireOrganizationConfig()
            result.mspID = org.mspID
            result.name = org.groupName
            result.rootCerts = org.rootCertificates
            result.tlsRootCerts = org.tlsRootCertificates
            result.nodeOus = org.nodeOUs.enabled
            result.anchorPeers = org.anchorPeers.map { WireEndpoint(host: $0.host, port: $0.port) }
            return result
        }
        var config = WireChannelConfig()
        config.channelID = view.channelID
        config.applicationOrgs = view.applicationOrgs.map(organization)
        config.ordererOrgs = view.ordererOrgs.map(organization)
        config.ordererEndpoints = view.allOrdererEndpoints.compactMap { address in
            guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else { return nil }
            return WireEndpoint(host: String(address[..<colon]), port: port)
        }
        let timeout = view.batchTimeout.components
        config.batch.batchTimeoutNanos = timeout.seconds * 1_000_000_000 + timeout.attoseconds / 1_000_000_000
        config.batch.maxMessageCount = view.batchSize.maxMessageCount
        config.batch.absoluteMaxBytes = UInt64(view.batchSize.absoluteMaxBytes)
        config.batch.preferredMaxBytes = UInt64(view.batchSize.preferredMaxBytes)
        config.capabilities = view.capabilities.channel
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
