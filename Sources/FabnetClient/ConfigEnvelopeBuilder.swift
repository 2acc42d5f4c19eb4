import FabnetCrypto
import FabnetWire
import FabricWire
import Foundation
import SwiftProtobuf

/// The transaction block 0 carries, as configtxgen's genesis factory makes it: an `Envelope`
/// whose payload is `Payload{header{ChannelHeader{type CONFIG (1), version 1, channel_id, tx_id,
/// timestamp (whole seconds), epoch 0}, SignatureHeader{creator, nonce (24 random bytes)}},
/// data = ConfigEnvelope{config}}`, tx_id being hex SHA-256 of nonce ‖ creator. configtxgen leaves
/// creator and signature empty; given a `creator`, the header names it and the envelope carries
/// its signature over the payload bytes. Building the block around it (and its hashes) is not
/// done here.
public enum ConfigEnvelopeBuilder {
    public static func envelope(config: Common_Config, channelID: String, creator: SigningIdentity? = nil,
                                now: Date = Date(), nonce: Data? = nil) throws -> Common_Envelope {
        let nonce = nonce ?? Data((0..<24).map { _ in UInt8.random(in: 0...255) })
        let creatorBytes = try creator.map { try $0.serialized.serializedBytes() } ?? Data()

        var channelHeader = Common_ChannelHeader()
        channelHeader.type = Int32(Common_HeaderType.config.rawValue)
        channelHeader.version = 1
        channelHeader.channelID = channelID
        channelHeader.epoch = 0
        var timestamp = Google_Protobuf_Timestamp()
        timestamp.seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        channelHeader.timestamp = timestamp
        channelHeader.txID = FabricTransactionID.make(nonce: nonce, creator: creatorBytes)

        var signatureHeader = Common_SignatureHeader()
        signatureHeader.creator = creatorBytes
        signatureHeader.nonce = nonce

        var header = Common_Header()
        header.channelHeader = try channelHeader.serializedBytes()
        header.signatureHeader = try signatureHeader.serializedBytes()

        var configEnvelope = Common_ConfigEnvelope()
        configEnvelope.config = config
        var payload = Common_Payload()
        payload.header = header
        payload.data = try configEnvelope.serializedBytes()

        var envelope = Common_Envelope()
        envelope.payload = try payload.serializedBytes()
        if let creator { envelope.signature = try creator.sign(envelope.payload) }
        return envelope
    }

    /// The `Common_Config` an envelope made by `envelope(config:…)` carries, with its channel ID.
    public static func config(in envelope: Common_Envelope) throws -> (channelID: String, config: Common_Config) {
        let payload = try Common_Payload(serializedBytes: envelope.payload)
        let channelHeader = try Common_ChannelHeader(serializedBytes: payload.header.channelHeader)
        guard channelHeader.type == Int32(Common_HeaderType.config.rawValue) else {
            throw ChannelConfigBuildError(channel: channelHeader.channelID, path: "envelope", problem: "header type \(channelHeader.type) is not CONFIG (1)",
                                          hint: "pass block 0's first envelope")
        }
        return (channelHeader.channelID, try Common_ConfigEnvelope(serializedBytes: payload.data).config)
    }
}
