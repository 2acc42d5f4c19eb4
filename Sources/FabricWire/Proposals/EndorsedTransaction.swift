import Foundation
import SwiftProtobuf

/// What an endorser signs and what a gateway assembles, as Fabric makes them.
///
/// Guarantees: `responsePayload` is the `ProposalResponsePayload{proposal_hash, extension =
/// ChaincodeAction{results, events, response, chaincode_id}}` every endorser of the same proposal
/// and state encodes to the same bytes (the caller passes a deterministic read-write set);
/// `endorsement` signs `payload ‖ endorser`, as Fabric's endorsers and validators do;
/// `transactionPayload` is the Envelope payload a client signs to submit (the proposal's header,
/// one action carrying the proposal payload without its transient map, the response payload and
/// the endorsements), so a validator finds every part where Fabric puts it.
public enum EndorsedTransaction {
    /// The bytes every endorsement of `proposal` signs (with the endorser's identity appended).
    public static func responsePayload(proposal: UnpackedProposal, results: Data, events: Data, response: Protos_Response,
                                       chaincodeID: Protos_ChaincodeID) throws -> Data {
        var action = Protos_ChaincodeAction()
        action.results = results
        action.events = events
        action.response = response
        action.chaincodeID = chaincodeID
        var payload = Protos_ProposalResponsePayload()
        payload.proposalHash = proposal.proposalHash
        payload.extension = try action.serializedBytes()
        return try payload.serializedBytes()
    }

    /// A signed proposal response: version 1, the chaincode's response, the payload and the
    /// endorsement of `endorser` (its serialized identity) made with `sign`.
    public static func proposalResponse(payload: Data, response: Protos_Response, endorser: Data,
                                        sign: (Data) throws -> Data) throws -> Protos_ProposalResponse {
        var result = Protos_ProposalResponse()
        result.version = 1
        result.response = response
        result.payload = payload
        result.endorsement.endorser = endorser
        result.endorsement.signature = try sign(payload + endorser)
        return result
    }

    /// The unsigned transaction payload a client signs to submit `proposal` with `endorsements`
    /// of the (identical) `responsePayload`.
    public static func transactionPayload(proposal: UnpackedProposal, responsePayload: Data,
                                          endorsements: [Protos_Endorsement]) throws -> Common_Payload {
        var actionPayload = Protos_ChaincodeActionPayload()
        actionPayload.chaincodeProposalPayload = proposal.proposalPayloadForTransaction
        actionPayload.action.proposalResponsePayload = responsePayload
        actionPayload.action.endorsements = endorsements
        var action = Protos_TransactionAction()
        action.header = proposal.header.signatureHeader
        action.payload = try actionPayload.serializedBytes()
        var transaction = Protos_Transaction()
        transaction.actions = [action]
        var payload = Common_Payload()
        payload.header = proposal.header
        payload.data = try transaction.serializedBytes()
        return payload
    }
}
