import FabnetConfig
import FabnetCrypto
import FabnetWire
import Foundation

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

    /// Block 0: one transaction carrying `config`, signed by `creator`.
    public static func block(_ config: WireChannelConfig, creator: SigningIdentity, now: Date = Date()) throws -> WireBlock {
        var transaction = WireTransaction()
        transaction.channelID = config.channelID
        transaction.creator = creator.serialized
        transaction.nonce = Data((0..<24).map { _ in UInt8.random(in: 0...255) })
        transaction.txID = TransactionID.make(nonce: transaction.nonce, creator: transaction.creator)
        transaction.timestamp = .init(now)
        transaction.config = config
        let envelope = try EnvelopeSealing.seal(transaction, by: creator)
        var block = WireBlock()
        block.header.number = 0
        block.data.transactions = [try envelope.serializedBytes()]
        block.header.dataHash = BlockHasher.dataHash(block.data.transactions)
        block.metadata.cutTime = .init(now)
        return block
    }

    /// The configuration block 0 carries, or `nil` if it carries none.
    public static func configuration(in block: WireBlock) -> WireChannelConfig? {
        guard block.header.number == 0, let first = block.data.transactions.first,
              let envelope = try? WireEnvelope(serializedBytes: first),
              let transaction = try? WireTransaction(serializedBytes: envelope.payload), transaction.hasConfig else { return nil }
        return transaction.config
    }
}

/// Transaction ids as Fabric computes them: hex SHA-256 of nonce ‖ serialized creator.
public enum TransactionID {
    public static func make(nonce: Data, creator: WireSerializedIdentity) -> String {
        var bytes = nonce
        bytes.append((try? creator.serializedBytes()) ?? Data())
        return BlockHasher.sha256Hex(bytes)
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
