import Foundation
import SwiftProtobuf

/// One block entry opened as far as Fabric's common checks need: the envelope, its payload, the
/// channel and signature headers and the creator.
///
/// Guarantees: `open` succeeds only when every layer decodes; each failure names the layer and
/// the validation code Fabric's committer gives it (`NIL_ENVELOPE`, `BAD_PAYLOAD`,
/// `BAD_COMMON_HEADER`), so the orderer's refusals and the peer's flags come from one place.
public struct EnvelopeView: Sendable {
    public let envelope: Common_Envelope
    public let payload: Common_Payload
    public let channelHeader: Common_ChannelHeader
    public let signatureHeader: Common_SignatureHeader
    /// The creator as serialized in the signature header (what tx ids and signatures are over).
    public var creatorBytes: Data { signatureHeader.creator }
    public let creator: Msp_SerializedIdentity

    /// Why an entry could not be opened, with the code Fabric's committer records for it.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let code: Protos_TxValidationCode
        public let reason: String
        public var description: String { reason }
    }

    public var headerType: Common_HeaderType? { Common_HeaderType(rawValue: Int(channelHeader.type)) }
    public var channelID: String { channelHeader.channelID }
    public var txID: String { channelHeader.txID }

    /// Opens `bytes` (one entry of a block's data, or a broadcast envelope's encoding).
    public static func open(_ bytes: Data) throws(Problem) -> EnvelopeView {
        guard let envelope = try? Common_Envelope(serializedBytes: bytes) else {
            throw Problem(code: .nilEnvelope, reason: "not an Envelope")
        }
        return try open(envelope)
    }

    /// Opens a decoded envelope.
    public static func open(_ envelope: Common_Envelope) throws(Problem) -> EnvelopeView {
        guard !envelope.payload.isEmpty, let payload = try? Common_Payload(serializedBytes: envelope.payload) else {
            throw Problem(code: .badPayload, reason: "the envelope's payload is missing or not a Payload")
        }
        guard payload.hasHeader else { throw Problem(code: .badPayload, reason: "the payload has no header") }
        guard let channelHeader = try? Common_ChannelHeader(serializedBytes: payload.header.channelHeader) else {
            throw Problem(code: .badCommonHeader, reason: "the channel header does not decode")
        }
        guard let signatureHeader = try? Common_SignatureHeader(serializedBytes: payload.header.signatureHeader) else {
            throw Problem(code: .badCommonHeader, reason: "the signature header does not decode")
        }
        guard !signatureHeader.creator.isEmpty, let creator = try? Msp_SerializedIdentity(serializedBytes: signatureHeader.creator) else {
            throw Problem(code: .badCommonHeader, reason: "the signature header has no creator identity")
        }
        return EnvelopeView(envelope: envelope, payload: payload, channelHeader: channelHeader,
                            signatureHeader: signatureHeader, creator: creator)
    }

    /// Fabric's header checks for a transaction on `channel`: a known type (endorser or config),
    /// epoch 0, the channel, a nonce, and for endorser transactions the tx id recomputed.
    public func checkHeader(channel: String) throws(Problem) {
        guard let type = headerType, [.endorserTransaction, .config].contains(type) else {
            throw Problem(code: .badCommonHeader, reason: "header type \(channelHeader.type) is not ENDORSER_TRANSACTION or CONFIG")
        }
        guard channelHeader.channelID == channel else {
            throw Problem(code: .badCommonHeader, reason: "the transaction is for channel '\(channelHeader.channelID)', not '\(channel)'")
        }
        guard channelHeader.epoch == 0 else { throw Problem(code: .badCommonHeader, reason: "epoch \(channelHeader.epoch) is not 0") }
        guard !signatureHeader.nonce.isEmpty else { throw Problem(code: .badCommonHeader, reason: "the signature header has no nonce") }
        if type == .endorserTransaction,
           channelHeader.txID != FabricTransactionID.make(nonce: signatureHeader.nonce, creator: signatureHeader.creator) {
            throw Problem(code: .badProposalTxid, reason: "tx id \(channelHeader.txID) is not SHA-256(nonce ‖ creator)")
        }
    }
}

extension Common_Block {
    /// The tx ids of the block's entries that open, in order (entries that do not open are left out).
    public var transactionIDs: [String] {
        data.data.compactMap { try? EnvelopeView.open($0).txID }
    }
}
