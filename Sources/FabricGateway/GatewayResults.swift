import FabricWire
import Foundation
import SwiftProtobuf

/// What the gateway hands back from endorsers' and orderers' answers (pure).
///
/// Guarantees:
/// - ``evaluateResult(_:)`` is the chaincode's `Response` with its payload taken from the
///   `ChaincodeAction` inside the proposal response payload when that decodes (Fabric's gateway
///   prefers it: `Response.payload` need not carry the result), else left as sent.
/// - ``preparedTransaction(proposal:responsePayload:endorsements:)`` is the unsigned Envelope
///   whose payload is ``EndorsedTransaction/transactionPayload(proposal:responsePayload:endorsements:)``,
///   what Endorse returns and the client signs.
/// - ``statusName(_:)`` spells a `common.Status` as Fabric's messages do (`BAD_REQUEST`).
public enum GatewayResults {
    public static func evaluateResult(_ response: Protos_ProposalResponse) -> Protos_Response {
        var result = response.response
        if let payload = try? Protos_ProposalResponsePayload(serializedBytes: response.payload),
           let action = try? Protos_ChaincodeAction(serializedBytes: payload.extension) {
            result.payload = action.response.payload
        }
        return result
    }

    public static func preparedTransaction(proposal: UnpackedProposal, responsePayload: Data,
                                           endorsements: [Protos_Endorsement]) throws -> Common_Envelope {
        let payload = try EndorsedTransaction.transactionPayload(proposal: proposal, responsePayload: responsePayload,
                                                                 endorsements: endorsements)
        var envelope = Common_Envelope()
        envelope.payload = try payload.serializedBytes()
        return envelope
    }

    public static func statusName(_ status: Common_Status) -> String {
        switch status {
        case .unknown: "UNKNOWN"
        case .success: "SUCCESS"
        case .badRequest: "BAD_REQUEST"
        case .forbidden: "FORBIDDEN"
        case .notFound: "NOT_FOUND"
        case .requestEntityTooLarge: "REQUEST_ENTITY_TOO_LARGE"
        case .internalServerError: "INTERNAL_SERVER_ERROR"
        case .notImplemented: "NOT_IMPLEMENTED"
        case .serviceUnavailable: "SERVICE_UNAVAILABLE"
        case .UNRECOGNIZED(let value): "\(value)"
        }
    }
}
