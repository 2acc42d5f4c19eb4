import Foundation
import SwiftProtobuf

/// The single action of an endorser transaction, opened as far as a committing peer's checks
/// need it: the bytes its endorsers signed, their endorsements and the chaincode action.
///
/// Guarantees, when `open` returns (else it throws INVALID_ENDORSER_TRANSACTION naming the
/// layer, as Fabric's committer does for a malformed endorser transaction):
/// - the payload's data is a Transaction with exactly one action;
/// - the action's SignatureHeader bytes equal the payload's (Fabric checks only the proposal
///   hash; an honest client always copies the proposal's header, and requiring it keeps one
///   creator's envelope from carrying another creator's endorsed proposal);
/// - the ChaincodeActionPayload carries an endorsed action whose ProposalResponsePayload
///   decodes, and its `proposal_hash` is SHA-256(channel header ‖ action's signature header ‖
///   the ChaincodeProposalPayload as carried), see `ProposalHash`.
///
/// The ChaincodeAction inside the response payload is decoded but not required: Fabric judges
/// it later (BAD_RESPONSE_PAYLOAD), so `chaincodeAction` is `nil` when it does not decode.
public struct EndorsedAction: Sendable {
    /// The action's SignatureHeader bytes.
    public let header: Data
    /// The ChaincodeProposalPayload bytes as carried (the client removed the transient map).
    public let proposalPayload: Data
    /// The ProposalResponsePayload bytes exactly as the endorsers signed them.
    public let responsePayloadBytes: Data
    public let responsePayload: Protos_ProposalResponsePayload
    public let endorsements: [Protos_Endorsement]
    /// The response payload's extension as a ChaincodeAction, or `nil` when it is not one.
    public let chaincodeAction: Protos_ChaincodeAction?

    /// Opens the action of `view`, an endorser transaction.
    public static func open(_ view: EnvelopeView) throws(EnvelopeView.Problem) -> EndorsedAction {
        func invalid(_ reason: String) -> EnvelopeView.Problem {
            EnvelopeView.Problem(code: .invalidEndorserTransaction, reason: reason)
        }
        guard let transaction = try? Protos_Transaction(serializedBytes: view.payload.data) else {
            throw invalid("the payload's data is not a Transaction")
        }
        guard transaction.actions.count == 1 else {
            throw invalid("the transaction has \(transaction.actions.count) actions; Fabric allows exactly 1")
        }
        let action = transaction.actions[0]
        guard action.header == view.payload.header.signatureHeader else {
            throw invalid("the action's signature header differs from the payload's")
        }
        guard let actionPayload = try? Protos_ChaincodeActionPayload(serializedBytes: action.payload), actionPayload.hasAction else {
            throw invalid("the action's payload is not a ChaincodeActionPayload with an endorsed action")
        }
        let responseBytes = actionPayload.action.proposalResponsePayload
        guard let response = try? Protos_ProposalResponsePayload(serializedBytes: responseBytes) else {
            throw invalid("the endorsed action's proposal response payload does not decode")
        }
        let expected = ProposalHash.make(channelHeader: view.payload.header.channelHeader, signatureHeader: action.header,
                                         proposalPayload: actionPayload.chaincodeProposalPayload)
        guard response.proposalHash == expected else {
            throw invalid("the proposal response's proposal_hash is not SHA-256(channel header ‖ signature header ‖ proposal payload) of this transaction")
        }
        return EndorsedAction(header: action.header, proposalPayload: actionPayload.chaincodeProposalPayload,
                              responsePayloadBytes: responseBytes, responsePayload: response,
                              endorsements: actionPayload.action.endorsements,
                              chaincodeAction: try? Protos_ChaincodeAction(serializedBytes: response.extension))
    }

    /// What `endorsement` signs: the response payload bytes followed by the endorser's
    /// serialized identity.
    public func signedBytes(of endorsement: Protos_Endorsement) -> Data {
        var bytes = responsePayloadBytes
        bytes.append(endorsement.endorser)
        return bytes
    }
}
