import FabnetCrypto
import FabnetWire
import FabricWire
import Foundation
import SwiftProtobuf

/// Signed proposals as Fabric's SDKs make them: a channel header of type ENDORSER_TRANSACTION
/// naming the chaincode in its extension, the creator and a fresh 24-byte nonce, the tx id
/// SHA-256(nonce ‖ creator), and the invocation (function and arguments, optional transient map).
///
/// Guarantees: what `make` returns unpacks with `UnpackedProposal.unpack` to the same tx id,
/// chaincode and arguments; the signature is the creator's (low S) over the proposal's bytes.
public enum ProposalBuilder {
    public static func make(channel: String, chaincode: String, arguments: [Data], transient: [String: Data] = [:],
                            creator: SigningIdentity, now: Date = Date()) throws -> (signed: Protos_SignedProposal, txID: String) {
        let creatorBytes: Data = try creator.serialized.serializedBytes()
        let nonce = FabricTransactionID.randomNonce()
        let txID = FabricTransactionID.make(nonce: nonce, creator: creatorBytes)
        var chaincodeID = Protos_ChaincodeID()
        chaincodeID.name = chaincode
        var channelHeader = Common_ChannelHeader()
        channelHeader.type = Int32(Common_HeaderType.endorserTransaction.rawValue)
        channelHeader.channelID = channel
        channelHeader.txID = txID
        channelHeader.timestamp = Google_Protobuf_Timestamp(date: now)
        channelHeader.extension = try Protos_ChaincodeHeaderExtension.with { $0.chaincodeID = chaincodeID }.serializedBytes()
        var header = Common_Header()
        header.channelHeader = try channelHeader.serializedBytes()
        header.signatureHeader = try Common_SignatureHeader.with { $0.creator = creatorBytes; $0.nonce = nonce }.serializedBytes()
        var invocation = Protos_ChaincodeInvocationSpec()
        invocation.chaincodeSpec.type = .golang
        invocation.chaincodeSpec.chaincodeID = chaincodeID
        invocation.chaincodeSpec.input.args = arguments
        var payload = Protos_ChaincodeProposalPayload()
        payload.input = try invocation.serializedBytes()
        payload.transientMap = transient
        var proposal = Protos_Proposal()
        proposal.header = try header.serializedBytes()
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        proposal.payload = try payload.serializedBytes(options: options)
        var signed = Protos_SignedProposal()
        signed.proposalBytes = try proposal.serializedBytes()
        signed.signature = try creator.sign(signed.proposalBytes)
        return (signed, txID)
    }
}

/// Turning endorsements into the transaction a client submits, as Fabric's gateway does.
///
/// Guarantees: the envelope is made only from successful responses (status below 400) whose
/// payloads are byte-identical; otherwise the error names the endorser that failed or says the
/// payloads differ; the envelope is signed by `creator` over its payload.
public enum EndorsementAssembly {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func envelope(for signed: Protos_SignedProposal, responses: [(endorser: String, response: Protos_ProposalResponse)],
                                creator: SigningIdentity) throws -> WireEnvelope {
        let proposal = try UnpackedProposal.unpack(signed)
        guard let first = responses.first else { throw Failure(description: "no endorsement") }
        for (endorser, response) in responses where response.response.status >= 400 || !response.hasEndorsement {
            throw Failure(description: "endorsement by \(endorser) failed: \(response.response.status) \(response.response.message)")
        }
        guard responses.allSatisfy({ $0.response.payload == first.response.payload }) else {
            throw Failure(description: "ProposalResponsePayloads do not match: the endorsers (\(responses.map(\.endorser).joined(separator: ", "))) computed different results; try again once they are at one height")
        }
        let payload = try EndorsedTransaction.transactionPayload(proposal: proposal, responsePayload: first.response.payload,
                                                                  endorsements: responses.map(\.response.endorsement))
        var envelope = WireEnvelope()
        envelope.payload = try payload.serializedBytes()
        envelope.signature = try creator.sign(envelope.payload)
        return envelope
    }
}
