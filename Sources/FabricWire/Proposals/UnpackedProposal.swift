import Foundation
import SwiftProtobuf

/// A client's signed proposal taken apart the way Fabric's endorser unpacks it before anything
/// runs: the proposal, its header's two parts, the creator, the chaincode named in the header
/// extension, the invocation and the proposal hash the endorsement will name.
///
/// Guarantees: a value exists only when every layer decodes and Fabric's header rules hold
/// (ENDORSER_TRANSACTION, epoch 0, a nonce, a creator, the tx id equal to SHA-256(nonce ‖
/// creator), a chaincode name in the extension); `proposalHash` is Fabric's (the transient map
/// left out). The creator's signature, its org and the channel's policies are NOT checked here:
/// they need the channel (the endorser checks them with `signedProposal.signature`).
public struct UnpackedProposal: Sendable {
    public let signedProposal: Protos_SignedProposal
    public let proposal: Protos_Proposal
    public let header: Common_Header
    public let channelHeader: Common_ChannelHeader
    public let signatureHeader: Common_SignatureHeader
    public let creator: Msp_SerializedIdentity
    public let chaincodeID: Protos_ChaincodeID
    /// The proposal's payload as the client sent it (with its transient map, which the chaincode sees).
    public let proposalPayload: Protos_ChaincodeProposalPayload
    public let invocation: Protos_ChaincodeInvocationSpec
    /// The payload without the transient map, as it goes into the transaction and its hash.
    public let proposalPayloadForTransaction: Data
    public let proposalHash: Data

    public var channelID: String { channelHeader.channelID }
    public var txID: String { channelHeader.txID }
    public var chaincodeName: String { chaincodeID.name }
    public var input: Protos_ChaincodeInput { invocation.chaincodeSpec.input }

    /// Why a proposal was refused before it ran: the message an endorser (and the Gateway) returns.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
        public init(_ message: String) { self.message = message }
    }

    public static func unpack(_ signed: Protos_SignedProposal) throws(Problem) -> UnpackedProposal {
        guard !signed.proposalBytes.isEmpty, let proposal = try? Protos_Proposal(serializedBytes: signed.proposalBytes) else {
            throw Problem("error unmarshalling Proposal: the signed proposal carries no proposal")
        }
        guard let header = try? Common_Header(serializedBytes: proposal.header),
              let channelHeader = try? Common_ChannelHeader(serializedBytes: header.channelHeader),
              let signatureHeader = try? Common_SignatureHeader(serializedBytes: header.signatureHeader) else {
            throw Problem("error unmarshalling Header: the proposal's header does not decode")
        }
        guard channelHeader.type == Int32(Common_HeaderType.endorserTransaction.rawValue) else {
            throw Problem("invalid header type \(channelHeader.type): a proposal is an ENDORSER_TRANSACTION (3)")
        }
        guard channelHeader.epoch == 0 else { throw Problem("invalid epoch \(channelHeader.epoch) in the channel header: it must be 0") }
        guard !signatureHeader.nonce.isEmpty else { throw Problem("invalid signature header: no nonce") }
        guard !signatureHeader.creator.isEmpty, let creator = try? Msp_SerializedIdentity(serializedBytes: signatureHeader.creator) else {
            throw Problem("invalid signature header: no creator identity")
        }
        let expected = FabricTransactionID.make(nonce: signatureHeader.nonce, creator: signatureHeader.creator)
        guard channelHeader.txID == expected else {
            throw Problem("incorrectly computed txid: got \(channelHeader.txID), expected SHA-256(nonce ‖ creator) = \(expected)")
        }
        guard let extensionValue = try? Protos_ChaincodeHeaderExtension(serializedBytes: channelHeader.extension),
              extensionValue.hasChaincodeID, !extensionValue.chaincodeID.name.isEmpty else {
            throw Problem("invalid header extension: it names no chaincode")
        }
        guard let payload = try? Protos_ChaincodeProposalPayload(serializedBytes: proposal.payload),
              let invocation = try? Protos_ChaincodeInvocationSpec(serializedBytes: payload.input) else {
            throw Problem("error unmarshalling ChaincodeProposalPayload: the proposal's payload does not decode")
        }
        var withoutTransient = payload
        withoutTransient.transientMap = [:]
        guard let forTransaction = try? withoutTransient.serializedBytes() as Data else {
            throw Problem("the proposal's payload does not encode")
        }
        return UnpackedProposal(
            signedProposal: signed, proposal: proposal, header: header, channelHeader: channelHeader, signatureHeader: signatureHeader,
            creator: creator, chaincodeID: extensionValue.chaincodeID, proposalPayload: payload, invocation: invocation,
            proposalPayloadForTransaction: forTransaction,
            proposalHash: ProposalHash.make(channelHeader: header.channelHeader, signatureHeader: header.signatureHeader,
                                            proposalPayload: forTransaction))
    }
}
